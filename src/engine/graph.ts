// The dependency graph of a stack: an edge from a resource to each resource it references.
// Validation already refused cycles, so a topological order always exists.
import type { Resource } from '../manifest/index.js';
import { resourceKey } from '../manifest/resource.js';

/** Keys of the resources `r` references (each once, in manifest order). */
export function dependenciesOf(r: Resource): string[] {
  // One Set and its array, no intermediate ones: a plan asks for every resource's dependencies
  // more than once (order, plan, targeting), ~8 ms of a watcher's cycle at 1,000 resources before.
  const keys = new Set<string>();
  for (const ref of r.refs) keys.add(resourceKey(ref.kind, ref.name));
  for (const k of r.implicitDependencies ?? []) keys.add(k);
  keys.delete(r.key);
  return [...keys];
}

/**
 * Adds the implicit edges: a resource of a kind that needs an API waits for the ProjectService
 * that enables it, when the stack has one.
 */
export function addImplicitDependencies(resources: Resource[], requiredApi: (kind: string) => string | undefined): void {
  const services = new Set(resources.filter((r) => r.kind === 'ProjectService').map((r) => r.name));
  for (const r of resources) {
    const api = requiredApi(r.kind);
    if (api && services.has(api)) r.implicitDependencies = [resourceKey('ProjectService', api)];
  }
  addGrantDependencies(resources);
  addRegistryDependencies(resources);
}

/**
 * A resource that deploys an image from an Artifact Registry repository of the stack
 * (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/...) waits for that repository: Cloud Run imports the
 * image when it deploys, so the repository (and what is pushed to it) must be there first.
 */
function addRegistryDependencies(resources: Resource[]): void {
  const repositories = resources
    .filter((r) => r.kind === 'ArtifactRegistryRepository' && typeof r.spec.location === 'string')
    .map((repo) => ({ key: repo.key, host: `${String(repo.spec.location).toLowerCase()}-docker.pkg.dev/`, segment: `/${repo.name}/` }));
  if (repositories.length === 0) return;
  for (const r of resources) {
    if (r.kind === 'ArtifactRegistryRepository') continue;
    const strings = stringsIn(r.spec);
    const waits = repositories
      .filter((repo) => strings.some((s) => s.startsWith(repo.host) && s.slice(repo.host.length).split('/')[1] === repo.segment.slice(1, -1)))
      .map((repo) => repo.key);
    if (waits.length > 0) r.implicitDependencies = [...(r.implicitDependencies ?? []), ...waits];
  }
}

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/**
 * A resource that references both what a grant is on and who it is for (a Cloud Run service that
 * reads a secret as its service account) waits for that grant: Google checks the access when it
 * deploys ("all secrets used ... are checked", Cloud Run's secrets page), so the grant must exist
 * first. Only the references are compared, so no kind's fields are named here; a grant never
 * references its dependents, so no cycle can come of it.
 */
function addGrantDependencies(resources: Resource[]): void {
  const refKeys = (r: Resource) => new Set(r.refs.map((ref) => resourceKey(ref.kind, ref.name)));
  const grants = resources.filter((r) => r.kind === 'IAMPolicyMember').map((g, order) => ({ order, key: g.key, needs: [...refKeys(g)] }));
  // Each grant under the first key it needs: a resource looks only at the grants under its own
  // references, not at every grant (1,000 resources and 400 grants made 400,000 comparisons).
  const byFirstNeed = new Map<string, typeof grants>();
  for (const g of grants) {
    if (g.needs.length < 2) continue;
    const under = byFirstNeed.get(g.needs[0]);
    if (under) under.push(g);
    else byFirstNeed.set(g.needs[0], [g]);
  }
  for (const r of resources) {
    if (r.kind === 'IAMPolicyMember') continue;
    const mine = refKeys(r);
    const waits = [...mine]
      .flatMap((k) => byFirstNeed.get(k) ?? [])
      .filter((g) => g.needs.every((k) => mine.has(k)))
      .sort((a, b) => a.order - b.order) // in manifest order, as the grants are
      .map((g) => g.key);
    if (waits.length > 0) r.implicitDependencies = [...(r.implicitDependencies ?? []), ...waits];
  }
}

/** Resources ordered so that every resource comes after what it references; ties keep manifest order. */
export function topologicalOrder(resources: Resource[]): Resource[] {
  const byKey = new Map(resources.map((r) => [r.key, r]));
  const done = new Set<string>();
  const out: Resource[] = [];
  const visit = (r: Resource, path: Set<string>): void => {
    if (done.has(r.key) || path.has(r.key)) return;
    path.add(r.key);
    for (const dep of dependenciesOf(r)) {
      const target = byKey.get(dep);
      if (target) visit(target, path);
    }
    path.delete(r.key);
    done.add(r.key);
    out.push(r);
  };
  for (const r of resources) visit(r, new Set());
  return out;
}

/** Length (in resources) of the longest dependency chain: the critical path of an apply. */
export function criticalPathLength(resources: Resource[]): number {
  const depth = new Map<string, number>();
  for (const r of topologicalOrder(resources)) {
    const deps = dependenciesOf(r).map((k) => depth.get(k) ?? 0);
    depth.set(r.key, 1 + Math.max(0, ...deps));
  }
  return Math.max(0, ...depth.values());
}
