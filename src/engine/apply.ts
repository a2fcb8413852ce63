// apply: runs a plan in dependency order, as many actions at once as the graph and `parallelism`
// allow. An action starts when everything it depends on succeeded; when one fails, the actions
// that depend on it are skipped and every independent branch still finishes, so a rerun converges.
// When more are ready than slots are free, the one with the longest way to go starts first
// (schedule.ts); an action waiting for a quota token or an operation gives its slot up meanwhile
// (slots.ts, waiting-room.ts).

import {
  type AnyController,
  type BatchItem,
  type ControllerContext,
  type ControllerRegistry,
  controllerFor,
  isBatched,
  isLabelled,
  type Observed,
  scopeOf,
} from '../contract/controller.js';
import { hasUnknowns, setAt, valueAt } from '../contract/spec.js';
import { UserError } from '../errors.js';
import { errorMessage, isAlreadyExists } from '../gcp/errors.js';
import { waitingRoom } from '../gcp/waiting-room.js';
import type { Resource } from '../manifest/index.js';
import type { ApplyListener } from './events.js';
import { desiredLabels, MANAGED_BY_LABEL, ownedBy, STACK_LABEL } from './ownership.js';
import { actionKey, blockers, type ExecutablePlan, type PlanAction } from './plan.js';
import { outputLookup, resourceChanges } from './planner.js';
import { startPriorities } from './schedule.js';
import { ActionSlot, Slots } from './slots.js';

export interface ApplyOptions {
  parallelism: number;
  listener: ApplyListener;
  /** The stack's lease: an action does not start once it is lost (another writer took over). */
  lease?: { check(): void };
  /** Actions not to attempt this time, with why (a resource backing off after failures). */
  skip?: Map<string, string>;
  /** Checked before each action starts: once true (SIGTERM), what has not started is left for later. */
  shouldStop?: () => boolean;
}

export interface ApplyResult {
  done: PlanAction[];
  failed: Array<{ action: PlanAction; error: string }>;
  skipped: Array<{ action: PlanAction; reason: string }>;
  /** What Google holds after the apply, by key (what each done action returned; the observed state otherwise). */
  live: Map<string, Observed>;
}

