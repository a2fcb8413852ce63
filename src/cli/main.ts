// musectl's entry point: picks the command, parses its flags, runs it, turns failures into exit codes.
// Exit codes: 0 success, 1 error (bad input, failed apply, usage), 2 changes present (plan with
// --detailed-exitcode), 70 internal error (a bug: please report it).

import { UserError } from '../errors.js';
import { scrub } from '../gcp/scrub.js';
import { packageVersion } from '../paths.js';
import { type Command, helpText, parseCommandArgs, UsageError } from './command.js';
import { describeFailure } from './failure.js';
import { type Output, processOutput } from './output.js';

/**
 * Commands are loaded only when run, so `musectl validate` never loads the engine, pino or a
 * Google client, and `--help` loads nothing.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'validate',
    summary: 'Check manifests against the schemas and each other (no API calls)',
    load: async () => (await import('./commands/validate.js')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'Show what apply would change (reads Google Cloud, changes nothing)',
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  {
    name: 'graph',
    summary: 'Print the dependency graph of the manifests as Mermaid or Graphviz dot (no API calls)',
    load: async () => (await import('./commands/graph.js')).graphCommand,
  },
  { name: 'apply', summary: 'Make Google Cloud match the manifests', load: async () => (await import('./commands/apply.js')).applyCommand },
  {
    name: 'destroy',
    summary: 'Remove what the stack owns (buckets, secrets and APIs stay unless their policy says otherwise)',
    load: async () => (await import('./commands/destroy.js')).destroyCommand,
  },
  {
    name: 'status',
    summary: 'Show how each resource of the stack is doing: ready, degraded, drifted, missing... (alias: get)',
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  {
    name: 'up',
    summary: 'Apply manifests to the built-in local emulator (what `npm start` runs)',
    load: async () => (await import('./commands/up.js')).upCommand,
  },
  {
    name: 'output',
    summary: "Print the stack's outputs as of its last apply (reads the state only)",
    load: async () => (await import('./commands/output.js')).outputCommand,
  },
  {
    name: 'unlock',
    summary: "Release a stack's lock that a stopped apply or watch left behind",
    load: async () => (await import('./commands/unlock.js')).unlockCommand,
  },
  {
    name: 'state',
    summary: 'List, forget, rename or move what the stack owns (its inventory)',
    load: async () => (await import('./commands/state.js')).stateCommand,
  },
  { name: 'watch', summary: 'Keep Google Cloud equal to the manifests, continuously', load: async () => (await import('./commands/watch.js')).watchCommand },
  { name: 'export', summary: 'Write manifests for resources that already exist', load: async () => (await import('./commands/export.js')).exportCommand },
  {
    name: 'completion',
    summary: 'Print shell completion for bash, zsh or fish (commands, flags, kinds, resource names)',
    load: async () => (await import('./commands/completion.js')).completionCommand,
  },
  {
    name: 'emulator',
    summary: 'Run the local Google Cloud emulator (Run, Storage, IAM, Secret Manager, ...)',
    load: async () => (await import('./commands/emulator.js')).emulatorCommand,
  },
];

/** Other names a command answers to (kubectl's `get`). */
const ALIASES: Record<string, string> = { get: 'status' };

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'musectl: keeps Google Cloud in the state your YAML manifests describe.',
    '',
    'Usage: musectl COMMAND [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    '  --no-color    No colours (also NO_COLOR=1)',
    '  --version     Print the version',
    '  -h, --help    Show help (musectl COMMAND --help for a command)',
    '',
  ].join('\n');
}

export async function main(argv: string[], out: Output = processOutput(argv)): Promise<number> {
  const args = argv.filter((a) => a !== '--no-color');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help'], out);
    out.out(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === 'version') {
    out.out(`musectl ${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === (ALIASES[name] ?? name));
  if (!entry) {
    const { didYouMean } = await import('../manifest/suggest.js');
    out.err(
      `musectl: unknown command "${name}"${didYouMean(
        name,
        COMMANDS.map((c) => c.name),
      )}. Run "musectl --help" for the list.\n`,
    );
    return 1;
  }
  const { cmd, argv: cmdArgs } = pickSubcommand(await entry.load(), rest);
  if (cmd.subcommands) {
    // `musectl state` alone or with --help: its help, listing its commands.
    const asked = cmdArgs[0] === '--help' || cmdArgs[0] === '-h';
    if (asked || cmdArgs[0] === undefined) {
      out.out(helpText(cmd));
      return asked ? 0 : 1;
    }
    const { didYouMean } = await import('../manifest/suggest.js');
    const names = cmd.subcommands.map((c) => c.name.slice(cmd.name.length + 1));
    out.err(`musectl ${name}: unknown command "${cmdArgs[0]}"${didYouMean(cmdArgs[0], names)}. Run "musectl ${name} --help" for the list.\n`);
    return 1;
  }
  try {
    const parsed = parseCommandArgs(cmd, cmdArgs);
    if (parsed.flags.help) {
      out.out(helpText(cmd));
      return 0;
    }
    return await cmd.run(parsed, out);
  } catch (err) {
    if (err instanceof UsageError) {
      out.err(`musectl ${cmd.name}: ${err.message}\nRun "musectl ${cmd.name} --help" for usage.\n`);
      return 1;
    }
    if (err instanceof UserError) {
      out.err(`${out.color.red('Error:')} ${scrub(err.message)}\n`);
      return 1;
    }
    const failure = describeFailure(err);
    if (failure) {
      out.err(`${out.color.red('Error:')} ${failure.message}${failure.hint ? `\n  ${failure.hint}` : ''}\n`);
      return 1;
    }
    throw err;
  }
}

/** `musectl state list ...`: the subcommand the first argument names and the arguments after it; else the command itself. */
function pickSubcommand(cmd: Command, argv: string[]): { cmd: Command; argv: string[] } {
  const sub = cmd.subcommands?.find((c) => c.name === `${cmd.name} ${argv[0]}`);
  return sub ? { cmd: sub, argv: argv.slice(1) } : { cmd, argv };
}
