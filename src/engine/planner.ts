// plan: desired state (manifests, references resolved) against observed state, per resource in
// dependency order. Outputs of resources that exist are known; those of resources this apply
// creates are predicted where Google makes them predictable, else "(known after apply)".
import type { Resource } from '../manifest/index.js';
import { schemaRegistry } from '../manifest/schemas.js';
import { isUnknown, unknown, type Controller, type ControllerContext, type Observed, type OutputLookup } from './controller.js';
import { diffForDisplay, type FieldChange } from './diff.js';
import { dependenciesOf, topologicalOrder } from './graph.js';
import { controllerFor, type ObservedState } from './observe.js';
import { desiredLabels } from './ownership.js';
import { summarize, type ActionContext, type ExecutablePlan, type PlanAction } from './plan.js';

export interface PlanInput {
  resources: Resource[];
  observed: ObservedState;
  controllers: Map<string, Controller>;
  ctx: ControllerContext;
}

export function buildPlan(input: PlanInput): ExecutablePlan {
  const { resources, observed, controllers, ctx } = input;
  const actions: PlanAction[] = [];
  const context = new Map<string, ActionContext>();
  const creating = new Set<string>();
  const lookup = outputLookup(resources, controllers, ctx, (key) => (creating.has(key) ? undefined : observed.byKey.get(key)));

  for (const r of topologicalOrder(resources)) {
    const controller = controllerFor(controllers, r.kind);
    const actual = observed.byKey.get(r.key);
    const desired = controller.desired(r, ctx, lookup);
    const labels = desiredLabels(r.labels, ctx.stack, controller.hasLabels);
    const base = { kind: r.kind, name: r.name, id: controller.id(r, ctx), dependsOn: dependenciesOf(r), warnings: controller.planWarnings?.(r, ctx) ?? [] };
    if (!actual) {
      creating.add(r.key);
      actions.push({ ...base, action: 'create', changes: creationChanges(desired, labels) });
    } else {
      const changes = resourceChanges(controller, desired, labels, actual);
      actions.push({ ...base, action: changes.length > 0 ? 'update' : 'noop', changes });
    }
    context.set(r.key, { resource: r, observed: actual });
  }
  return { plan: { formatVersion: 1, stack: ctx.stack, project: ctx.project, actions, summary: summarize(actions) }, context };
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
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
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

export { isUnknown };