export async function applyPlan(exec: ExecutablePlan, controllers: ControllerRegistry, given: ControllerContext, opts: ApplyOptions): Promise<ApplyResult> {
  const { plan, context } = exec;
  /** Resources this apply created ("Kind|id"): a grant's policy write may know their policy is still empty. */
  const created = new Set<string>();
  const ctx: ControllerContext = { ...given, createdHere: (kind, id) => created.has(`${kind}|${id}`) };
  const made = (action: PlanAction, o: Observed): Observed => {
    created.add(`${action.kind}|${action.id}`);
    return o;
  };
  const refused = blockers(plan);
  if (refused.length > 0) throw new UserError(`the plan cannot be applied: ${refused.join('; ')}`);
  const live = new Map<string, Observed>(); // state after this apply, by key
  const result: ApplyResult = { done: [], failed: [], skipped: [], live };
  for (const [key, c] of context) if (c.observed) live.set(key, c.observed);
  const resources = [...context.values()].flatMap((c) => (c.resource ? [c.resource] : []));
  const lookup = outputLookup(resources, controllers, ctx, (key) => live.get(key));

  const outcome = new Map<string, Promise<boolean>>();
  const byKey = new Map(plan.actions.map((a) => [actionKey(a), a]));
  const slots = new Slots(opts.parallelism);
  const priority = startPriorities(plan.actions, context, controllers, ctx);
  const priorityOf = (actions: PlanAction[]): number => Math.max(...actions.map((a) => priority.get(actionKey(a)) ?? 0));

  /** The first dependency that did not apply, once all of them have finished. */
  const failedDependency = async (action: PlanAction): Promise<string | undefined> => {
    const deps = action.dependsOn.filter((d) => byKey.has(d));
    const ok = await Promise.all(deps.map((d) => run(byKey.get(d)!)));
    return deps.find((_, i) => !ok[i]);
  };

  /** Once the lease is lost (reported by the action that found it), nothing else starts. */
  let leaseLost: string | undefined;
  const skip = (actions: PlanAction[], reason: string): false => {
    for (const action of actions) {
      result.skipped.push({ action, reason });
      opts.listener({ type: 'skipped', action, reason });
    }
    return false;
  };

  /** Runs `work` for `actions` in one slot, reporting start, done or failure for each. */
  const attempt = async (actions: PlanAction[], work: () => Promise<string | undefined>): Promise<boolean> => {
    await slots.acquire(priorityOf(actions));
    // Checked again once a slot is free: a stop (SIGTERM) or a lost lease while waiting for it
    // means this action does not start.
    if (opts.shouldStop?.()) {
      slots.release();
      return skip(actions, 'not attempted: stopping');
    }
    if (leaseLost) {
      slots.release();
      return skip(actions, `not attempted: ${leaseLost}`);
    }
    try {
      opts.lease?.check();
    } catch (err) {
      slots.release();
      leaseLost = "the stack's lock was lost";
      for (const action of actions) {
        result.failed.push({ action, error: (err as Error).message });
        opts.listener({ type: 'failed', action, ms: 0, error: (err as Error).message });
      }
      return false;
    }
    const started = Date.now();
    for (const action of actions) opts.listener({ type: 'start', action });
    const slot = new ActionSlot(slots);
    try {
      const note = await waitingRoom.run(slot, work);
      for (const action of actions) {
        result.done.push(action);
        opts.listener({ type: 'done', action, ms: Date.now() - started, note });
      }
      return true;
    } catch (err) {
      const error = err instanceof UserError ? err.message : errorMessage(err);
      for (const action of actions) {
        result.failed.push({ action, error });
        opts.listener({ type: 'failed', action, ms: Date.now() - started, error });
      }
      return false;
    } finally {
      await slot.done();
    }
  };

  const batches = new Map<string, Batch>();
  for (const action of plan.actions) {
    const key = batchKeyOf(action);
    if (!key) continue;
    let b = batches.get(key);
    if (!b) batches.set(key, (b = new Batch((ready) => attempt(ready, () => executeBatch(ready)))));
    b.expect(action);
  }

  const run = (action: PlanAction): Promise<boolean> => {
    const key = actionKey(action);
    const known = outcome.get(key);
    if (known !== undefined) return known;
    const p = (async () => {
      if (action.action === 'noop') return true; // nothing to do, whatever happens to its dependencies
      const failedDep = await failedDependency(action);
      const batch = batches.get(batchKeyOf(action) ?? '');
      const held =
        (action.heldBack ? `held back: ${action.heldBack}` : undefined) ?? opts.skip?.get(key) ?? (opts.shouldStop?.() ? 'not attempted: stopping' : undefined);
      if (failedDep || held) {
        const reason = held ?? `not attempted: it depends on ${failedDep}, which did not apply`;
        result.skipped.push({ action, reason });
        opts.listener({ type: 'skipped', action, reason });
        void batch?.arrive(action, false);
        return false;
      }
      if (batch) return batch.arrive(action, true);
      return attempt([action], () => execute(action));
    })();
    outcome.set(key, p);
    return p;
  };

  function batchKeyOf(action: PlanAction): string | undefined {
    const controller = controllerFor(controllers, action.kind);
    if (!isBatched(controller) || action.action === 'noop') return undefined;
    const c = context.get(actionKey(action));
    return `${action.kind}|${controller.batchKey(c?.resource, c?.observed, ctx)}`;
  }

  /** One write for several actions of a kind that batches (IAM members of one policy). */
  const executeBatch = async (actions: PlanAction[]): Promise<undefined> => {
    const controller = controllerFor(controllers, actions[0].kind);
    if (!isBatched(controller)) throw new Error(`${controller.kind} does not batch`);
    const items: BatchItem[] = actions.map((a) => {
      const c = context.get(actionKey(a)) ?? {};
      const desired = c.resource ? controller.desired(c.resource, ctx, lookup) : undefined;
      if (desired && hasUnknowns(desired)) throw new Error(`${actionKey(a)}: a referenced output is still unknown after its resource was applied`);
      const action = a.action === 'delete' ? 'delete' : a.action === 'create' || a.action === 'replace' ? 'create' : 'update';
      return { action, resource: c.resource, observed: c.observed, desired, ...(c.replaced ? { replaces: c.replaced } : {}) };
    });
    const written = await controller.applyBatch(ctx, items);
    items.forEach((item, i) => {
      const o = written.get(item);
      if (o) live.set(actionKey(actions[i]), o);
      else live.delete(actionKey(actions[i]));
    });
    return undefined;
  };

  const execute = async (action: PlanAction): Promise<string | undefined> => {
    const key = actionKey(action);
    const { resource, observed, orphan } = context.get(key) ?? {};
    const controller = controllerFor(controllers, action.kind);
    if (action.action === 'delete') {
      if (observed) await controller.delete(ctx, observed, { force: Boolean(orphan?.forceDestroy) });
      live.delete(key);
      return undefined;
    }
    if (action.action === 'abandon') {
      if (observed) await abandon(controller, observed, ctx);
      live.delete(key);
      return undefined;
    }
    if (!resource) throw new Error(`plan action ${key} has no manifest`);
    // Re-resolved now: outputs of resources created earlier in this apply are known by now.
    const desired = controller.desired(resource, ctx, lookup);
    if (hasUnknowns(desired)) throw new Error(`${key}: a referenced output is still unknown after its resource was applied`);
    const labels = desiredLabels(resource.labels, ctx.stack, isLabelled(controller));
    // Fields whose drift is only reported keep the value Google has.
    for (const path of context.get(key)?.preserve ?? []) {
      if (!observed) continue;
      if (path.startsWith('labels.')) {
        const k = path.slice('labels.'.length);
        if (observed.labels[k] === undefined) delete labels[k];
        else labels[k] = observed.labels[k];
      } else {
        setAt(desired, path, valueAt(observed.spec, path));
      }
    }
    if (action.action === 'create') {
      try {
        live.set(key, made(action, await controller.create(ctx, resource, desired, labels)));
        return undefined;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        // Someone (or our own earlier attempt, whose answer was lost) created it meanwhile.
        const existing = (await controller.observe(ctx, scopeOf(controller, resource, ctx))).get(action.id);
        if (!existing) throw err;
        live.set(key, await adoptRaced(controller, resource, desired, labels, existing, ctx));
        return "it already existed, and was this stack's or identical: adopted";
      }
    }
    if (action.action === 'replace') {
      const { replaced, force } = context.get(key) ?? {};
      if (replaced && action.replaces) {
        // A move: the new one first, so what depends on it never points at nothing; then the old one.
        live.set(key, made(action, await controller.create(ctx, resource, desired, labels)));
        if (action.replaces.then === 'abandon') await abandon(controller, replaced, ctx);
        else await controller.delete(ctx, replaced, { force: Boolean(force) });
        return undefined;
      }
      // Allowed by the plan (--allow-replace, or nothing is lost): what it holds goes with it.
      await controller.delete(ctx, observed!, { force: true });
      live.set(key, made(action, await controller.create(ctx, resource, desired, labels)));
      return undefined;
    }
    // The progress line already says "adopted": a note says only what the verb does not.
    if (action.action === 'adopt' && !isLabelled(controller) && action.changes.length === 0) return 'nothing to change; recorded in the inventory';
    live.set(key, await controller.update(ctx, resource, desired, labels, observed!));
    return undefined;
  };

  await Promise.all(plan.actions.map(run));
  return result;
}

