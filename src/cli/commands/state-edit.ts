// musectl state rm and state mv: edit the stack's inventory by hand. rm forgets a resource and
// leaves it in Google Cloud (without musectl's ownership labels, so anyone may take it over); mv
// gives an entry a new manifest name, keeping its Google id and evidence, so a renamed manifest
// is the same resource and nothing is replaced (the musectl.dev/renamed-from annotation does the
// same within an apply).
import { controllerFor, idOf, isLabelled } from '../../contract/controller.js';
import { abandon as removeOwnershipLabels } from '../../engine/apply.js';
import { matchesEvidence, ownedBy } from '../../engine/ownership.js';
import type { Session } from '../../engine/session.js';
import { UserError } from '../../errors.js';
import { didYouMean } from '../../manifest/suggest.js';
import { entryKey, type InventoryEntry } from '../../state/inventory.js';
import type { Lease } from '../../state/lease.js';
import { type Command, UsageError } from '../command.js';
import { confirm } from '../confirm.js';
import type { Output } from '../output.js';
import { stateFlags, underStackLease } from './state-common.js';

/** A Kind/name argument, checked for its form. */
function resourceKey(arg: string, what: string): { kind: string; name: string; key: string } {
  const m = /^([A-Z][A-Za-z]+)\/(.+)$/.exec(arg);
  if (!m) throw new UsageError(`${what} ${arg}: expected KIND/NAME, e.g. IAMPolicyMember/frontend-public`);
  return { kind: m[1], name: m[2], key: arg };
}

/** The inventory entry of `key`, or an error naming the closest keys there are. */
function entryOf(entries: InventoryEntry[], key: string, session: Session): InventoryEntry {
  const found = entries.find((e) => entryKey(e) === key);
  if (found) return found;
  throw new UserError(
    `${key} is not in the inventory of stack ${session.ctx.stack} (${session.inventory.describe()})${didYouMean(key, entries.map(entryKey))}`,
    'List what it holds with: musectl state list -f PATH',
  );
}

export const stateRemoveCommand: Command = {
  name: 'state rm',
  summary: 'Forget resources: the stack stops owning them, they stay in Google Cloud',
  usage: 'musectl state rm KIND/NAME... -f PATH... (--project ID | --emulator URL) [--state DIR|gs://B/P] [--yes] [--keep-labels]',
  details: `
Drops each resource from the stack's inventory; nothing is deleted. A resource that carries
musectl's ownership labels (managed-by, musectl-stack) has them removed, so another stack (or a
person) can take it over; --keep-labels leaves them. Remove its manifest too: a manifest that still
names it makes the next plan treat it as a resource the stack did not create (held back until
apply --adopt; a grant or an API is taken as it is, without being recorded).`,
  flags: {
    ...stateFlags,
    yes: { type: 'boolean', short: 'y', description: 'Forget without asking' },
    'keep-labels': { type: 'boolean', description: "Leave musectl's ownership labels on the resources" },
  },
  positionals: true,
  positionalValues: 'resources',
  async run(args, out) {
    if (args.positionals.length === 0) throw new UsageError('name the resources to forget: musectl state rm KIND/NAME...');
    const keys = args.positionals.map((p) => resourceKey(p, 'state rm').key);
    return underStackLease(args, out, 'state rm', async (session, lease) => {
      const inv = await session.inventory.load();
      const entries = keys.map((k) => entryOf(inv.entries, k, session));
      for (const e of entries) out.err(`Forget ${entryKey(e)} (${e.id}); it stays in Google Cloud.\n`);
      const yes = await confirm(out, { yes: Boolean(args.flags.yes), what: 'state rm', question: 'Forget these resources?', review: 'Check the list above' });
      if (!yes) {
        out.err('Nothing was changed.\n');
        return 1;
      }
      if (!args.flags['keep-labels']) await unlabel(session, lease, entries, out);
      lease.check();
      await session.inventory.update((all) => {
        for (const e of entries) all.delete(entryKey(e));
      });
      for (const e of entries) {
        const still = session.set.resources.find((r) => r.key === entryKey(e));
        const where = still ? `${still.doc.file}` : '';
        out.err(
          `Forgot ${entryKey(e)}.${still ? ` Its manifest is still in ${where}: remove it, or the next plan treats it as a resource the stack did not create.` : ''}\n`,
        );
      }
      return 0;
    });
  },
};

