// plan: desired state (manifests, references resolved) against observed state, per resource in
// dependency order. Outputs of resources that exist are known; those of resources this apply
// creates are predicted where Google makes them predictable, else "(known after apply)".
// Identity is the Google resource name: a manifest that now names another Google resource (a
// grant's member, a service's region, a name from a variable) replaces the old one in the same
// plan. Ownership needs evidence (ownership.ts): ours is updated, one nobody can prove is ours is
// adopted only when asked, one another stack owns is never touched; either holds back only itself.
import {
  type AnyController,
  type ControllerContext,
  type ControllerRegistry,
  controllerFor,
  idOf,
  isContained,
  isGrant,
  isLabelled,
  normalized,
  type Observed,
  type OutputLookup,
  predictedOutputs,
} from '../contract/controller.js';
import { isPlainObject, isUnknown, pathPattern, unknown } from '../contract/spec.js';
import type { Resource } from '../manifest/index.js';
import { schemaRegistry } from '../manifest/schemas.js';
import { entryKey, type Inventory, type InventoryEntry } from '../state/inventory.js';
import { renamedFromOf, wantsAdoption } from './annotations.js';
import { diffForDisplay, type FieldChange } from './diff.js';
import { type DriftMode, underDriftPolicy } from './drift.js';
import { dependenciesOf, topologicalOrder } from './graph.js';
import type { ObservedState } from './observe.js';
import { desiredLabels, matchesEvidence, ownershipOf } from './ownership.js';
import { type ActionContext, actionKey, type ExecutablePlan, type PartialRun, type PlanAction, summarize } from './plan.js';
import { planOrphans } from './prune.js';
import { movedReplacement, sameIdReplacement } from './replacement.js';

