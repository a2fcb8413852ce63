// Keeping the inventory true around an apply. Before: every resource about to be created, adopted
// or moved is written as pending (a crash mid-apply still knows it may be ours; a move keeps the
// old resource as `previous`). After: what was done is recorded with the evidence Google returned
// (uid, creation time), pending entries are resolved (confirmed when the resource exists and the
// manifest still names it, dropped otherwise), and what was deleted, abandoned, found gone or found
// not to be ours is forgotten. Each entry keeps its resource's outputs, and the inventory the
// Stack's named outputs, as they are after the apply (what `musectl output` prints).
import { type AnyController, type ControllerContext, type ControllerRegistry, controllerFor, type Observed } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import type { StackOutput } from '../manifest/stack.js';
import { entryKey, type InventoryEntry, type InventoryStore } from '../state/inventory.js';
import { deletionPolicyOf, forceDestroyOf } from './annotations.js';
import type { ApplyResult } from './apply.js';
import { stackOutputValues, withValues } from './outputs.js';
import { actionKey, type ExecutablePlan } from './plan.js';

function entryFor(r: Resource, controller: AnyController, ctx: ControllerContext, dependsOn: string[], live?: Observed): InventoryEntry {
  const { id, scope } = controller.identify(r, ctx);
  return {
    kind: r.kind,
    name: r.name,
    id,
    scope,
    dependsOn,
    deletionPolicy: deletionPolicyOf(r, controller),
    ...(forceDestroyOf(r) ? { forceDestroy: true } : {}),
    ...(live?.evidence ? { evidence: live.evidence } : {}),
    ...(r.nameTemplate ? { nameTemplate: r.nameTemplate } : {}),
    ...(Object.keys(withValues(live?.outputs)).length > 0 ? { outputs: withValues(live?.outputs) } : {}),
  };
}

export async function recordIntent(store: InventoryStore, exec: ExecutablePlan, controllers: ControllerRegistry, ctx: ControllerContext): Promise<void> {
  const intents = exec.plan.actions.filter((a) => !a.heldBack && (a.action === 'create' || a.action === 'adopt' || a.action === 'replace'));
  if (intents.length === 0) return;
  await store.update((entries) => {
    for (const a of intents) {
      const key = actionKey(a);
      const c = exec.context.get(key);
      const r = c?.resource;
      if (!r) continue;
      const known = entries.get(key);
      const old = c.replaced;
      if (old) {
        // A move: the new resource is pending, the old one stays known until it is removed.
        const from = known ?? (c.movedFrom ? entries.get(c.movedFrom) : undefined);
        const previous = known?.previous ?? (from ? { id: from.id, scope: from.scope, ...(from.evidence ? { evidence: from.evidence } : {}) } : undefined);
        entries.set(key, { ...entryFor(r, controllerFor(controllers, r.kind), ctx, a.dependsOn), pending: true, ...(previous ? { previous } : {}) });
        continue;
      }
      if (!known) entries.set(key, { ...entryFor(r, controllerFor(controllers, r.kind), ctx, a.dependsOn), pending: true });
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
  stack: { outputs: Record<string, StackOutput>; document?: unknown } = { outputs: {} },
  projectNumber?: string,
): Promise<void> {
  const done = new Set(result.done.map(actionKey));
  const edit = (entries: Map<string, InventoryEntry>): void => {
    for (const a of exec.plan.actions) {
      const key = actionKey(a);
      const c = exec.context.get(key);
      if ((a.action === 'delete' || a.action === 'abandon') && done.has(key)) {
        entries.delete(key);
        continue;
      }
      if (c?.forget && !c.resource) {
        entries.delete(key);
        continue;
      }
      const r = c?.resource;
      if (!r) continue;
      const controller = controllerFor(controllers, r.kind);
      // A manifest renamed (musectl.dev/renamed-from) or moved from a name made from variables:
      // the old name's entry is what is known of it until this run records it under the new name.
      const known = entries.get(key) ?? (c.movedFrom ? entries.get(c.movedFrom) : undefined);
      const live = result.live.get(key) ?? c.observed;
      // The same resource as before (updated, unchanged, renamed) keeps the evidence recorded when
      // it was made; a created, adopted or replaced one is recorded with its own.
      const same = (a.action === 'update' || a.action === 'noop') && known?.evidence;
      const kept = same ? { evidence: { ...live?.evidence, ...known.evidence } } : {};
      if (a.heldBack) {
        // Not ours by the evidence: an entry that pointed at it stood for a resource that is gone.
        if (known && !known.pending && a.action === 'adopt') entries.delete(key);
        continue;
      }
      // Shared state (a grant, an API) that was already there when we came is not ours to remove later.
      if (controller.facts.sharedIdentity && !known && a.action !== 'create') continue;
      if (done.has(key)) {
        entries.set(key, { ...entryFor(r, controller, ctx, a.dependsOn, live), ...kept });
        if (c.movedFrom) entries.delete(c.movedFrom); // the old name's entry: its resource is removed, abandoned or renamed
      } else if (a.action === 'noop') {
        // Unchanged: confirms a pending entry, and records evidence an older entry lacks.
        entries.set(key, { ...entryFor(r, controller, ctx, a.dependsOn, live), ...kept });
        if (c.movedFrom) entries.delete(c.movedFrom);
      }
      // A failed create stays pending: the resource may or may not exist; the next run finds out.
    }
    for (const key of vanished) entries.delete(key);
  };
  await store.update(edit, (entries) => ({
    outputs: stackOutputValues(stack.outputs, (key) => entries.get(key)?.outputs),
    // Applied with its Stack document: a later run without it is one file of the stack.
    ...(stack.document ? { stackDocument: true } : {}),
    ...(projectNumber ? { projectNumber } : {}),
  }));
}

/** Inventory entries that the manifests no longer name and that observe found gone (pending or not): to forget. */
export function vanishedEntries(entries: InventoryEntry[], exists: (e: InventoryEntry) => boolean, inManifests: Set<string>): string[] {
  return entries.filter((e) => !inManifests.has(entryKey(e)) && !exists(e)).map(entryKey);
}
