// observe: read the actual state of every resource the manifests name, one list call per kind and
// scope (project, region), all scopes at once. Reads about one resource (its IAM policy, a secret's
// latest value) go in the same round when the inventory says the resource exists, and wait for its
// kind's list otherwise (so nothing is asked about a resource that is not there).

import { type AnyController, type ControllerContext, type ControllerRegistry, controllerFor, idOf, type Observed, scopeOf } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import type { InventoryEntry } from '../state/inventory.js';

export interface ObservedState {
  /** Actual state by resource key ("Kind/name"), for the resources that exist. */
  byKey: Map<string, Observed>;
  /** Everything listed, by kind and Google id (prune and adoption look here). */
  listed: Map<string, Map<string, Observed>>;
}

type KnownEntry = Pick<InventoryEntry, 'kind' | 'scope'> & Partial<Pick<InventoryEntry, 'id' | 'pending'>>;

/**
 * Reads every scope the manifests use, and the scopes of `inventory`'s entries (where resources
 * the manifests dropped live, so prune can find them). An entry that is not pending is a resource
 * the stack made and confirmed: reads about it start at once.
 */
export async function observeAll(
  resources: Resource[],
  controllers: ControllerRegistry,
  ctx: ControllerContext,
  inventory: KnownEntry[] = [],
): Promise<ObservedState> {
  const scopes = new Map<string, { controller: AnyController; scope: string }>();
  for (const r of resources) {
    const controller = controllerFor(controllers, r.kind);
    const scope = scopeOf(controller, r, ctx);
    scopes.set(`${r.kind}|${scope}`, { controller, scope });
  }
  for (const { kind, scope } of inventory) {
    const controller = controllers.get(kind);
    if (controller && scope) scopes.set(`${kind}|${scope}`, { controller, scope });
  }
  const known = new Set(inventory.filter((e) => e.id && !e.pending).map((e) => `${e.kind}|${e.id}`));
  const ids = resources.map((r) => idOf(controllerFor(controllers, r.kind), r, ctx));
  const named = new Set(resources.map((r, i) => `${r.kind}|${ids[i]}`));
  const listed = new Map<string, Map<string, Observed>>();
  const byScope = new Map<string, Promise<void>>();
  const kindListed = new Map<string, Promise<void>>();
  const observing: ControllerContext = {
    ...ctx,
    observing: { exists, resources: (kind) => resources.filter((r) => r.kind === kind) },
  };
  function exists(kind: string, id: string): true | Promise<boolean> {
    if (known.has(`${kind}|${id}`)) return true;
    const done = kindListed.get(kind);
    // Not one of the stack's resources (an external one, perhaps in a scope not listed here):
    // nothing here tells, so the read goes ahead (a missing resource answers "none" itself).
    if (!done || !named.has(`${kind}|${id}`)) return true;
    return done.then(() => listed.get(kind)?.has(id) ?? false);
  }
  for (const [key, { controller, scope }] of scopes) {
    byScope.set(
      key,
      (async () => {
        await undefined; // every kind's list is known to exists() before the first observe asks
        const found = await controller.observe(observing, scope);
        const all = listed.get(controller.kind) ?? new Map<string, Observed>();
        for (const [id, o] of found) all.set(id, o);
        listed.set(controller.kind, all);
      })(),
    );
  }
  for (const kind of new Set([...scopes.values()].map((s) => s.controller.kind))) {
    const done = Promise.all([...scopes].filter(([, s]) => s.controller.kind === kind).map(([key]) => byScope.get(key)!)).then(() => undefined);
    done.catch(() => undefined); // a failed list is reported by the Promise.all below, once
    kindListed.set(kind, done);
  }
  await Promise.all(byScope.values());
  const byKey = new Map<string, Observed>();
  resources.forEach((r, i) => {
    const o = listed.get(r.kind)?.get(ids[i]);
    if (o) byKey.set(r.key, o);
  });
  return { byKey, listed };
}