export interface PlanOptions {
  /** Delete (or abandon) what the stack owns and the manifests no longer name. */
  prune: boolean;
  /** Which drift is corrected and which only reported (watch); plan and apply enforce everything. */
  drift?: DriftMode;
  /** Take over existing resources nobody owns. */
  adopt: boolean;
  /** Keys ("Kind/name") whose replacement is allowed even though it loses data. */
  allowReplace: Set<string>;
  /** Let a prune remove (nearly) everything the stack owns: refused otherwise, as a mistake. */
  allowPruneAll?: boolean;
  /** Act only on these ("Kind/name") and what they need (--target). */
  targets?: string[];
  /** Leave these out, with what depends on them (--exclude). */
  excludes?: string[];
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { prune: false, adopt: false, allowReplace: new Set() };

export interface PlanInput {
  resources: Resource[];
  observed: ObservedState;
  controllers: ControllerRegistry;
  ctx: ControllerContext;
  inventory: Inventory;
  /** Where the inventory is, for messages. */
  inventoryAt: string;
  /** Resources other stacks' inventories in the same store claim ("Kind|id" -> stack), read only when needed. */
  claims?: () => Promise<Map<string, string>>;
  options: PlanOptions;
  /** A run on part of the stack (targeting.ts): the keys the manifests name, the orphans it may consider, and why. */
  partial?: { named: Set<string>; orphanScope?: Set<string>; run: PartialRun };
}

export async function buildPlan(input: PlanInput): Promise<ExecutablePlan> {
  const { resources, observed, controllers, ctx, inventory, options } = input;
  const actions: PlanAction[] = [];
  const context = new Map<string, ActionContext>();
  /** Keys whose outputs are new after this apply (created, or replaced). */
  const creating = new Set<string>();
  /** Keys whose Google resource is deleted and made again (or moved): what lives inside them goes too. */
  const replacing = new Set<string>();
  const lookup = outputLookup(resources, controllers, ctx, (key) => (creating.has(key) ? undefined : observed.byKey.get(key)));
  const entries = new Map(inventory.entries.map((e) => [entryKey(e), e]));
  const moves = movedEntries(resources, entries, controllers, ctx);
  const drift = options.drift ?? 'enforce';
  let claims: Map<string, string> | undefined;

  /** Every action goes in through here: grant details for reports, then the drift policy. */
  const add = (a: PlanAction, c: ActionContext): void => {
    const { action, preserve } = underDriftPolicy(withGrant(a, controllers), c.resource, drift);
    actions.push(action);
    context.set(actionKey(a), preserve ? { ...c, preserve } : c);
  };

  for (const r of topologicalOrder(resources)) {
    const controller = controllerFor(controllers, r.kind);
    const desired = controller.desired(r, ctx, lookup);
    const labels = desiredLabels(r.labels, ctx.stack, isLabelled(controller));
    const base = {
      kind: r.kind,
      name: r.name,
      id: idOf(controller, r, ctx),
      dependsOn: dependenciesOf(r),
      warnings: controller.planWarnings?.(r, ctx, observed.byKey.get(r.key)) ?? [],
    };
    // A grant lives in its resource's policy: when that resource is replaced, the grant goes too.
    const inside = isContained(controller) ? controller.containedIn(r, ctx).filter((k) => replacing.has(k)) : [];
    const actual = inside.length > 0 ? undefined : observed.byKey.get(r.key);
    const move = moves.get(r.key);
    // Renamed (musectl.dev/renamed-from) and still the same Google resource: the old entry, with
    // its evidence, is this manifest's; apply moves it to the new name. No replacement.
    const renamed = move && actual && move.id === actual.id ? entryKey(move) : undefined;
    const entry = entries.get(r.key) ?? (renamed ? move : undefined);
    if (renamed) base.warnings.push(`renamed from ${renamed} (${actual!.id}): the same Google resource, not replaced; apply moves its inventory entry`);
    const withRename = (c: ActionContext): ActionContext => (renamed ? { ...c, movedFrom: renamed } : c);

    if (!actual) {
      creating.add(r.key);
      const old = move ? observed.listed.get(r.kind)?.get(move.id) : undefined;
      if (move && old && matchesEvidence(move, old)) {
        replacing.add(r.key);
        const a = await movedReplacement({ r, base, desired, labels, old, controller, ctx, options });
        const from = entryKey(move);
        add(a, { resource: r, replaced: old, force: options.allowReplace.has(r.key), ...(from !== r.key ? { movedFrom: from } : {}) });
        continue;
      }
      const changes = creationChanges(r.kind, desired, labels);
      const warnings = [...base.warnings];
      if (inside.length > 0) warnings.push(`created again: it lives in ${inside.join(', ')}, which this apply replaces`);
      if (move && old) warnings.push(`its old resource ${move.id} is left alone: it is not the one this stack created`);
      add({ ...base, warnings, action: 'create', changes }, { resource: r });
      continue;
    }

    const changes = resourceChanges(controller, desired, labels, actual);
    if (!entry && !controller.facts.sharedIdentity && !claims && input.claims) claims = await input.claims();
    const ownership = ownershipOf({
      stack: ctx.stack,
      live: actual,
      labelled: isLabelled(controller),
      shared: Boolean(controller.facts.sharedIdentity),
      entry,
      inventoryAt: input.inventoryAt,
      inventoryEmpty: inventory.entries.length === 0,
      claimedBy: entry ? undefined : claims?.get(`${r.kind}|${actual.id}`),
    });
    if (ownership.owner === 'other') {
      add({ ...base, action: 'adopt', changes, heldBack: ownership.why }, withRename({ resource: r, observed: actual }));
      continue;
    }
    if (ownership.owner === 'unknown') {
      const allowed = options.adopt || wantsAdoption(r);
      const heldBack = `${ownership.why}; run with --adopt (or annotate musectl.dev/adopt: "true") to take it over`;
      add({ ...base, action: 'adopt', changes, ...(allowed ? {} : { heldBack }) }, withRename({ resource: r, observed: actual }));
      continue;
    }
    const immutable = changes.filter((c) => isImmutable(controller.kind, c.path));
    if (immutable.length > 0) {
      creating.add(r.key); // its outputs are new after a replacement
      replacing.add(r.key);
      add(
        await sameIdReplacement({ r, base, changes, immutable, actual, controller, ctx, options }),
        withRename({ resource: r, observed: actual, force: true }),
      );
      continue;
    }
    add({ ...base, action: changes.length > 0 ? 'update' : 'noop', changes }, withRename({ resource: r, observed: actual }));
  }
  // What a change needs that is not there yet (a secret's value) blocks that change, before any call.
  for (const a of actions) {
    const r = context.get(`${a.kind}/${a.name}`)?.resource;
    if (!r || a.action === 'noop' || a.blocked || a.heldBack) continue;
    const why = await controllerFor(controllers, a.kind).planBlocker?.(r, ctx, (key) => (creating.has(key) ? undefined : observed.byKey.get(key)));
    if (why) a.blocked = why;
  }

  const movedFrom = new Set([...moves.values()].map((e) => `${e.kind}|${e.id}`));
  const named = new Map(actions.map((a) => [`${a.kind}|${a.id}`, actionKey(a)]));
  const { partial } = input;
  const orphans = await planOrphans({
    resources,
    observed,
    controllers,
    ctx,
    inventory,
    options,
    movedFrom,
    named,
    inManifests: partial?.named,
    only: partial?.orphanScope,
  });
  for (const a of orphans.actions) add(a, orphans.context.get(actionKey(a)) ?? {});
  for (const [key, c] of orphans.context) if (!context.has(key)) context.set(key, c);
  // What the plan does not act on but reads (the resources one file of a stack references): live,
  // so apply resolves their outputs as the plan did.
  for (const [key, o] of observed.byKey) if (!context.has(key)) context.set(key, { observed: o });
  explainReplacements(actions);
  return {
    plan: {
      formatVersion: 1,
      stack: ctx.stack,
      project: ctx.project,
      actions,
      wouldPrune: orphans.wouldPrune,
      summary: summarize(actions),
      ...(partial ? { partial: partial.run } : {}),
    },
    context,
  };
}

/**
 * Inventory entries whose manifest now names another Google resource, by the manifest's key: the
 * entry of the same key with another id (or the old resource of a move a crash interrupted), the
 * entry of the name given in musectl.dev/renamed-from (the same resource, or a move when the new
 * name is another Google resource), or an entry left by the same manifest under a name made from
 * variables ("uploads-${ENV}").
 */
function movedEntries(
  resources: Resource[],
  entries: Map<string, InventoryEntry>,
  controllers: ControllerRegistry,
  ctx: ControllerContext,
): Map<string, InventoryEntry> {
  const moves = new Map<string, InventoryEntry>();
  const keys = new Set(resources.map((r) => r.key));
  for (const r of resources) {
    const id = idOf(controllerFor(controllers, r.kind), r, ctx);
    const entry = entries.get(r.key);
    if (entry && entry.id !== id && !entry.pending) moves.set(r.key, entry);
    else if (entry?.previous) moves.set(r.key, { ...entry, ...entry.previous, pending: undefined, previous: undefined });
    else if (!entry && renamedFromOf(r)) {
      const old = entries.get(`${r.kind}/${renamedFromOf(r)}`);
      if (old && !old.pending && !keys.has(entryKey(old))) moves.set(r.key, old);
    } else if (!entry && r.nameTemplate) {
      const same = [...entries.values()].find((e) => e.kind === r.kind && e.nameTemplate === r.nameTemplate && !keys.has(entryKey(e)) && !e.pending);
      if (same) moves.set(r.key, same);
    }
  }
  return moves;
}

/** A replacement's impact names what it re-applies: the actions that depend on it. */
function explainReplacements(actions: PlanAction[]): void {
  for (const a of actions) {
    if (a.action !== 'replace') continue;
    const key = actionKey(a);
    const after = actions.filter((d) => d.dependsOn.includes(key) && d.action !== 'noop').map(actionKey);
    const kept = actions.filter((d) => d.dependsOn.includes(key) && d.action === 'noop').map(actionKey);
    const parts = [a.impact ?? ''];
    if (after.length > 0) parts.push(`re-applied after it: ${after.join(', ')}`);
    if (kept.length > 0) parts.push(`unchanged, still pointing at it by name: ${kept.join(', ')}`);
    a.impact = parts.filter(Boolean).join('; ');
  }
}

/**
 * Whether a change replaces the resource: it is at or under a field Google cannot change in place,
 * or it adds or removes a whole object that holds one (a Secret's userManaged replication, whose
 * replicas' locations are immutable, while their encryption keys are not).
 */
function isImmutable(kind: string, path: string): boolean {
  const immutable = schemaRegistry().get(kind)?.immutablePaths ?? new Set<string>();
  const pattern = pathPattern(path);
  return [...immutable].some(
    (p) => pattern === p || pattern.startsWith(`${p}.`) || pattern.startsWith(`${p}[`) || p.startsWith(`${pattern}.`) || p.startsWith(`${pattern}[`),
  );
}

/** Field changes of an existing resource: its spec and, where the kind has them, its labels. */
export function resourceChanges(controller: AnyController, desired: Record<string, any>, labels: Record<string, string>, actual: Observed): FieldChange[] {
  const schema = schemaRegistry().get(controller.kind);
  const changes = diffForDisplay(desired, actual.spec, (s) => normalized(controller, s), {
    isMap: (p) => schema?.mapPaths.has(p) ?? false,
    listKey: (p) => schema?.listKeys.get(p),
  });
  if (isLabelled(controller)) changes.push(...labelChanges(labels, actual.labels));
  return markSecurity(controller.kind, changes);
}

function labelChanges(desired: Record<string, string>, actual: Record<string, string>): FieldChange[] {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(desired)])].sort();
  return keys.filter((k) => desired[k] !== actual[k]).map((k) => ({ path: `labels.${k}`, before: actual[k], after: desired[k] }));
}

