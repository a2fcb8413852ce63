// Keeping the inventory true around an apply: before, every resource about to be created or
// adopted is written as pending (a crash mid-apply still knows it is ours); after, what was done
// is recorded and what was deleted, abandoned or has vanished is forgotten.

import { type AnyController, type ControllerContext, type ControllerRegistry, controllerFor } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import { entryKey, type InventoryEntry, type InventoryStore } from '../state/inventory.js';
import { deletionPolicyOf, forceDestroyOf } from './annotations.js';
import type { ApplyResult } from './apply.js';
import { actionKey, type ExecutablePlan } from './plan.js';

function entryFor(r: Resource, controller: AnyController, ctx: ControllerContext, dependsOn: string[]): InventoryEntry {
  const { id, scope } = controller.identify(r, ctx);
  return {
    kind: r.kind,
    name: r.name,
    id,
    scope,
    dependsOn,
    deletionPolicy: deletionPolicyOf(r, controller),
    ...(forceDestroyOf(r) ? { forceDestroy: true } : {}),
  };
}

export async function recordIntent(store: InventoryStore, exec: ExecutablePlan, controllers: ControllerRegistry, ctx: ControllerContext): Promise<void> {
  const intents = exec.plan.actions.filter((a) => a.action === 'create' || a.action === 'adopt' || a.action === 'replace');
  if (intents.length === 0) return;
  await store.update((entries) => {
    for (const a of intents) {
      const r = exec.context.get(actionKey(a))?.resource;
      if (!r) continue;
      const key = actionKey(a);
      if (!entries.has(key)) entries.set(key, { ...entryFor(r, controllerFor(controllers, r.kind), ctx, a.dependsOn), pending: true });
    }
  });
}

export async function recordOutcome(
  store: InventoryStore,
  exec: ExecutablePlan,
  result: ApplyResult,
  controllers: ControllerRegistry,
  ctx: ControllerContext,
  vanished: string[],
): Promise<void> {
  const done = new Set(result.done.map(actionKey));
  const failed = new Set(result.failed.map((f) => actionKey(f.action)));
  await store.update((entries) => {
    for (const a of exec.plan.actions) {
      const key = actionKey(a);
      const r = exec.context.get(key)?.resource;
      if ((a.action === 'delete' || a.action === 'abandon') && done.has(key)) {
        entries.delete(key);
        continue;
      }
      if (!r) continue;
      const controller = controllerFor(controllers, r.kind);
      const known = entries.get(key);
      // Shared state (a grant, an API) that was already there when we came is not ours to remove later.
      if (controller.facts.sharedIdentity && !known && a.action !== 'create') continue;
      if (a.action === 'noop' || done.has(key)) entries.set(key, entryFor(r, controller, ctx, a.dependsOn));
      else if (failed.has(key) && known?.pending) continue; // may or may not exist: the next plan finds out
    }
    for (const key of vanished) if (!entries.get(key)?.pending) entries.delete(key);
  });
}

/** Inventory entries that the manifests still name or that observe found gone: to forget. */
export function vanishedEntries(entries: InventoryEntry[], exists: (e: InventoryEntry) => boolean, inManifests: Set<string>): string[] {
  return entries.filter((e) => !inManifests.has(entryKey(e)) && !exists(e)).map(entryKey);
}
