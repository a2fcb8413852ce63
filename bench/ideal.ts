// What an ideal client would need for a plan or an apply: the fewest API calls, and the shortest
// wall time given the per-call latency, the long-running operations and Google's default rate
// limits. Computed from the manifests and the plan (which resources exist, which change), never
// from what musectl did.
//
// Calls of a plan (the minimum; every part is inherent to reading the state musectl manages):
//   - one list per kind and scope (project; project+region for Cloud Run and Artifact Registry),
//     one page per the API's largest page size;
//   - one read per IAM policy that has members in the stack, for resources that exist (a policy
//     is not part of any list);
//   - the latest version of each existing secret whose value source is set (comparing the value
//     is the only way to know it changed: musectl stores no copy or hash of it anywhere);
//   - one project lookup when a manifest uses ${PROJECT_NUMBER};
//   - one registry lookup per distinct Artifact Registry image deployed by digest (imagePolicy:
//     digest, the default; inherent to pinning a tag to what it points at now).
// Calls of an apply: the plan's, plus one write per created or changed resource (two for a new
// secret with a value: the secret and its version), one write per IAM policy with changed members
// (the plan's read gives the etag), and one wait per long-running operation.
//
// Latency: all reads of a plan are independent, so a plan takes one round trip (per page). An
// apply then takes its critical path: along the dependency graph, each action costs its calls'
// latency plus its operation's duration (Cloud Run rollouts, API enables, repository creation);
// the IAM members of one policy are one write, once all of them are ready. Both are bounded below
// by the rate limits: for each quota and scope, the calls beyond the burst at the steady rate
// (musectl's token buckets at Google's default quotas: a minute's worth of burst; Cloud Storage
// bucket creates one per 2 s, so B buckets take >= 2(B-1) s).

import { readValue } from '../controllers/secret.js';
import { type ControllerContext, type ControllerRegistry, idOf, type KindFacts, scopeOf } from '../src/contract/controller.js';
import type { Plan, PlanAction } from '../src/engine/plan.js';
import { DEFAULT_QUOTAS, type QuotaSpec } from '../src/gcp/rate-limit.js';
import { parseArtifactRegistryImage } from '../src/gcp/registry.js';
import type { Resource } from '../src/manifest/index.js';

export interface IdealOptions {
  controllers: ControllerRegistry;
  project: string;
  latencyMs: number;
  operationMs: number;
  /** Whether a manifest uses ${PROJECT_NUMBER} (one project lookup). */
  projectNumberUsed: boolean;
}

/**
 * One read of a plan, named as the API knows it: what bench/floor.ts sends with the official
 * clients alone, to measure what the calls cost without musectl around them.
 */
export type PlanRead =
  | { type: 'list'; kind: string; scope: string; pageSize: number }
  | { type: 'policy'; kind: string; id: string }
  | { type: 'secretValue'; id: string }
  | { type: 'projectLookup' }
  | { type: 'imageDigest'; image: string };

export interface Ideal {
  calls: number;
  /** The reads of the plan part, one per read (a list is one entry however many pages it has). */
  reads: PlanRead[];
  /** Calls by part: lists, iamPolicies, secretValues, projectLookup, imageDigests, writes, operationWaits. */
  parts: Record<string, number>;
  ms: number;
  /** Round trips of the plan part. */
  planMs: number;
  /** Critical path of the apply part (0 for a plan). */
  criticalPathMs: number;
  /** The slowest rate-limit floor, if any binds. */
  floor?: { quota: string; scope: string; calls: number; ms: number };
}

// Per-kind facts (page sizes, quotas, long-running writes, list scopes) come from the controllers,
// the one place that declares them; only the Project pseudo-kind of IAM grants is named here.
const facts = (opts: IdealOptions, kind: string): KindFacts | undefined => opts.controllers.get(kind)?.facts;
const PROJECT_QUOTAS = { read: 'resourcemanager.read', write: 'resourcemanager.write' } as const;
const quotasOf = (opts: IdealOptions, kind: string) => (kind === 'Project' ? PROJECT_QUOTAS : facts(opts, kind)?.quotas);

