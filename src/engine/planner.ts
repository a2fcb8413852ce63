// plan: desired state (manifests, references resolved) against observed state, per resource in
// dependency order. Outputs of resources that exist are known; those of resources this apply
// creates are predicted where Google makes them predictable, else "(known after apply)".
// Ownership decides what may happen to a resource that exists: ours is updated, one nobody owns is
// adopted only when asked, one another stack owns is never touched.
import type { Resource } from '../manifest/index.js';
import { schemaRegistry } from '../manifest/schemas.js';
import type { Inventory } from '../state/inventory.js';
import { deletionPolicyOf, wantsAdoption } from './annotations.js';
import { type Controller, type ControllerContext, isUnknown, type Observed, type OutputLookup, unknown } from './controller.js';
import { diffForDisplay, type FieldChange, isPlainObject } from './diff.js';
import { dependenciesOf, topologicalOrder } from './graph.js';
import { controllerFor, type ObservedState } from './observe.js';
import { desiredLabels, ownedBy } from './ownership.js';
import { type ActionContext, type ExecutablePlan, type PlanAction, summarize } from './plan.js';
import { planOrphans } from './prune.js';

export interface PlanOptions {
  /** Delete (or abandon) what the stack owns and the manifests no longer name. */
  prune: boolean;
  /** Take over existing resources nobody owns. */
  adopt: boolean;
  /** Keys ("Kind/name") whose replacement is allowed even though it loses data. */
  allowReplace: Set<string>;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { prune: false, adopt: false, allowReplace: new Set() };

export interface PlanInput {
  resources: Resource[];
  observed: ObservedState;
  controllers: Map<string, Controller>;
  ctx: ControllerContext;
  inventory: Inventory;
  options: PlanOptions;
}

export async function buildPlan(input: PlanInput): Promise<ExecutablePlan> {
  const { resources, observed, controllers, ctx, inventory, options } = input;
  const actions: PlanAction[] = [];
  const context = new Map<string, ActionContext>();
  const creating = new Set<string>();
  const lookup = outputLookup(resources, controllers, ctx, (key) => (creating.has(key) ? undefined : observed.byKey.get(key)));
  const inventoried = new Set(inventory.entries.map((e) => `${e.kind}/${e.name}`));

  for (const r of topologicalOrder(resources)) {
    const controller = controllerFor(controllers, r.kind);
    const actual = observed.byKey.get(r.key);
    const desired = controller.desired(r, ctx, lookup);
    const labels = desiredLabels(r.labels, ctx.stack, controller.hasLabels);
    const base = {
      kind: r.kind,
      name: r.name,
      id: controller.id(r, ctx),
      dependsOn: dependenciesOf(r),
      warnings: controller.planWarnings?.(r, ctx, actual) ?? [],
    };
    context.set(r.key, { resource: r, observed: actual });
    if (!actual) {
      creating.add(r.key);
      actions.push({ ...base, action: 'create', changes: creationChanges(desired, labels) });
      continue;
    }
    const changes = resourceChanges(controller, desired, labels, actual);
    const owner = controller.hasLabels ? ownedBy(actual.labels) : inventoried.has(r.key) ? ctx.stack : undefined;
    if (owner !== undefined && owner !== ctx.stack) {
      actions.push({
        ...base,
        action: 'adopt',
        changes,
        blocked: `it belongs to stack "${owner}" (label musectl-stack); a resource of another stack is never adopted`,
      });
      continue;
    }
    if (owner === undefined && !controller.sharedIdentity) {
      const allowed = options.adopt || wantsAdoption(r);
      actions.push({
        ...base,
        action: 'adopt',
        changes,
        ...(allowed
          ? {}
          : {
              blocked: `it exists in Google Cloud (${base.id}) but this stack did not create it; run with --adopt (or annotate musectl.dev/adopt: "true") to take it over`,
            }),
      });
      continue;
    }
    const immutable = changes.filter((c) => isImmutable(controller.kind, c.path));
    if (immutable.length > 0) {
      creating.add(r.key); // its outputs are new after a replacement
      actions.push(await replacement(r, base, changes, immutable, actual, controller, ctx, options));
      continue;
    }
    actions.push({ ...base, action: changes.length > 0 ? 'update' : 'noop', changes });
  }
  // What a change needs that is not there yet (a secret's value) blocks that change, before any call.
  for (const a of actions) {
    const r = context.get(`${a.kind}/${a.name}`)?.resource;
    if (!r || a.action === 'noop' || a.blocked) continue;
    const why = await controllerFor(controllers, a.kind).planBlocker?.(r, ctx, (key) => (creating.has(key) ? undefined : observed.byKey.get(key)));
    if (why) a.blocked = why;
  }

  const orphans = await planOrphans({ resources, observed, controllers, ctx, inventory, prune: options.prune });
  actions.push(...orphans.actions);
  for (const [key, c] of orphans.context) context.set(key, c);
  return {
    plan: { formatVersion: 1, stack: ctx.stack, project: ctx.project, actions, wouldPrune: orphans.wouldPrune, summary: summarize(actions) },
    context,
  };
}

function isImmutable(kind: string, path: string): boolean {
  const immutable = schemaRegistry().get(kind)?.immutablePaths ?? new Set<string>();
  const pattern = path.replace(/\[\d+\]/g, '[]');
  return [...immutable].some((p) => pattern === p || pattern.startsWith(`${p}.`) || pattern.startsWith(`${p}[`));
}

/** A change Google cannot make in place: delete then create, refused where it would lose data. */
async function replacement(
  r: Resource,
  base: Omit<PlanAction, 'action' | 'changes'>,
  changes: FieldChange[],
  immutable: FieldChange[],
  actual: Observed,
  controller: Controller,
  ctx: ControllerContext,
  options: PlanOptions,
): Promise<PlanAction> {
  const fields = immutable.map((c) => c.path).join(', ');
  const held = await controller.dataHeld?.(ctx, actual);
  const holds = held && held.count > 0 ? `${held.count}${held.more ? '+' : ''} ${held.noun}` : undefined;
  const impact = `${fields} cannot change in place: ${r.key} will be deleted and created again${holds ? `, losing the ${holds} it holds` : ''}`;
  const policy = deletionPolicyOf(r, controller);
  let blocked: string | undefined;
  if (!options.allowReplace.has(r.key) && (holds || policy === 'abandon')) {
    const why = holds ? `it holds ${holds}` : 'its deletion policy is abandon';
    blocked = `replacing it is refused because ${why}; run with --allow-replace ${r.key} to replace it anyway`;
  }
  return { ...base, action: 'replace', changes, impact, ...(blocked ? { blocked } : {}) };
}

/** Field changes of an existing resource: its spec and, where the kind has them, its labels. */
export function resourceChanges(controller: Controller, desired: Record<string, any>, labels: Record<string, string>, actual: Observed): FieldChange[] {
  const maps = schemaRegistry().get(controller.kind)?.mapPaths ?? new Set<string>();
  const changes = diffForDisplay(desired, actual.spec, (s) => controller.normalize(s), { isMap: (p) => maps.has(p) });
  if (controller.hasLabels) changes.push(...labelChanges(labels, actual.labels));
  return changes;
}

function labelChanges(desired: Record<string, string>, actual: Record<string, string>): FieldChange[] {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(desired)])].sort();
  return keys.filter((k) => desired[k] !== actual[k]).map((k) => ({ path: `labels.${k}`, before: actual[k], after: desired[k] }));
}

