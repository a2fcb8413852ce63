// The completion scripts: thin, the same for every shell. Each sends the words of the command line
// to `musectl completion --words -- WORD...` and turns its answer into the shell's completions:
// the first line is a directive (:values, :files, :directories), the rest "value<TAB>description".
// What is completed where lives in complete.ts, once.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# musectl completion for bash. Load it in this shell with:
#   source <(musectl completion bash)
# or for every shell: musectl completion bash > ~/.local/share/bash-completion/completions/musectl
_musectl() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line
  local -a lines
  mapfile -t lines < <(musectl completion --words -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=()
  case \${lines[0]} in
    :files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    :directories) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
  esac
  for line in "\${lines[@]:1}"; do COMPREPLY+=("\${line%%$'\\t'*}"); done
}
complete -F _musectl musectl
`;

const ZSH = `#compdef musectl
# musectl completion for zsh. Load it in this shell with:
#   source <(musectl completion zsh)
# or for every shell: musectl completion zsh > "\${fpath[1]}/_musectl" (then restart zsh)
_musectl() {
  local -a lines vals shown
  local line
  lines=("\${(@f)$(musectl completion --words -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case \${lines[1]} in
    :files) _files; return ;;
    :directories) _files -/; return ;;
  esac
  for line in "\${(@)lines[2,-1]}"; do
    [[ -z $line ]] && continue
    vals+=("\${line%%$'\\t'*}")
    if [[ $line == *$'\\t'* ]]; then shown+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}"); else shown+=("$line"); fi
  done
  (( \${#vals} )) && compadd -l -d shown -a vals
}
if (( $+functions[compdef] )); then compdef _musectl musectl; fi
`;

const FISH = `# musectl completion for fish. Load it in this shell with:
#   musectl completion fish | source
# or for every shell: musectl completion fish > ~/.config/fish/completions/musectl.fish
function __musectl_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l cur (commandline -ct)
    set -l lines (musectl completion --words -- $words "$cur" 2>/dev/null)
    switch "$lines[1]"
        case :files
            __fish_complete_path "$cur"
        case :directories
            __fish_complete_directories "$cur"
        case '*'
            printf '%s\\n' $lines[2..-1]
    end
end
complete -c musectl -f -a '(__musectl_complete)'
`;

export const completionScript = (shell: Shell): string => ({ bash: BASH, zsh: ZSH, fish: FISH })[shell];
