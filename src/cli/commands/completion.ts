// musectl completion bash|zsh|fish: prints the completion script for a shell. The script asks
// `musectl completion --words -- WORD...` at every <Tab> for what fits at the cursor: commands,
// their flags, flag values (formats, log levels, kinds, files), and the resource names of the
// stack's manifests (from -f on the same command line, else ./manifests).
import { loadManifestSet } from '../../manifest/index.js';
import { schemaRegistry } from '../../manifest/schemas.js';
import { type Command, UsageError } from '../command.js';
import { type CompletionSources, complete, renderCompletion } from '../completion/complete.js';
import { completionScript, SHELLS, type Shell } from '../completion/scripts.js';
import { knownKinds } from '../stack-flags.js';

async function sources(): Promise<CompletionSources> {
  const { COMMANDS } = await import('../main.js');
  return {
    commands: COMMANDS,
    kinds: () => schemaRegistry().kindNames.filter((k) => k !== 'Stack'),
    resources: async (paths, variables) => {
      if (paths.length === 0) return [];
      // Placeholders stand in for what only a target knows; invalid documents are left out.
      return loadManifestSet(paths, { variables, allowPlaceholders: true, kinds: await knownKinds() }).resources.map((r) => r.key);
    },
  };
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print shell completion for bash, zsh or fish (commands, flags, kinds, resource names)',
  usage: 'musectl completion bash|zsh|fish',
  details: `
Prints a script that completes musectl's commands, flags, flag values (formats, log levels,
kinds, files and directories) and the names of the stack's resources (Kind/name, for state rm,
state mv and --allow-replace), read from the manifests given with -f on the same command line,
else from ./manifests. Load it:
  bash:  source <(musectl completion bash)
  zsh:   source <(musectl completion zsh)
  fish:  musectl completion fish | source`,
  flags: {
    words: { type: 'boolean', description: 'Print what completes the command line given after -- (what the scripts call)' },
  },
  positionals: true,
  positionalValues: SHELLS,
  async run(args, out) {
    if (args.flags.words) {
      out.out(renderCompletion(await complete(args.positionals, await sources())));
      return 0;
    }
    const shell = args.positionals[0];
    if (args.positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell)) {
      throw new UsageError(`name the shell: musectl completion ${SHELLS.join('|')}`);
    }
    out.out(completionScript(shell as Shell));
    return 0;
  },
};
