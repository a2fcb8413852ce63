// observe: read the actual state of every resource the manifests name, one list call per kind and
// scope (project, region), all scopes at once.

import { type AnyController, type ControllerContext, type ControllerRegistry, controllerFor, idOf, type Observed, scopeOf } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';

export interface ObservedState {
  /** Actual state by resource key ("Kind/name"), for the resources that exist. */
  byKey: Map<string, Observed>;
  /** Everything listed, by kind and Google id (prune and adoption look here). */
  listed: Map<string, Map<string, Observed>>;
}

/**
 * Reads every scope the manifests use, and `extraScopes` (where resources the inventory knows but
 * the manifests dropped live, so prune can find them).
 */
export async function observeAll(
  resources: Resource[],
  controllers: ControllerRegistry,
  ctx: ControllerContext,
  extraScopes: Array<{ kind: string; scope: string }> = [],
): Promise<ObservedState> {
  const scopes = new Map<string, { controller: AnyController; scope: string }>();
  for (const r of resources) {
    const controller = controllerFor(controllers, r.kind);
    const scope = scopeOf(controller, r, ctx);
    scopes.set(`${r.kind}|${scope}`, { controller, scope });
  }
  for (const { kind, scope } of extraScopes) {
    const controller = controllers.get(kind);
    if (controller && scope) scopes.set(`${kind}|${scope}`, { controller, scope });
  }
  const listed = new Map<string, Map<string, Observed>>();
  await Promise.all(
    [...scopes.values()].map(async ({ controller, scope }) => {
      const found = await controller.observe(ctx, scope);
      const all = listed.get(controller.kind) ?? new Map<string, Observed>();
      for (const [id, o] of found) all.set(id, o);
      listed.set(controller.kind, all);
    }),
  );
  const byKey = new Map<string, Observed>();
  for (const r of resources) {
    const o = listed.get(r.kind)?.get(idOf(controllerFor(controllers, r.kind), r, ctx));
    if (o) byKey.set(r.key, o);
  }
  return { byKey, listed };
}
