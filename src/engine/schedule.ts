// Which action apply starts first when more are ready than `--parallelism` allows: the one with
// the longest way to go after it starts (list scheduling by critical path). A Cloud Run service
// whose rollout, and then its dependents' rollouts, take minutes, or one of ten bucket creates that
// Cloud Storage takes one per 2 s, should not wait behind a hundred quick grants that nothing waits
// for. Ties go in plan order. Only the order changes: dependencies, the parallelism bound and the
// rate limits hold as before.
import { type ControllerContext, type ControllerRegistry, controllerFor, isBatched, scopeOf } from '../contract/controller.js';
import { DEFAULT_QUOTAS, type QuotaKey, type QuotaSpec } from '../gcp/rate-limit.js';
import { type ActionContext, actionKey, type PlanAction } from './plan.js';

/**
 * Nominal costs, for ordering only (the real ones vary by API and day): a call, and a long-running
 * operation (a Cloud Run rollout or an API enable takes seconds to minutes; gcp-api-facts.md section 1).
 */
export const NOMINAL_CALL_MS = 100;
export const NOMINAL_OPERATION_MS = 10_000;

/** The quota a write of this action counts against, where it is known from the kind's facts. */
function writeQuota(
  action: PlanAction,
  c: ActionContext | undefined,
  controllers: ControllerRegistry,
  ctx: ControllerContext,
): { key: QuotaKey; scope: string } | undefined {
  const controller = controllerFor(controllers, action.kind);
  const quotas = controller.facts.quotas;
  if (!quotas || isBatched(controller)) return undefined; // a grant is written through its resource's API
  const scope = c?.resource ? scopeOf(controller, c.resource, ctx) : `projects/${ctx.project}`;
  const createsOrDeletes = action.action === 'create' || action.action === 'delete' || action.action === 'replace';
  if (quotas.createDelete && createsOrDeletes) return { key: quotas.createDelete, scope };
  // A kind whose creates have a quota of their own limits updates per resource (Cloud Storage:
  // one metadata update a second per bucket, gcp-api-facts.md section 2).
  return { key: quotas.write, scope: quotas.createDelete ? action.id : scope };
}

/** An action apply never starts: a no-op (nothing to do) or one held back (skipped, with its dependents). */
const startsNothing = (a: PlanAction): boolean => a.action === 'noop' || Boolean(a.heldBack);

/** How long the calls beyond the quota's burst take at its steady rate. */
function quotaFloorMs(calls: number, spec: QuotaSpec): number {
  return Math.max(0, calls - (spec.burst ?? spec.perMinute)) * (60_000 / spec.perMinute);
}

/**
 * Each action's priority (key: actionKey): its own nominal cost, plus the time its quota needs for
 * all of this plan's writes to it, plus the largest priority among the actions that wait for it.
 */
export function startPriorities(
  actions: PlanAction[],
  context: Map<string, ActionContext>,
  controllers: ControllerRegistry,
  ctx: ControllerContext,
  quotas: Record<string, QuotaSpec> = DEFAULT_QUOTAS,
): Map<string, number> {
  const byKey = new Map(actions.map((a) => [actionKey(a), a]));
  const quotaOf = new Map<string, { id: string; spec: QuotaSpec }>();
  const writes = new Map<string, number>();
  // The writes this apply makes to each quota: a no-op and a held-back action make none.
  for (const a of actions) {
    if (startsNothing(a)) continue;
    const q = writeQuota(a, context.get(actionKey(a)), controllers, ctx);
    if (!q || !quotas[q.key]) continue;
    const id = `${q.key}|${q.scope}`;
    quotaOf.set(actionKey(a), { id, spec: quotas[q.key] });
    writes.set(id, (writes.get(id) ?? 0) + 1);
  }
  const own = (a: PlanAction): number => {
    if (a.action === 'noop') return 0;
    const controller = controllerFor(controllers, a.kind);
    const operation = controller.facts.longRunning && a.action !== 'abandon' && !isBatched(controller) ? NOMINAL_OPERATION_MS : 0;
    const q = quotaOf.get(actionKey(a));
    const floor = q ? quotaFloorMs(writes.get(q.id)!, q.spec) : 0;
    return NOMINAL_CALL_MS + operation + floor;
  };

  // What waits for an action. A no-op waits for nothing (apply.ts starts what depends on it at
  // once), so nothing waits through it: a Cloud Run service left as it is does not make the secret
  // it reads, which changes, as urgent as the front end that changes and needs that service's URL.
  // Nor does anything wait through a held-back action: it and what depends on it are skipped.
  const dependents = new Map<string, string[]>();
  for (const a of actions) {
    if (startsNothing(a)) continue;
    for (const d of a.dependsOn) {
      if (!byKey.has(d)) continue;
      const list = dependents.get(d);
      if (list) list.push(actionKey(a));
      else dependents.set(d, [actionKey(a)]);
    }
  }
  const priority = new Map<string, number>();
  const visit = (key: string): number => {
    const known = priority.get(key);
    if (known !== undefined) return known;
    priority.set(key, 0); // the graph has no cycles (validated); this only stops a recursion
    const after = Math.max(0, ...(dependents.get(key) ?? []).map(visit));
    const p = own(byKey.get(key)!) + after;
    priority.set(key, p);
    return p;
  };
  for (const key of byKey.keys()) visit(key);
  return priority;
}