/** Left in place; without our labels a later plan no longer counts it as this stack's. */
export async function abandon(controller: AnyController, observed: Observed, ctx: ControllerContext): Promise<void> {
  if (!isLabelled(controller)) return;
  const { [MANAGED_BY_LABEL]: _m, [STACK_LABEL]: _s, ...rest } = observed.labels;
  await controller.setLabels(ctx, observed, rest);
}

/** A 409 on create: take the existing resource only if it is ours or already what we want. */
async function adoptRaced(
  controller: AnyController,
  resource: Resource,
  desired: Record<string, any>,
  labels: Record<string, string>,
  existing: Observed,
  ctx: ControllerContext,
): Promise<Observed> {
  const changes = resourceChanges(controller, desired, labels, existing);
  const ours = isLabelled(controller) ? ownedBy(existing.labels) === ctx.stack : false;
  if (changes.length === 0) return existing;
  if (ours) return controller.update(ctx, resource, desired, labels, existing);
  throw new UserError(
    `${resource.key} already exists in Google Cloud (${existing.id}), differs from the manifest and is not managed by this stack`,
    'Delete it in Google Cloud or give the manifest another name.',
  );
}

/**
 * Actions written together: the write happens once every expected action has arrived (ready, or
 * skipped because a dependency failed), for the ready ones.
 */
class Batch {
  private readonly expected = new Set<PlanAction>();
  private readonly ready: PlanAction[] = [];
  private arrived = 0;
  private resolve!: (ok: boolean) => void;
  private readonly outcome = new Promise<boolean>((r) => (this.resolve = r));

  constructor(private readonly write: (ready: PlanAction[]) => Promise<boolean>) {}

  expect(action: PlanAction): void {
    this.expected.add(action);
  }

  async arrive(action: PlanAction, ready: boolean): Promise<boolean> {
    if (ready) this.ready.push(action);
    if (++this.arrived === this.expected.size) {
      this.resolve(this.ready.length > 0 ? await this.write(this.ready) : true);
    }
    return ready ? this.outcome : false;
  }
}
