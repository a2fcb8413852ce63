// musectl status (alias get): how every resource of the stack is doing, from the same list calls as
// a plan: ready, degraded, progressing, drifted, missing, not ours, orphaned; Cloud Run's serving
// revision and traffic; when it last changed and by whom, where the API says. Exit 0 when all is
// ready and in sync, 2 otherwise (a script can wait on it); --watch refreshes until interrupted.
import { DEFAULT_PLAN_OPTIONS } from '../../engine/planner.js';
import { observeAndPlan } from '../../engine/session.js';
import { stackStatus, watcherReport } from '../../engine/status.js';
import { renderStatusJson, renderStatusText } from '../../report/status.js';
import { WatcherStatusStore } from '../../state/watcher-status.js';
import { type Command, UsageError } from '../command.js';
import { printWarnings, targetFlags } from '../engine-flags.js';
import { sessionFromArgs } from '../session-args.js';
import { manifestFlags } from '../stack-flags.js';
import { durationFlag } from './apply.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show how each resource of the stack is doing: ready, degraded, drifted, missing... (alias: get)',
  usage: 'musectl status -f PATH... (--project ID | --emulator URL) [-o text|json] [--watch [--interval 10s]]',
  details: `
One row per resource of the stack (the manifests' and what the stack owns that they no longer
name), read with the same list calls as a plan:
  ready        exists, is the stack's, matches the manifests, and Google says it is healthy
  degraded     Google says it is not serving as asked (a Cloud Run revision that failed)
  progressing  a change is rolling out
  drifted      differs from the manifests (DRIFT counts the fields; plan shows them)
  missing      not in Google Cloud
  not ours     exists, but the stack cannot prove it made it (see "Ownership" in the README)
  orphaned     the stack owns it, the manifests no longer name it (apply --prune removes it)
with each resource's URL (or email, or name), Cloud Run's serving revision and traffic, and the
last change and by whom where the API says. When a watcher runs (musectl watch, or the stack's
scheduled watcher job), its last cycle follows: when, how long, the drift it found and corrected,
with a warning when that cycle is older than two intervals (the watcher is not running) or failed.
It changes nothing and takes no lock.
Exit status: 0 when every resource is ready, 2 otherwise, 1 on errors (the watcher's health warns
and does not change it). --watch refreshes every
--interval until Ctrl-C, then exits with the last refresh's status.`,
  flags: {
    ...manifestFlags,
    ...targetFlags,
    state: { type: 'string', value: 'DIR|gs://B/P', description: 'Where the stack keeps its inventory (default: .musectl/state beside the Stack document)' },
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'text or json', default: 'text' },
    watch: { type: 'boolean', short: 'w', description: 'Refresh every --interval until interrupted' },
    interval: { type: 'string', value: 'DURATION', description: 'Time between refreshes with --watch', default: '10s' },
  },
  async run(args, out) {
    const format = String(args.flags.output);
    if (format !== 'text' && format !== 'json') throw new UsageError(`-o ${format}: use text or json`);
    const intervalMs = durationFlag(args, 'interval');
    if (intervalMs <= 0) throw new UsageError('--interval must be longer than 0');
    const session = await sessionFromArgs(args, out);
    if (typeof session === 'number') return session;
    const stopper = new Stopper();
    try {
      out.err(out.color.dim(`State: ${session.inventory.describe()}\n`));
      printWarnings(session.set, out);
      let code = 0;
      for (let refresh = 0; ; refresh++) {
        const status = stackStatus(await observeAndPlan(session, DEFAULT_PLAN_OPTIONS), session.controllers);
        const watcher = await new WatcherStatusStore(session.store, session.who).read();
        if (watcher) status.watcher = watcherReport(watcher, Date.now());
        code = status.inSync ? 0 : 2;
        const text = format === 'json' ? renderStatusJson(status) : renderStatusText(status, out.color);
        // On a terminal a refresh replaces the last one; in a log they follow each other, stamped.
        if (args.flags.watch && out.interactive) out.out(`\u001b[2J\u001b[H${text}`);
        else if (args.flags.watch && format === 'text') out.out(`${refresh > 0 ? '\n' : ''}${out.color.dim(`-- ${new Date().toISOString()}`)}\n${text}`);
        else out.out(text);
        if (!args.flags.watch || !(await stopper.sleep(intervalMs))) return code;
      }
    } finally {
      stopper.stop();
      await session.close();
    }
  },
};

/** Ctrl-C or SIGTERM ends a --watch at its next pause (a refresh in flight finishes). */
class Stopper {
  private stopped = false;
  private wake?: () => void;
  private readonly handler = () => {
    this.stopped = true;
    this.wake?.();
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** Waits `ms`; false when interrupted (before or during the wait). */
  async sleep(ms: number): Promise<boolean> {
    if (this.stopped) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return !this.stopped;
  }

  stop(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}
