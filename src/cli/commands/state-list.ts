// musectl state list: what the stack owns, from its inventory: each resource's Google id, what a
// prune would do with it, whether its create was confirmed, and the evidence that it is the one
// the stack made. Reads only the inventory (no resource in Google Cloud).
import type { InventoryEntry } from '../../state/inventory.js';
import { entryKey } from '../../state/inventory.js';
import { type Command, UsageError } from '../command.js';
import { stateFlags, underStackLease } from './state-common.js';

/** How an entry stands: confirmed, pending (a create never answered), or in the middle of a move. */
function status(e: InventoryEntry): string {
  if (e.pending) return e.previous ? `pending (moving from ${e.previous.id})` : 'pending';
  return 'confirmed';
}

const evidenceText = (e: InventoryEntry): string =>
  e.evidence && Object.keys(e.evidence).length > 0
    ? Object.entries(e.evidence)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '(none)';

const prunePolicy = (e: InventoryEntry): string => (e.forceDestroy ? `${e.deletionPolicy} (force-destroy)` : e.deletionPolicy);

export const stateListCommand: Command = {
  name: 'state list',
  summary: 'List what the stack owns: Google id, deletion policy, pending, evidence',
  usage: 'musectl state list -f PATH... (--project ID | --emulator URL) [--state DIR|gs://B/P] [-o text|json]',
  details: `
One line per resource in the stack's inventory: Kind/name, its Google id, what a prune does with it
(delete or abandon), whether its create was confirmed (pending: the create was never answered;
the next apply finds out) and the evidence that it is the resource the stack made (a uid, a
creation time). Resources the manifests no longer name are marked: plan lists them as "would prune".`,
  flags: {
    ...stateFlags,
    output: { type: 'string', short: 'o', value: 'FORMAT', description: 'text or json', default: 'text', values: ['text', 'json'] },
  },
  async run(args, out) {
    const format = args.flags.output as string;
    if (format !== 'text' && format !== 'json') throw new UsageError(`-o ${format}: use text or json`);
    return underStackLease(args, out, 'state list', async (session) => {
      const inv = await session.inventory.load();
      const named = new Set(session.set.resources.map((r) => r.key));
      if (format === 'json') {
        const entries = inv.entries.map((e) => ({ ...e, inManifests: named.has(entryKey(e)) }));
        out.out(`${JSON.stringify({ stack: inv.stack, project: inv.project, state: session.inventory.describe(), updated: inv.updated, entries }, null, 2)}\n`);
        return 0;
      }
      out.err(
        out.color.dim(`Stack ${session.ctx.stack} of project ${session.ctx.project}: ${inv.entries.length} resources in ${session.inventory.describe()}\n`),
      );
      if (inv.entries.length === 0) {
        out.err('The inventory is empty: the stack owns nothing yet (or this is not its --state).\n');
        return 0;
      }
      // The Google id last: a grant's is long, and the other columns stay readable.
      const rows = inv.entries.map((e) => [
        entryKey(e),
        prunePolicy(e),
        `${status(e)}${named.has(entryKey(e)) ? '' : ', not in the manifests'}`,
        evidenceText(e),
        e.id,
      ]);
      out.out(table(['RESOURCE', 'ON PRUNE', 'STATUS', 'EVIDENCE', 'GOOGLE ID'], rows));
      return 0;
    });
  },
};

/** Columns padded to their widest cell; the last one is not padded. */
function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return `${all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n')}\n`;
}
