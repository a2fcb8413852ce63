// Resources this stack owns that the manifests no longer name, from the inventory only (labels
// alone never make a resource prunable). One is pruned only when its entry is confirmed (not a
// create that was never answered) and the live resource still matches the evidence recorded when
// the stack made it; otherwise the plan says why it is left alone and apply forgets the entry.
// With --prune they are deleted (or abandoned, by their deletion policy) in reverse dependency
// order; without, the plan lists them as "would prune". A prune that would remove (nearly)
// everything the stack owns is refused unless asked for: an empty -f is a mistake more often than
// a wish (`musectl destroy` is the way to remove a stack).
import {
  type AnyController,
  type ControllerContext,
  type ControllerRegistry,
  controllerFor,
  holdsData,
  isLabelled,
  type Observed,
} from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import { entryKey, type Inventory, type InventoryEntry } from '../state/inventory.js';
import type { ObservedState } from './observe.js';
import { evidenceDifference, matchesEvidence, ownedBy } from './ownership.js';
import type { ActionContext, Orphan, PlanAction } from './plan.js';
import type { PlanOptions } from './planner.js';

export interface OrphanInput {
  resources: Resource[];
  observed: ObservedState;
  controllers: ControllerRegistry;
  ctx: ControllerContext;
  inventory: Inventory;
  options: Pick<PlanOptions, 'prune' | 'allowPruneAll'>;
  /** Resources ("Kind|id") a manifest moves away from (its old name or place): not orphans. */
  movedFrom: Set<string>;
  /** The Google resources the manifests name ("Kind|id" -> "Kind/name"): one of them is never pruned. */
  named: Map<string, string>;
  /** Keys the manifests name when `resources` is only part of them (a targeted run): not orphans either. */
  inManifests?: Set<string>;
  /** A partial run considers only these entries (those its --target names); the rest it did not include. */
  only?: Set<string>;
}

/** A prune that removes at least this share of what the stack owns (and two or more) is refused without --allow-prune-all. */
const MASS_PRUNE_SHARE = 0.9;

