// What completes at the cursor, for every shell: commands, subcommands, flags (not those given
// already), flag values (declared, or read from the placeholder), kinds in a comma list, and the
// resource keys of the manifests on the command line, with its variables.
import { describe, expect, it } from 'vitest';
import { type CompletionSources, complete, manifestsOf } from '../../../src/cli/completion/complete.js';
import { COMMANDS } from '../../../src/cli/main.js';

const sources: CompletionSources = {
  commands: COMMANDS,
  kinds: () => ['Bucket', 'CloudRunService', 'ServiceAccount'],
  resources: async ({ paths, variables }) => paths.map((p) => `Bucket/${p}-${variables.PROJECT_ID ?? 'example-project'}`),
  environments: ({ paths }) => (paths.length > 0 ? ['dev', 'prod'] : []),
};
const at = async (...words: string[]) => {
  const c = await complete(words, sources);
  return c.directive === 'values' ? c.candidates.map((x) => x.value) : `:${c.directive}`;
};

describe('completion', () => {
  it('completes commands and subcommands, with descriptions', async () => {
    expect(await at('st')).toEqual(['status', 'state']);
    expect(await at('state', '')).toEqual(['list', 'rm', 'mv', 'migrate']);
    const c = await complete(['un'], sources);
    expect(c.candidates).toEqual([{ value: 'unlock', description: "Release a stack's lock that a stopped apply or watch left behind" }]);
  });

  it('completes the flags of the command, leaving out those given (not the repeatable ones)', async () => {
    expect(await at('plan', '--pru')).toEqual(['--prune']);
    expect(await at('plan', '--prune', '--pr')).toEqual(['--project']);
    expect(await at('plan', '-f', 'a', '--file')).toEqual(['--filename']); // repeatable
    expect(await at('plan', '-o', 'json', '--outp')).toEqual([]); // -o is --output
    expect(await at('state', 'list', '--o')).toEqual(['--output']);
  });

  it('completes flag values: declared lists, placeholders, --flag=value, files and directories', async () => {
    expect(await at('plan', '-o', '')).toEqual(['text', 'json', 'markdown']);
    expect(await at('graph', '--output', 'd')).toEqual(['dot']);
    expect(await at('plan', '--log-level', 'w')).toEqual(['warn']);
    expect(await at('plan', '--log-level=e')).toEqual(['--log-level=error']);
    expect(await at('plan', '-f', '')).toBe(':files');
    expect(await at('plan', '--state', '')).toBe(':directories');
    expect(await at('plan', '-f', 'm', '--env', 'd')).toEqual(['dev']);
    expect(await at('apply', '-f', 'm', '--env=p')).toEqual(['--env=prod']);
    expect(await at('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes kinds in a comma-separated list', async () => {
    expect(await at('export', '--kinds', 'Bucket,S')).toEqual(['Bucket,ServiceAccount']);
  });

  it("completes the stack's resource keys from -f and the variables on the command line", async () => {
    expect(await at('state', 'rm', '-f', 'one', '--project', 'p-1', 'Bucket/')).toEqual(['Bucket/one-p-1']);
    expect(await at('plan', '--filename=two', '--allow-replace', '')).toEqual(['Bucket/two-example-project']);
    expect(manifestsOf(['apply', '-fthree', '--set', 'ENV=dev', '--region', 'r', '']).variables).toEqual({ ENV: 'dev', REGION: 'r' });
    expect(manifestsOf(['plan', '-f', 'm', '--env', 'prod', '--emulator', 'http://127.0.0.1:9', ''], {})).toEqual({
      paths: ['m'],
      variables: {},
      environment: 'prod',
      emulator: true,
    });
    expect(manifestsOf(['plan', '-f', 'm', ''], { MUSECTL_EMULATOR: 'http://127.0.0.1:9' }).emulator).toBe(true);
    expect(manifestsOf(['plan', '-f', 'm', ''], {}).emulator).toBe(false);
  });
});