/** A create shows every field it sets, down to the leaves (lists of scalars stay whole). */
function creationChanges(desired: Record<string, any>, labels: Record<string, string>): FieldChange[] {
  const changes: FieldChange[] = [];
  const walk = (v: unknown, path: string): void => {
    if (isUnknown(v) || v === undefined) {
      if (v !== undefined) changes.push({ path, before: undefined, after: v });
    } else if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    } else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    } else if (!(Array.isArray(v) && v.length === 0)) {
      changes.push({ path, before: undefined, after: v });
    }
  };
  walk(desired, '');
  for (const [k, v] of Object.entries(labels).sort()) changes.push({ path: `labels.${k}`, before: undefined, after: v });
  return changes;
}

/**
 * Resolves `outputRef`s: the referenced resource's observed outputs when it exists (and is not
 * being recreated), its predictable outputs otherwise, else Unknown.
 */
export function outputLookup(
  resources: Resource[],
  controllers: Map<string, Controller>,
  ctx: ControllerContext,
  existing: (key: string) => Observed | undefined,
): OutputLookup {
  const byKey = new Map(resources.map((r) => [r.key, r]));
  return (kind, name, output) => {
    const key = `${kind}/${name}`;
    const value = existing(key)?.outputs[output];
    if (value !== undefined) return value;
    const r = byKey.get(key);
    const predicted = r ? controllerFor(controllers, kind).predictOutputs(r, ctx)[output] : undefined;
    return predicted ?? unknown(`${key}.${output}`);
  };
}