/**
 * Takes musectl's ownership labels off each resource that still carries this stack's and is the
 * one the stack made (by its evidence); a resource already gone, relabelled or replaced is left alone.
 */
async function unlabel(session: Session, lease: Lease, entries: InventoryEntry[], out: Output): Promise<void> {
  const { ctx, controllers } = session;
  for (const e of entries) {
    const controller = controllerFor(controllers, e.kind);
    if (!isLabelled(controller)) continue;
    const live = (await controller.observe(ctx, e.scope)).get(e.id);
    if (!live || !matchesEvidence(e, live) || ownedBy(live.labels) !== ctx.stack) continue;
    lease.check();
    await removeOwnershipLabels(controller, live, ctx);
    out.err(out.color.dim(`Removed the ownership labels of ${entryKey(e)}.\n`));
  }
}

export const stateMoveCommand: Command = {
  name: 'state mv',
  summary: 'Give an inventory entry a new manifest name (the same Google resource, no replacement)',
  usage: 'musectl state mv KIND/OLD KIND/NEW -f PATH... (--project ID | --emulator URL) [--state DIR|gs://B/P]',
  details: `
For a manifest whose metadata.name changed while it still names the same Google resource (a
grant, an API): the entry of KIND/OLD becomes KIND/NEW, with its Google id, deletion policy and
evidence, so the next plan neither prunes the old name nor treats the new one as someone else's.
The annotation musectl.dev/renamed-from: OLD on the renamed manifest does the same during apply.`,
  flags: stateFlags,
  positionals: true,
  positionalValues: 'resources',
  async run(args, out) {
    if (args.positionals.length !== 2) throw new UsageError('state mv takes two arguments: KIND/OLD KIND/NEW');
    const from = resourceKey(args.positionals[0], 'state mv');
    const to = resourceKey(args.positionals[1], 'state mv');
    if (from.kind !== to.kind) throw new UsageError(`state mv ${from.key} ${to.key}: the kind stays the same (a rename changes only the name)`);
    if (from.key === to.key) throw new UsageError(`state mv ${from.key} ${to.key}: the names are the same`);
    return underStackLease(args, out, 'state mv', async (session, lease) => {
      const inv = await session.inventory.load();
      const old = entryOf(inv.entries, from.key, session);
      if (inv.entries.some((e) => entryKey(e) === to.key)) {
        throw new UserError(`${to.key} is in the inventory already: state mv never merges two entries`, `Forget one first: musectl state rm ${to.key}`);
      }
      lease.check();
      await session.inventory.update((all) => {
        all.delete(from.key);
        all.set(to.key, { ...old, name: to.name, nameTemplate: undefined });
        // What depended on the old name (the order prune deletes in) now depends on the new one.
        for (const e of all.values()) if (e.dependsOn.includes(from.key)) e.dependsOn = e.dependsOn.map((d) => (d === from.key ? to.key : d));
      });
      out.err(`Moved ${from.key} to ${to.key} (${old.id}).\n`);
      out.err(afterMove(session, to.key, old.id));
      return 0;
    });
  },
};

/** What the next plan makes of a moved entry, when it is not simply the manifest of the new name. */
function afterMove(session: Session, key: string, id: string): string {
  const idOfManifest = (r: Session['set']['resources'][number]) => idOf(controllerFor(session.controllers, r.kind), r, session.ctx);
  const manifest = session.set.resources.find((r) => r.key === key);
  if (manifest) {
    const now = idOfManifest(manifest);
    return now === id ? '' : `The manifest ${key} names ${now}, not ${id}: the next plan replaces the one by the other.\n`;
  }
  const namer = session.set.resources.find((r) => r.kind === key.split('/')[0] && idOfManifest(r) === id);
  if (namer) return `${key} is not in the manifests, but ${namer.key} names the same resource: musectl state mv ${key} ${namer.key} gives it that name.\n`;
  return `${key} is not in the manifests: the next plan lists it as would prune.\n`;
}