const regionScope = (project: string, r: Resource): string => `projects/${project}/locations/${r.spec.location}`;

/** A stand-in context: the controllers' identify and scopeOf read only the project. */
const standIn = (opts: IdealOptions): ControllerContext => ({ project: opts.project }) as ControllerContext;

/** Where the kind is listed: its controller's scope. */
function listScope(opts: IdealOptions, r: Resource): string {
  const controller = opts.controllers.get(r.kind);
  return controller ? scopeOf(controller, r, standIn(opts)) : `projects/${opts.project}`;
}

/**
 * The policy an IAMPolicyMember goes into: kind and target (the same grouping musectl batches by),
 * the quota scope of its reads and writes, and the Google resource name it is read from.
 */
function policyOf(r: Resource, byKey: Map<string, Resource>, opts: IdealOptions): { kind: string; target: string; scope: string; id: string } {
  const { project } = opts;
  const ref = r.spec.resourceRef as { kind: string; name?: string; external?: string };
  if (ref.kind === 'Project') {
    const target = ref.external ?? `projects/${project}`;
    return { kind: 'Project', target, scope: `projects/${project}`, id: target };
  }
  const target = ref.external ?? ref.name!;
  const res = ref.name ? byKey.get(`${ref.kind}/${ref.name}`) : undefined;
  // Cloud Run's quotas are per region, its jobs' policies (a Scheduler's invoker) as its services'.
  const regional = (ref.kind === 'CloudRunService' || ref.kind === 'CloudRunJob') && res;
  const scope = regional ? regionScope(project, res) : ref.kind === 'Bucket' ? `b/${target}` : `projects/${project}`;
  const controller = opts.controllers.get(ref.kind);
  if (!ref.external && (!res || !controller)) throw new Error(`bench: no resource ${ref.kind}/${ref.name} for ${r.key}'s policy`);
  return { kind: ref.kind, target, scope, id: ref.external ?? idOf(controller!, res!, standIn(opts)) };
}

