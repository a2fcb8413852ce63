// The V8 flags bin/musectl.js sets before it loads the CLI: how V8 spends a short run's CPU.
//
// - --liftoff-only: WebAssembly stays on V8's baseline compiler. Otherwise V8 re-compiles it with
//   TurboFan on a background thread as answers come in, and Node waits for that job before it
//   exits: 50-80 ms of every run (seen with `perf`) when the HTTP parser of Node's fetch was
//   WebAssembly in every run. No command loads Node's fetch now (src/gcp/fetch-globals.mjs); what
//   WebAssembly is left is long.js's small module (protobufjs's 64-bit integers), and the flag
//   stays for whatever loads fetch again.
// - --interrupt-budget, 4x V8's default (66 KB of bytecode run before a function is considered
//   for TurboFan): a command runs for well under a second, and most of the TurboFan work V8
//   starts in that time is never paid back. `perf` showed V8's background threads spending
//   ~200 ms of TurboFan compilation in a 0.47 s SessionMUSE plan, on a 2-core machine where the
//   main thread needs one core; with the larger budget the plan took ~0.43 s and ~130 ms less
//   CPU, and a plan of 1,000 resources ~0.96 s instead of ~1.06 s (medians of the bench's
//   cases, run alone). Hot code (the YAML parser at 1,000 documents) is still optimised, later.
//   A long-running process (`watch` without --once, `emulator`) keeps V8's default: it runs the
//   same code for hours, and its cycles were ~30% slower in their steady state with the larger
//   budget.
// A flag the user gives node (`node --interrupt-budget=N bin/musectl.js`) wins; Node refuses V8's
// flags in NODE_OPTIONS, so that is the only place one can be given.
//
// V8 refuses a code cache made under other flags (these included): src/compile-cache.ts keys its
// caches by V8's tag for them, so the caches of a short run and of the watcher stay apart (otherwise
// each would refuse, and rewrite, the other's).
import v8 from 'node:v8';

const DEFAULT_INTERRUPT_BUDGET = 66 * 1024; // V8's --interrupt-budget (v8 flag-definitions.h)
export const SHORT_RUN_INTERRUPT_BUDGET = 4 * DEFAULT_INTERRUPT_BUDGET;

/**
 * The flags the watcher's image starts node with (Dockerfile ENTRYPOINT; test/unit/v8-flags.test.ts
 * holds the two together). A heap size can only be given when V8 starts, not set from here. V8's
 * young generation at 64 MB a semi-space instead of Node 20's 16: each watcher cycle allocates
 * hundreds of MB of short-lived answers and objects (549 reads at 1,000 resources), and with the
 * default most of its garbage collection is scavenges that a larger nursery avoids. A no-op plan
 * of 1,000 resources in a process that planned before: 470 -> 383 ms at its third plan and 349 ->
 * 308 ms by its sixth to eighth (medians of 8 processes run alternately, a busy host; 292 -> 262 and
 * 226 -> 194 ms at a quieter hour), at ~30 MB more peak RSS (~330 -> ~350 MB; the job has 512 MiB).
 */
export const WATCHER_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Whether the command runs until stopped: the watcher's loop (without --once), or a served emulator. */
export function isLongRunning(args: string[]): boolean {
  const [command, ...rest] = args.filter((a) => a !== '--no-color');
  if (command === 'emulator') return true;
  return command === 'watch' && !rest.includes('--once');
}

/** The flag's name, `--no-` kept, `_` read as `-` (as V8 does): `--interrupt_budget=5` is `--interrupt-budget`. */
const flagName = (arg: string): string => arg.split('=')[0].replace(/_/g, '-');

/** The flags to set for a run of `musectl ARGS`, given the arguments node was started with. */
export function startFlags(args: string[], execArgv: string[]): string[] {
  const given = new Set(execArgv.map(flagName));
  const flags: string[] = [];
  if (!['--liftoff', '--no-liftoff', '--liftoff-only', '--no-liftoff-only'].some((f) => given.has(f))) flags.push('--liftoff-only');
  if (!isLongRunning(args) && !given.has('--interrupt-budget')) flags.push(`--interrupt-budget=${SHORT_RUN_INTERRUPT_BUDGET}`);
  return flags;
}

/** Sets startFlags' flags (the bin, before it loads the CLI). */
export function applyStartFlags(args: string[], execArgv: string[]): void {
  for (const flag of startFlags(args, execArgv)) v8.setFlagsFromString(flag);
}
