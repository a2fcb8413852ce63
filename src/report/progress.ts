// Progress of an apply for people: one line per resource as it starts and as it ends, with the
// time it took. On a terminal and off it alike (CI logs want it too), on stderr. A resource still
// in progress says so every 10 s (a Cloud Run rollout can take minutes, and a minute of silence
// looks like a hang): a line on a terminal, an info log line otherwise.
import type { Output } from '../cli/output.js';
import type { ApplyEvent } from '../engine/events.js';
import type { ActionType, PlanAction } from '../engine/plan.js';
import { scrub } from '../gcp/scrub.js';

/** How often a resource still in progress is reported. */
export const STILL_INTERVAL_MS = 10_000;

/** Where "still creating" goes when stderr is not a terminal. */
export interface ProgressLog {
  info(obj: object, msg: string): void;
}

const VERB: Record<ActionType, [string, string]> = {
  create: ['creating', 'created'],
  update: ['updating', 'updated'],
  delete: ['deleting', 'deleted'],
  replace: ['replacing', 'replaced'],
  adopt: ['adopting', 'adopted'],
  abandon: ['abandoning', 'abandoned'],
  noop: ['checking', 'unchanged'],
};

export function progressPrinter(out: Output, log?: ProgressLog, intervalMs = STILL_INTERVAL_MS): (e: ApplyEvent) => void {
  const c = out.color;
  const running = new Map<PlanAction, NodeJS.Timeout>();
  const stop = (a: PlanAction) => {
    clearInterval(running.get(a));
    running.delete(a);
  };
  return (e) => {
    switch (e.type) {
      case 'start': {
        out.err(`  ${e.action.kind}/${e.action.name}: ${VERB[e.action.action][0]}...\n`);
        const started = Date.now();
        const action = e.action;
        const timer = setInterval(() => {
          const elapsed = Math.round((Date.now() - started) / 1000);
          const what = `still ${VERB[action.action][0]}...`;
          if (out.errTerminal) out.err(`  ${action.kind}/${action.name}: ${c.dim(`${what} [${elapsed}s elapsed]`)}\n`);
          else
            log?.info({ resource: `${action.kind}/${action.name}`, elapsedSeconds: elapsed }, `${action.kind}/${action.name}: ${what} [${elapsed}s elapsed]`);
        }, intervalMs);
        timer.unref(); // never what keeps the process alive
        running.set(action, timer);
        break;
      }
      case 'done':
        stop(e.action);
        out.err(`  ${e.action.kind}/${e.action.name}: ${c.green(VERB[e.action.action][1])} ${c.dim(`(${seconds(e.ms)})`)}${e.note ? ` (${e.note})` : ''}\n`);
        break;
      case 'failed':
        stop(e.action);
        out.err(`  ${e.action.kind}/${e.action.name}: ${c.red('failed')} ${c.dim(`after ${seconds(e.ms)}`)}: ${scrub(e.error)}\n`);
        break;
      case 'skipped':
        // A held-back resource is explained once, after the apply.
        out.err(`  ${e.action.kind}/${e.action.name}: ${c.yellow('skipped')}: ${e.action.heldBack ? 'held back (see below)' : e.reason}\n`);
        break;
    }
  };
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
