// Progress of an apply for people: one line per resource as it starts and as it ends, with the
// time it took. On a terminal and off it alike (CI logs want it too), on stderr.
import type { Output } from '../cli/output.js';
import type { ApplyEvent } from '../engine/events.js';
import type { ActionType } from '../engine/plan.js';

const VERB: Record<ActionType, [string, string]> = {
  create: ['creating', 'created'],
  update: ['updating', 'updated'],
  delete: ['deleting', 'deleted'],
  replace: ['replacing', 'replaced'],
  adopt: ['adopting', 'adopted'],
  abandon: ['abandoning', 'abandoned'],
  noop: ['checking', 'unchanged'],
};

export function progressPrinter(out: Output): (e: ApplyEvent) => void {
  const c = out.color;
  return (e) => {
    switch (e.type) {
      case 'start':
        out.err(`  ${e.action.kind}/${e.action.name}: ${VERB[e.action.action][0]}...\n`);
        break;
      case 'done':
        out.err(`  ${e.action.kind}/${e.action.name}: ${c.green(VERB[e.action.action][1])} ${c.dim(`(${seconds(e.ms)})`)}${e.note ? ` (${e.note})` : ''}\n`);
        break;
      case 'failed':
        out.err(`  ${e.action.kind}/${e.action.name}: ${c.red('failed')} ${c.dim(`after ${seconds(e.ms)}`)}: ${e.error}\n`);
        break;
      case 'skipped':
        // A held-back resource is explained once, after the apply.
        out.err(`  ${e.action.kind}/${e.action.name}: ${c.yellow('skipped')}: ${e.action.heldBack ? 'held back (see below)' : e.reason}\n`);
        break;
      case 'wait':
        out.err(`  ${e.action.kind}/${e.action.name}: ${e.message}\n`);
        break;
      case 'retry':
        break; // logged at info level; a retry is routine
    }
  };
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