/** Marks the changes of fields that decide who can reach the resource (schema: x-musectl-security). */
function markSecurity(kind: string, changes: FieldChange[]): FieldChange[] {
  const paths = schemaRegistry().get(kind)?.securityPaths;
  if (!paths || paths.size === 0) return changes;
  return changes.map((c) => {
    const pattern = pathPattern(c.path);
    const under = [...paths].some((p) => pattern === p || pattern.startsWith(`${p}.`) || p.startsWith(`${pattern}.`));
    return under ? { ...c, security: true } : c;
  });
}

/** Grant details for an action of a kind whose resources are IAM grants. */
function withGrant(a: PlanAction, controllers: ControllerRegistry): PlanAction {
  const controller = controllers.get(a.kind);
  if (!controller || !isGrant(controller)) return a;
  return { ...a, grant: controller.grantOf(a.id), ...(a.replaces ? { previousGrant: controller.grantOf(a.replaces.id) } : {}) };
}

/** A create shows every field it sets, down to the leaves (lists of scalars stay whole). */
export function creationChanges(kind: string, desired: Record<string, any>, labels: Record<string, string>): FieldChange[] {
  const changes: FieldChange[] = [];
  const walk = (v: unknown, path: string): void => {
    if (isUnknown(v) || v === undefined || v === null) {
      if (isUnknown(v)) changes.push({ path, before: undefined, after: v });
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
  return markSecurity(kind, changes);
}

/**
 * Resolves `outputRef`s: the referenced resource's observed outputs when it exists (and is not
 * being recreated), its predictable outputs otherwise, else Unknown.
 */
export function outputLookup(
  resources: Resource[],
  controllers: ControllerRegistry,
  ctx: ControllerContext,
  existing: (key: string) => Observed | undefined,
): OutputLookup {
  const byKey = new Map(resources.map((r) => [r.key, r]));
  return (kind, name, output) => {
    const key = `${kind}/${name}`;
    const value = existing(key)?.outputs[output];
    if (value !== undefined) return value;
    const r = byKey.get(key);
    const predicted = r ? predictedOutputs(controllerFor(controllers, kind), r, ctx)[output] : undefined;
    return predicted ?? unknown(`${key}.${output}`);
  };
}
