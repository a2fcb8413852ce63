// Shell completion through the real shells: the script `musectl completion SHELL` prints, loaded
// in bash, zsh and fish, with musectl (this build) on PATH. bash and zsh call the completion
// function as the line editor would (zsh's compadd replaced by a stand-in that prints what it is
// given); fish completes a command line with `complete -C`. A shell that is not installed is
// skipped, and the test says so.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './cli.js';

const bin = mkdtempSync(join(tmpdir(), 'musectl-bin-'));
writeFileSync(join(bin, 'musectl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(join(bin, 'musectl'), 0o755);
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' };

const installed = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const FIXTURE = join(ROOT, 'test/fixtures/state');

/** The completions a shell offers for `line` (the cursor at its end), one per line, in `cwd`. */
function completions(shell: 'bash' | 'zsh' | 'fish', line: string, cwd = ROOT): string[] {
  const words = line.split(' ');
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const scripts = {
    bash: `source <(musectl completion bash); COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _musectl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    zsh: `source <(musectl completion zsh); compadd() { print -rl -- "\${(@P)\${@[-1]}}" }; _files() { print -r -- ":files $*" }; words=(${quoted}); CURRENT=${words.length}; _musectl`,
    fish: `musectl completion fish | source; complete -C "${line}"`,
  };
  const args = shell === 'zsh' ? ['-fc', scripts.zsh] : ['-c', scripts[shell]];
  const out = execFileSync(shell, args, { cwd, env, encoding: 'utf8', timeout: 30_000 });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]);
}

describe.each(['bash', 'zsh', 'fish'] as const)('completion in %s', (shell) => {
  const run = installed(shell) ? it : it.skip;
  if (!installed(shell)) console.log(`skipping the ${shell} completion tests: ${shell} is not installed`);

  run('completes commands, subcommands and flags', () => {
    expect(completions(shell, 'musectl st').sort()).toEqual(['state', 'status']);
    expect(completions(shell, 'musectl state ').sort()).toEqual(['list', 'migrate', 'mv', 'rm']);
    expect(completions(shell, 'musectl plan --detailed')).toEqual(['--detailed-exitcode']);
  });

  run('completes flag values: formats, log levels and kinds', () => {
    expect(completions(shell, 'musectl plan -o ').sort()).toEqual(['json', 'markdown', 'text']);
    expect(completions(shell, 'musectl apply --log-level w')).toEqual(['warn']);
    expect(completions(shell, 'musectl export --kinds Bucket,CloudRun').sort()).toEqual(['Bucket,CloudRunJob', 'Bucket,CloudRunService']);
  });

  run("completes the stack's resource names from -f, and from ./manifests without it", () => {
    expect(completions(shell, `musectl state rm -f ${FIXTURE} --project my-project Bucket/`).sort()).toEqual([
      'Bucket/tools-data-my-project',
      'Bucket/tools-logs-my-project',
    ]);
    expect(completions(shell, 'musectl plan --allow-replace CloudRunService/')).toEqual([
      'CloudRunService/sessionmuse-backend',
      'CloudRunService/sessionmuse-frontend',
    ]);
  });

  run("completes resource names as the target names them: the emulator's project, the environment's", () => {
    // Without --project a command on the emulator uses musectl-local, one with --env the file's project.
    expect(completions(shell, 'musectl plan -f manifests --emulator http://127.0.0.1:9 --target Bucket/sessionmuse-t')).toEqual([
      'Bucket/sessionmuse-tracks-musectl-local',
    ]);
    expect(completions(shell, 'musectl plan -f manifests --env prod --target Bucket/sessionmuse-t')).toEqual(['Bucket/sessionmuse-tracks-sessionmuse-prod']);
    expect(completions(shell, 'musectl plan -f manifests --env prod --project other --target Bucket/sessionmuse-t')).toEqual([
      'Bucket/sessionmuse-tracks-other',
    ]);
  });

  run("completes --env with the stack's environments (environments/NAME.yaml)", () => {
    expect(completions(shell, 'musectl plan -f manifests --env ').sort()).toEqual(['dev', 'prod']);
    expect(completions(shell, 'musectl watch -f manifests --env p')).toEqual(['prod']);
  });
});

describe('musectl completion', () => {
  it('asks for a shell it knows', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('musectl completion: name the shell: musectl completion bash|zsh|fish');
  });
});
