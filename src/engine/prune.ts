// Resources this stack owns that the manifests no longer name: from the inventory, and from the
// stack's labels on what observe listed (so a lost inventory still finds labelled ones). With
// --prune they are deleted (or abandoned, by their deletion policy) in reverse dependency order;
// without, the plan lists them as "would prune".

import { type ControllerContext, type ControllerRegistry, controllerFor, holdsData, idOf, isLabelled, type Observed } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import { entryKey, type Inventory, type InventoryEntry } from '../state/inventory.js';
import type { ObservedState } from './observe.js';
import { ownedBy } from './ownership.js';
import type { ActionContext, Orphan, PlanAction } from './plan.js';

export interface OrphanInput {
  resources: Resource[];
  observed: ObservedState;
  controllers: ControllerRegistry;
  ctx: ControllerContext;
  inventory: Inventory;
  prune: boolean;
}

export async function planOrphans(input: OrphanInput): Promise<{ actions: PlanAction[]; context: Map<string, ActionContext>; wouldPrune: Orphan[] }> {
  const { resources, observed, controllers, ctx, inventory, prune } = input;
  const inManifests = new Set(resources.map((r) => r.key));
  const idsInManifests = new Set(resources.map((r) => `${r.kind}|${idOf(controllerFor(controllers, r.kind), r, ctx)}`));
  const orphans = new Map<string, { entry: InventoryEntry; observed: Observed }>();

  for (const entry of inventory.entries) {
    const key = entryKey(entry);
    if (inManifests.has(key)) continue;
    const found = observed.listed.get(entry.kind)?.get(entry.id);
    if (!found) continue; // already gone: the inventory forgets it after apply
    const controller = controllerFor(controllers, entry.kind);
    // A labelled resource relabelled for another stack is no longer ours, whatever the inventory says.
    if (isLabelled(controller) && ownedBy(found.labels) !== ctx.stack) continue;
    orphans.set(key, { entry, observed: found });
  }
  for (const [kind, listed] of observed.listed) {
    const controller = controllerFor(controllers, kind);
    if (!isLabelled(controller)) continue;
    for (const [id, found] of listed) {
      if (ownedBy(found.labels) !== ctx.stack || idsInManifests.has(`${kind}|${id}`)) continue;
      const name = id.split('/').pop() ?? id;
      const key = `${kind}/${name}`;
      if (orphans.has(key) || inManifests.has(key)) continue;
      const entry: InventoryEntry = { kind, name, id, scope: '', dependsOn: [], deletionPolicy: controller.facts.deletionPolicy };
      orphans.set(key, { entry, observed: found });
    }
  }

  if (!prune) {
    const wouldPrune = [...orphans.values()].map(({ entry }) => ({ kind: entry.kind, name: entry.name, id: entry.id, deletionPolicy: entry.deletionPolicy }));
    return { actions: [], context: new Map(), wouldPrune };
  }

  // Reverse dependencies: whatever depended on an orphan goes (or changes) first.
  const dependents = new Map<string, string[]>();
  for (const e of inventory.entries) for (const d of e.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), entryKey(e)]);

  const actions: PlanAction[] = [];
  const context = new Map<string, ActionContext>();
  for (const [key, { entry, observed: found }] of orphans) {
    const controller = controllerFor(controllers, entry.kind);
    const base = { kind: entry.kind, name: entry.name, id: entry.id, dependsOn: dependents.get(key) ?? [], changes: [], warnings: [] as string[] };
    context.set(key, { observed: found, orphan: entry });
    if (entry.deletionPolicy === 'abandon') {
      actions.push({
        ...base,
        action: 'abandon',
        impact: `${key} stays in Google Cloud; musectl stops managing it${isLabelled(controller) ? ' and removes its ownership labels' : ''}`,
      });
      continue;
    }
    const held = holdsData(controller) ? await controller.dataHeld(ctx, found) : undefined;
    const holds = held && held.count > 0 ? `${held.count}${held.more ? '+' : ''} ${held.noun}` : undefined;
    if (holds && !entry.forceDestroy) {
      actions.push({
        ...base,
        action: 'noop',
        warnings: [
          `would be pruned, but it holds ${holds}: it stays (empty it, or set musectl.dev/force-destroy: "true" on its manifest and apply before removing the manifest)`,
        ],
      });
      continue;
    }
    actions.push({ ...base, action: 'delete', impact: holds ? `deletes ${key} with the ${holds} it holds (force-destroy)` : `deletes ${key}` });
  }
  return { actions, context, wouldPrune: [] };
}
