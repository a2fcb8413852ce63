// observe: read the actual state of every resource the manifests name, one list call per kind and
// scope (project, region), all scopes at once.
import type { Resource } from '../manifest/index.js';
import type { Controller, ControllerContext, Observed } from './controller.js';

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
  controllers: Map<string, Controller>,
  ctx: ControllerContext,
  extraScopes: Array<{ kind: string; scope: string }> = [],
): Promise<ObservedState> {
  const scopes = new Map<string, { controller: Controller; scope: string }>();
  for (const r of resources) {
    const controller = controllerFor(controllers, r.kind);
    const scope = controller.scope(r, ctx);
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
    const o = listed.get(r.kind)?.get(controllerFor(controllers, r.kind).id(r, ctx));
    if (o) byKey.set(r.key, o);
  }
  return { byKey, listed };
}

export function controllerFor(controllers: Map<string, Controller>, kind: string): Controller {
  const c = controllers.get(kind);
  if (!c) throw new Error(`no controller for kind ${kind}`);
  return c;
}