export async function planOrphans(input: OrphanInput): Promise<{ actions: PlanAction[]; context: Map<string, ActionContext>; wouldPrune: Orphan[] }> {
  const { resources, observed, controllers, ctx, inventory, options, movedFrom, named } = input;
  const inManifests = input.inManifests ?? new Set(resources.map((r) => r.key));
  const actions: PlanAction[] = [];
  const context = new Map<string, ActionContext>();
  const orphans: Array<{ entry: InventoryEntry; observed: Observed }> = [];

  for (const entry of inventory.entries) {
    const key = entryKey(entry);
    if (inManifests.has(key) || movedFrom.has(`${entry.kind}|${entry.id}`) || (input.only && !input.only.has(key))) continue;
    const found = observed.listed.get(entry.kind)?.get(entry.id);
    if (!found) continue; // already gone: the inventory forgets it after apply
    const controller = controllerFor(controllers, entry.kind);
    // A manifest renamed without saying so (a grant's metadata.name changed): the same Google
    // resource under a new name. Pruning the old name would remove what the new one wants.
    const namer = named.get(`${entry.kind}|${entry.id}`);
    if (namer) {
      const warning = `no longer in the manifests, but ${namer} names the same Google resource, so it is kept; to record the rename, annotate ${namer} with musectl.dev/renamed-from: ${entry.name} (or run musectl state mv ${key} ${namer})`;
      actions.push({ kind: entry.kind, name: entry.name, id: entry.id, action: 'noop', dependsOn: [], changes: [], warnings: [warning] });
      context.set(key, { observed: found, orphan: entry });
      continue;
    }
    const leftAlone = whyNotOurs(entry, found, isLabelled(controller), ctx.stack);
    if (leftAlone) {
      const warning = `no longer in the manifests, but left alone: ${leftAlone}; apply forgets it`;
      actions.push({ kind: entry.kind, name: entry.name, id: entry.id, action: 'noop', dependsOn: [], changes: [], warnings: [warning] });
      context.set(key, { observed: found, orphan: entry, forget: true });
      continue;
    }
    orphans.push({ entry, observed: found });
  }

  // A bucket that holds objects is kept by a prune (unless force-destroy): it is not "would prune".
  const kept = new Map<string, string>();
  for (const { entry, observed: found } of orphans) {
    const controller = controllerFor(controllers, entry.kind);
    if (entry.deletionPolicy !== 'delete' || entry.forceDestroy || !holdsData(controller)) continue;
    const held = await controller.dataHeld(ctx, found);
    if (held && held.count > 0) kept.set(entryKey(entry), `${held.count}${held.more ? '+' : ''} ${held.noun}`);
  }

  if (!options.prune) {
    for (const { entry, observed: found } of orphans) {
      const holds = kept.get(entryKey(entry));
      if (!holds) continue;
      actions.push({ kind: entry.kind, name: entry.name, id: entry.id, action: 'noop', dependsOn: [], changes: [], warnings: [keptWarning(holds)] });
      context.set(entryKey(entry), { observed: found, orphan: entry });
    }
    const wouldPrune = orphans
      .filter(({ entry }) => !kept.has(entryKey(entry)))
      .map(({ entry }) => ({ kind: entry.kind, name: entry.name, id: entry.id, deletionPolicy: entry.deletionPolicy }));
    return { actions, context, wouldPrune };
  }

  // Reverse dependencies: whatever depended on an orphan goes (or changes) first.
  const dependents = new Map<string, string[]>();
  for (const e of inventory.entries) for (const d of e.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), entryKey(e)]);

  const owned = inventory.entries.filter((e) => !e.pending).length;
  const mass = massPrune(orphans.length, owned, inManifests.size, options.allowPruneAll);
  for (const { entry, observed: found } of orphans) {
    const key = entryKey(entry);
    const controller = controllerFor(controllers, entry.kind);
    const base = { kind: entry.kind, name: entry.name, id: entry.id, dependsOn: dependents.get(key) ?? [], changes: [], warnings: [] as string[] };
    context.set(key, { observed: found, orphan: entry });
    const blocked = mass ? { blocked: mass } : {};
    if (entry.deletionPolicy === 'abandon') {
      const impact = `${key} stays in Google Cloud; musectl stops managing it${isLabelled(controller) ? ' and removes its ownership labels' : ''}`;
      actions.push({ ...base, action: 'abandon', impact, ...blocked });
      continue;
    }
    const holds = kept.get(key) ?? (entry.forceDestroy ? await heldBy(controller, ctx, found) : undefined);
    if (holds && !entry.forceDestroy) {
      actions.push({ ...base, action: 'noop', warnings: [keptWarning(holds)] });
      continue;
    }
    // A plain delete needs no impact line (the action says it); one that takes data with it does.
    actions.push({ ...base, action: 'delete', ...(holds ? { impact: `deletes ${key} with the ${holds} it holds (force-destroy)` } : {}), ...blocked });
  }
  return { actions, context, wouldPrune: [] };
}

const keptWarning = (holds: string): string =>
  `would be pruned, but it holds ${holds}: it stays (empty it, or set musectl.dev/force-destroy: "true" on its manifest and apply before removing the manifest)`;

async function heldBy(controller: AnyController, ctx: ControllerContext, found: Observed): Promise<string | undefined> {
  const held = holdsData(controller) ? await controller.dataHeld(ctx, found) : undefined;
  return held && held.count > 0 ? `${held.count}${held.more ? '+' : ''} ${held.noun}` : undefined;
}

/** Why an inventoried resource is not provably the stack's any more, or undefined when it is. */
function whyNotOurs(entry: InventoryEntry, live: Observed, labelled: boolean, stack: string): string | undefined {
  if (entry.pending) return "this stack's create of it was never confirmed (a create that failed or was interrupted), so it may not be the stack's";
  if (!matchesEvidence(entry, live)) return `it is not the one this stack created (${evidenceDifference(entry, live)})`;
  // A labelled resource relabelled for another stack is no longer ours, whatever the inventory says.
  const owner = labelled ? ownedBy(live.labels) : undefined;
  if (owner !== undefined && owner !== stack) return `it now carries the labels of stack "${owner}"`;
  return undefined;
}

/** The refusal of a prune that would remove (nearly) everything the stack owns, or undefined. */
function massPrune(pruning: number, owned: number, named: number, allowed: boolean | undefined): string | undefined {
  if (allowed || pruning === 0) return undefined;
  const all = named === 0 || (pruning >= 2 && pruning >= MASS_PRUNE_SHARE * owned);
  if (!all) return undefined;
  return (
    `the prune would remove ${pruning} of the ${owned} resources the stack owns (the manifests name ${named}): is -f pointing at the whole stack? ` +
    'Run with --allow-prune-all if you mean it, or use musectl destroy to remove a stack'
  );
}
