// musectl watch: keep Google Cloud equal to the manifests, continuously (as a Cloud Run job).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allControllers } from '../../../controllers/index.js';
import { Watcher } from '../../engine/watch.js';
import { createLogger, LOG_LEVELS, type LogFormat } from '../../log.js';
import { type Command, type ParsedArgs, UsageError } from '../command.js';
import { parallelismFrom, planOptionsFrom, targetFlags, targetFrom } from '../engine-flags.js';
import { cliVariables } from '../stack-flags.js';
import { durationFlag } from './apply.js';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Keep Google Cloud equal to the manifests, continuously',
  usage: 'musectl watch -f SOURCE... (--project ID | --emulator URL) [--interval 5m] [--once | --cycles N] [--observe-only]',
  details: `
Every --interval (with jitter): observe, diff, and correct the drift, until SIGTERM (the actions in
flight finish, the inventory is written, exit 0) or --max-duration. --once (or --cycles N) runs one
cycle (N) and exits: 0 when it completed and corrected all it tried, 1 otherwise. That is how the
stack runs its watcher: Cloud Scheduler starts an execution every --interval, so the watcher costs
only while it works. Each cycle writes the watcher's status beside the inventory (musectl status
shows it). Each -f is one stack: a
directory, or gs://BUCKET/PREFIX/ where CI uploads the manifests (a new upload is picked up on
the next cycle). --stacks-dir DIR watches every subdirectory of DIR as a stack. On Cloud Run, the
job's tasks share the stacks by CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT.
Drift policy: every field is enforced, except those a manifest names in the annotation
musectl.dev/drift-report ("template.containers[].image, labels.version"): their drift is logged
and counted, never reverted. --observe-only reports everything and changes nothing.
A cycle that corrects something takes the stack's lease (as apply does), so one writer at a time.
Failing resources back off (doubling from --backoff up to --backoff-cap). One log line per cycle:
drift found, corrected, reported, failed, backing off, duration, API calls.`,
  flags: {
    filename: { type: 'string', short: 'f', multiple: true, value: 'SOURCE', description: 'A stack: a manifest directory or gs://BUCKET/PREFIX/' },
    'stacks-dir': { type: 'string', value: 'DIR', description: 'Watch every subdirectory of DIR as a stack' },
    project: { type: 'string', value: 'ID', description: 'Google Cloud project id: the value of ${PROJECT_ID}' },
    region: { type: 'string', value: 'REGION', description: 'Value of ${REGION} (overrides the Stack default)' },
    set: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Set a stack variable' },
    env: {
      type: 'string',
      value: 'NAME',
      values: 'environments',
      description: 'Watch each stack in this environment (its environments/NAME.yaml: variables, overrides, its own inventory and lease)',
    },
    ...targetFlags,
    'log-level': { type: 'string', value: 'LEVEL', description: `Log level: ${LOG_LEVELS.join(', ')}`, default: 'info' },
    'log-format': {
      type: 'string',
      value: 'FORMAT',
      description: 'gcp (Cloud Logging JSON with severity), json or text; gcp on Cloud Run, else json off a terminal',
      values: ['gcp', 'json', 'text'],
    },
    state: {
      type: 'string',
      value: 'DIR|gs://B/P',
      description: 'Where the stacks keep their inventory and lease (default: beside each Stack document; required for gs:// sources)',
    },
    prune: { type: 'boolean', description: 'Also delete (or abandon) what left the manifests' },
    interval: { type: 'string', value: 'DURATION', description: 'Time between cycles', default: '5m' },
    jitter: { type: 'string', value: 'FRACTION', description: 'Random spread of the interval', default: '0.1' },
    'max-duration': { type: 'string', value: 'DURATION', description: 'Stop after this long (0: never; set below the job task timeout)', default: '0' },
    once: { type: 'boolean', description: 'Run one cycle and exit (as a scheduled execution does); --interval is then the schedule' },
    cycles: { type: 'string', value: 'N', description: 'Run N cycles, --interval apart, and exit' },
    'observe-only': { type: 'boolean', description: 'Report drift, change nothing' },
    parallelism: {
      type: 'string',
      value: 'N',
      description: 'Resources called for at the same time (one waiting for a rollout or a quota gives its place meanwhile)',
      default: '10',
    },
    backoff: { type: 'string', value: 'DURATION', description: 'First wait after a resource fails', default: '5m' },
    'backoff-cap': { type: 'string', value: 'DURATION', description: 'Longest wait after repeated failures', default: '1h' },
  },
  async run(args, out) {
    const sources = stackSources(args);
    if (args.flags.env && args.flags.project === undefined && (args.flags['stacks-dir'] !== undefined || sources.some((s) => s.startsWith('gs://')))) {
      throw new UsageError(
        '--env with a gs:// source or --stacks-dir needs --project: the watcher works on one project, and the environments are read per stack',
      );
    }
    if (args.flags.state === undefined && sources.some((s) => s.startsWith('gs://'))) {
      throw new UsageError('--state is needed with a gs:// source: the inventory must live where every run finds it (e.g. --state gs://BUCKET/state)');
    }
    const mine = shareOfTasks(sources, process.env);
    const level = String(args.flags['log-level'] ?? 'info');
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level ${level}: use one of ${LOG_LEVELS.join(', ')}`);
    const log = createLogger(level, { format: logFormat(args) });
    const jitter = Number(args.flags.jitter);
    if (!(jitter >= 0 && jitter < 1)) throw new UsageError(`--jitter ${args.flags.jitter}: a fraction from 0 to below 1`);
    const intervalMs = durationFlag(args, 'interval');
    if (intervalMs <= 0) throw new UsageError('--interval must be longer than 0');
    const maxCycles = cyclesFrom(args);
    const watcher = new Watcher({
      controllers: allControllers(),
      sources: mine,
      target: targetFrom(args),
      variables: cliVariables(args),
      ...(args.flags.env ? { environment: String(args.flags.env) } : {}),
      state: args.flags.state as string | undefined,
      log,
      intervalMs,
      jitter,
      maxDurationMs: durationFlag(args, 'max-duration'),
      maxCycles,
      observeOnly: Boolean(args.flags['observe-only']),
      plan: { ...planOptionsFrom({ ...args, flags: { ...args.flags, adopt: false } }), prune: Boolean(args.flags.prune) },
      parallelism: parallelismFrom(args),
      backoffBaseMs: durationFlag(args, 'backoff'),
      backoffCapMs: durationFlag(args, 'backoff-cap'),
    });
    const stop = (signal: string) => () => watcher.stop(signal);
    process.once('SIGTERM', stop('SIGTERM'));
    process.once('SIGINT', stop('SIGINT'));
    log.info({ stacks: mine, intervalMs }, mine.length === sources.length ? 'watching' : `watching this task's share of ${sources.length} stacks`);
    if (mine.length === 0) {
      out.err('this task has no stack to watch (more tasks than stacks)\n');
      return 0;
    }
    await watcher.run();
    // A scheduled execution that could not do its work fails, so Cloud Run shows it failed.
    return maxCycles > 0 && watcher.lastRoundFailed ? 1 : 0;
  },
};

