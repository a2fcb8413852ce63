// musectl completion bash|zsh|fish: prints the completion script for a shell. The script asks
// `musectl completion --words -- WORD...` at every <Tab> for what fits at the cursor: commands,
// their flags, flag values (formats, log levels, kinds, files), and the resource names of the
// stack's manifests (from -f on the same command line, else ./manifests).
import { EMULATOR_DEFAULT_PROJECT } from '../../gcp/target.js';
import { environmentNames, environmentsDir } from '../../manifest/environment.js';
import { loadManifestSet } from '../../manifest/index.js';
import { schemaRegistry } from '../../manifest/schemas.js';
import { type Command, UsageError } from '../command.js';
import { type CompletionSources, complete, renderCompletion, type StackOnLine } from '../completion/complete.js';
import { completionScript, SHELLS, type Shell } from '../completion/scripts.js';
import { knownKinds, loadEnvironment } from '../stack-flags.js';

async function sources(): Promise<CompletionSources> {
  const { COMMANDS } = await import('../main.js');
  return {
    commands: COMMANDS,
    kinds: () => schemaRegistry().kindNames.filter((k) => k !== 'Stack'),
    environments: (stack) => (stack.paths.length === 0 ? [] : environmentNames(environmentsDir(undefined, stack.paths))),
    resources: async (stack) => {
      if (stack.paths.length === 0) return [];
      // Placeholders stand in for what only a target knows; invalid documents are left out.
      return loadManifestSet(stack.paths, { variables: targetVariables(stack), allowPlaceholders: true, kinds: await knownKinds() }).resources.map(
        (r) => r.key,
      );
    },
  };
}

/**
 * The variables the command itself would use, as far as the line tells: --project, else the
 * environment's project, else the emulator's default one (a bucket named after the project must
 * complete to the name --target accepts, not to the placeholder's). An environment that cannot be
 * read adds nothing: completion never fails.
 */
function targetVariables(stack: StackOnLine): Record<string, string> {
  let fromEnvironment: Record<string, string> = {};
  if (stack.environment) {
    try {
      const env = loadEnvironment(stack.paths, stack.environment);
      fromEnvironment = { ...env.variables, ...(env.project ? { PROJECT_ID: env.project } : {}), ...(env.region ? { REGION: env.region } : {}) };
    } catch {
      // left to the command to report
    }
  }
  const emulatorProject: Record<string, string> = stack.emulator ? { PROJECT_ID: EMULATOR_DEFAULT_PROJECT } : {};
  return { ...emulatorProject, ...fromEnvironment, ...stack.variables };
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