class QuotaCounter {
  readonly calls = new Map<string, number>();
  add(quota: string, scope: string, n = 1): void {
    const key = `${quota}|${scope}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + n);
  }
  /** The longest wait any quota imposes on an ideal client. */
  floor(): Ideal['floor'] {
    let worst: Ideal['floor'];
    for (const [key, calls] of this.calls) {
      const [quota, scope] = key.split('|');
      const spec = (DEFAULT_QUOTAS as Record<string, QuotaSpec>)[quota];
      if (!spec) continue;
      const burst = spec.burst ?? spec.perMinute;
      const ms = Math.max(0, calls - burst) * (60_000 / spec.perMinute);
      if (ms > 0 && (!worst || ms > worst.ms)) worst = { quota, scope, calls, ms };
    }
    return worst;
  }
}

/** The reads of a plan; `exists` tells which resources exist (undefined: all of them). */
function planReads(
  resources: Resource[],
  opts: IdealOptions,
  quotas: QuotaCounter,
  exists: (key: string) => boolean,
): { parts: Record<string, number>; rounds: number; reads: PlanRead[] } {
  const byKey = new Map(resources.map((r) => [r.key, r]));
  const scopes = new Map<string, { kind: string; scope: string; items: number }>();
  const policies = new Map<string, { kind: string; scope: string; id: string }>();
  const images = new Set<string>();
  const secretIds: string[] = [];
  for (const r of resources) {
    if (r.kind === 'IAMPolicyMember') {
      const p = policyOf(r, byKey, opts);
      const targetKey = `${p.kind}/${r.spec.resourceRef.name}`;
      // A policy of a resource created by this apply is known to be empty.
      if (p.kind === 'Project' || r.spec.resourceRef.external || exists(targetKey)) policies.set(`${p.kind}|${p.target}`, p);
      continue;
    }
    const scope = listScope(opts, r);
    const s = scopes.get(`${r.kind}|${scope}`) ?? { kind: r.kind, scope, items: 0 };
    s.items++;
    scopes.set(`${r.kind}|${scope}`, s);
    if (r.kind === 'Secret' && exists(r.key) && readValue(r).value !== undefined) secretIds.push(idOf(opts.controllers.get('Secret')!, r, standIn(opts)));
    if (r.kind === 'CloudRunService' && r.spec.imagePolicy !== 'tag') {
      for (const c of r.spec.template.containers as Array<{ image: string }>) if (parseArtifactRegistryImage(c.image)) images.add(c.image);
    }
  }
  let lists = 0;
  let rounds = 1;
  const reads: PlanRead[] = [];
  for (const s of scopes.values()) {
    const pageSize = facts(opts, s.kind)?.pageSize ?? 1000;
    const pages = Math.max(1, Math.ceil(s.items / pageSize));
    reads.push({ type: 'list', kind: s.kind, scope: s.scope, pageSize });
    lists += pages;
    rounds = Math.max(rounds, pages);
    quotas.add(
      quotasOf(opts, s.kind)?.read ?? 'unknown',
      s.kind === 'CloudRunService' || s.kind === 'CloudRunJob' ? s.scope : `projects/${opts.project}`,
      pages,
    );
  }
  for (const p of policies.values()) {
    quotas.add(quotasOf(opts, p.kind)?.read ?? 'unknown', p.kind === 'CloudRunService' || p.kind === 'CloudRunJob' ? p.scope : `projects/${opts.project}`);
    reads.push({ type: 'policy', kind: p.kind, id: p.id });
  }
  const secretValues = secretIds.length;
  quotas.add('secretmanager.access', `projects/${opts.project}`, secretValues);
  quotas.add('artifactregistry.request', `projects/${opts.project}`, images.size);
  if (opts.projectNumberUsed) quotas.add('resourcemanager.read', `projects/${opts.project}`);
  reads.push(...secretIds.map((id): PlanRead => ({ type: 'secretValue', id })));
  if (opts.projectNumberUsed) reads.push({ type: 'projectLookup' });
  reads.push(...[...images].map((image): PlanRead => ({ type: 'imageDigest', image })));
  return {
    parts: { lists, iamPolicies: policies.size, secretValues, projectLookup: opts.projectNumberUsed ? 1 : 0, imageDigests: images.size },
    rounds,
    reads,
  };
}

export function idealPlan(resources: Resource[], opts: IdealOptions): Ideal {
  const quotas = new QuotaCounter();
  const { parts, rounds, reads } = planReads(resources, opts, quotas, () => true);
  const floor = quotas.floor();
  const planMs = rounds * opts.latencyMs;
  return { calls: sum(parts), reads, parts, ms: planMs + (floor?.ms ?? 0), planMs, criticalPathMs: 0, ...(floor ? { floor } : {}) };
}

/** Writes of one action: how many calls, against which quota and scope. */
function writesOf(a: PlanAction, r: Resource | undefined, opts: IdealOptions): { quota: string; scope: string; calls: number } {
  const project = `projects/${opts.project}`;
  const quota = quotasOf(opts, a.kind)?.write ?? 'unknown';
  if (a.kind === 'CloudRunService') return { quota, scope: a.id.split('/services/')[0], calls: 1 };
  if (a.kind === 'CloudRunJob') return { quota, scope: a.id.split('/jobs/')[0], calls: 1 };
  if (a.kind === 'Bucket')
    return a.action === 'create' ? { quota: 'storage.bucketCreateDelete', scope: project, calls: 1 } : { quota, scope: `b/${a.id}`, calls: 1 };
  if (a.kind === 'Secret') {
    const value = r ? readValue(r).value !== undefined : false;
    if (a.action === 'create') return { quota, scope: project, calls: value ? 2 : 1 };
    const paths = a.changes.map((c) => c.path);
    return { quota, scope: project, calls: (paths.includes('value') ? 1 : 0) + (paths.some((p) => p.startsWith('labels.')) ? 1 : 0) };
  }
  if (a.kind === 'ServiceAccount' && a.action === 'update') {
    const paths = a.changes.map((c) => c.path);
    return { quota, scope: project, calls: (paths.some((p) => p === 'displayName' || p === 'description') ? 1 : 0) + (paths.includes('disabled') ? 1 : 0) };
  }
  return { quota, scope: project, calls: 1 };
}

/** An apply of `plan` (made against the state before it): the plan's reads, then its critical path. */
export function idealApply(resources: Resource[], plan: Plan, opts: IdealOptions): Ideal {
  const quotas = new QuotaCounter();
  const action = new Map(plan.actions.map((a) => [`${a.kind}/${a.name}`, a]));
  const exists = (key: string): boolean => {
    const a = action.get(key);
    return a !== undefined && a.action !== 'create';
  };
  const { parts, rounds, reads } = planReads(resources, opts, quotas, exists);
  const byKey = new Map(resources.map((r) => [r.key, r]));
  let writes = 0;
  let operationWaits = 0;

  // Each action's cost on the critical path; IAM members are grouped by policy (one write).
  const cost = new Map<string, number>();
  const batchOf = new Map<string, string>();
  const batches = new Map<string, { members: PlanAction[]; quota: string; scope: string }>();
  for (const a of plan.actions) {
    const key = `${a.kind}/${a.name}`;
    if (a.action === 'noop') {
      cost.set(key, 0);
      continue;
    }
    const r = byKey.get(key);
    if (a.kind === 'IAMPolicyMember' && r) {
      const p = policyOf(r, byKey, opts);
      const id = `${p.kind}|${p.target}`;
      const b = batches.get(id) ?? { members: [], quota: quotasOf(opts, p.kind)?.write ?? 'unknown', scope: p.scope };
      b.members.push(a);
      batches.set(id, b);
      batchOf.set(key, id);
      continue;
    }
    const w = writesOf(a, r, opts);
    writes += w.calls;
    quotas.add(w.quota, w.scope, w.calls);
    const lro = Boolean(facts(opts, a.kind)?.longRunning) && (a.action === 'create' || a.action === 'update' || a.action === 'replace');
    if (lro) operationWaits++;
    cost.set(key, w.calls * opts.latencyMs + (lro ? opts.operationMs : 0));
  }
  for (const b of batches.values()) {
    writes++;
    quotas.add(b.quota, b.scope);
  }

  // Longest path: an action starts when all it depends on has finished; a batch when all its members can.
  const finish = new Map<string, number>();
  const ready = (a: PlanAction): number => Math.max(0, ...a.dependsOn.map((d) => finishOf(d)));
  const finishOf = (key: string): number => {
    const known = finish.get(key);
    if (known !== undefined) return known;
    finish.set(key, 0); // no cycles (validated), this only guards recursion
    const a = action.get(key);
    if (!a) return 0;
    const batch = batchOf.get(key);
    let t: number;
    if (a.action === 'noop') {
      t = 0; // apply does not wait on what a no-op depends on, nor does anything wait on it
    } else if (batch) {
      const members = batches.get(batch)!.members;
      t = Math.max(...members.map(ready)) + opts.latencyMs;
      for (const m of members) finish.set(`${m.kind}/${m.name}`, t);
    } else {
      t = ready(a) + (cost.get(key) ?? 0);
    }
    finish.set(key, t);
    return t;
  };
  let criticalPathMs = 0;
  for (const a of plan.actions) criticalPathMs = Math.max(criticalPathMs, finishOf(`${a.kind}/${a.name}`));

  const floor = quotas.floor();
  const planMs = rounds * opts.latencyMs;
  const allParts = { ...parts, writes, operationWaits };
  return {
    calls: sum(allParts),
    reads,
    parts: allParts,
    ms: planMs + Math.max(criticalPathMs, floor?.ms ?? 0),
    planMs,
    criticalPathMs,
    ...(floor ? { floor } : {}),
  };
}

const sum = (parts: Record<string, number>): number => Object.values(parts).reduce((a, b) => a + b, 0);