/** --once is one cycle, --cycles N is N; 0: until stopped. */
function cyclesFrom(args: ParsedArgs): number {
  const raw = args.flags.cycles as string | undefined;
  if (args.flags.once && raw !== undefined) throw new UsageError('--once and --cycles say the same thing: give one of them');
  if (args.flags.once) return 1;
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--cycles ${raw}: expected a whole number from 1`);
  return n;
}

function stackSources(args: ParsedArgs): string[] {
  const files = (args.flags.filename as string[] | undefined) ?? [];
  const dir = args.flags['stacks-dir'] as string | undefined;
  const fromDir = dir
    ? readdirSync(dir)
        .filter((d) => !d.startsWith('.') && statSync(join(dir, d)).isDirectory())
        .sort()
        .map((d) => join(dir, d))
    : [];
  const all = [...files, ...fromDir];
  if (all.length === 0) throw new UsageError('nothing to watch: give -f SOURCE (a directory or gs://BUCKET/PREFIX/) or --stacks-dir DIR');
  return all;
}

/** This Cloud Run task's stacks: every COUNT-th, starting at INDEX (all of them outside a job). */
export function shareOfTasks(sources: string[], env: NodeJS.ProcessEnv): string[] {
  const index = Number(env.CLOUD_RUN_TASK_INDEX ?? 0);
  const count = Number(env.CLOUD_RUN_TASK_COUNT ?? 1);
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
    throw new UsageError(`CLOUD_RUN_TASK_INDEX=${env.CLOUD_RUN_TASK_INDEX} and CLOUD_RUN_TASK_COUNT=${env.CLOUD_RUN_TASK_COUNT} do not make sense together`);
  }
  return [...sources].sort().filter((_, i) => i % count === index);
}

function logFormat(args: ParsedArgs): LogFormat {
  const f = args.flags['log-format'] as string | undefined;
  if (f === 'gcp' || f === 'json' || f === 'text') return f;
  if (f !== undefined) throw new UsageError(`--log-format ${f}: use gcp, json or text`);
  if (process.env.CLOUD_RUN_JOB || process.env.K_SERVICE) return 'gcp';
  return process.stderr.isTTY ? 'text' : 'json';
}
