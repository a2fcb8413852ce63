// musectl destroy: the prune machinery with every resource the stack's inventory lists as an
// orphan. What the stack owns (by the inventory's evidence) is removed by its deletion policy, in
// reverse dependency order (grants before the accounts and services they name, services before
// their accounts, the API last); what holds data or is shared is abandoned (buckets, secrets,
// APIs). A kind whose removal affects the whole project (disabling an API) stays unless asked,
// whatever its deletion policy. Nothing the inventory does not list is touched. The plan is
// plain data; apply runs it through the one pipeline, which leaves the inventory empty.
import { type ControllerRegistry, controllerFor } from '../contract/controller.js';
import { entryKey, type Inventory, type InventoryEntry } from '../state/inventory.js';
import { observeAll } from './observe.js';
import { type ExecutablePlan, summarize } from './plan.js';
import { planOrphans } from './prune.js';
import type { Planned, Session } from './session.js';
import { selectForDestroy, type Targeting } from './targeting.js';

export interface DestroyOptions extends Partial<Targeting> {
  /** Disable the APIs the stack enabled (kinds with KindFacts.projectWide): off by default. */
  disableApis: boolean;
}

/** The destroy plan: every inventoried resource, removed or abandoned by its policy. */
export async function planDestroy(session: Session, opts: DestroyOptions): Promise<Planned> {
  const { controllers, ctx } = session;
  const loaded = await session.inventory.load();
  const inventory: Inventory = { ...loaded, entries: loaded.entries.filter((e) => controllers.has(e.kind)).map((e) => policyFor(e, controllers, opts)) };
  // --target and --exclude: what stays (targeting.ts turns the directions around for destroy).
  const { keep, partial } = selectForDestroy(inventory, { targets: opts.targets ?? [], excludes: opts.excludes ?? [] });
  const only = partial ? new Set(inventory.entries.map(entryKey).filter((k) => !keep.has(k))) : undefined;
  // Only where the inventory's resources live: the manifests name nothing that destroy removes.
  const observed = await observeAll([], controllers, ctx, inventory.entries);
  const orphans = await planOrphans({
    resources: [],
    observed,
    controllers,
    ctx,
    inventory,
    // An explicit destroy is not the mistaken empty -f the mass-prune guard is for.
    options: { prune: true, allowPruneAll: true },
    movedFrom: new Set(),
    named: new Map(),
    only,
  });
  const exec: ExecutablePlan = {
    plan: {
      formatVersion: 1,
      stack: ctx.stack,
      project: ctx.project,
      actions: orphans.actions,
      wouldPrune: [],
      summary: summarize(orphans.actions),
      ...(partial ? { partial } : {}),
    },
    context: orphans.context,
  };
  return { observed, exec, inventory: loaded, named: new Set() };
}

/** A project-wide kind (an API) is abandoned unless --disable-apis, then deleted (disabled). */
function policyFor(e: InventoryEntry, controllers: ControllerRegistry, opts: DestroyOptions): InventoryEntry {
  if (!controllerFor(controllers, e.kind).facts.projectWide) return e;
  return { ...e, deletionPolicy: opts.disableApis ? 'delete' : 'abandon' };
}
