// The dependency graph of a stack: an edge from a resource to each resource it references.
// Validation already refused cycles, so a topological order always exists.
import type { Resource } from '../manifest/index.js';
import { resourceKey } from '../manifest/resource.js';

/** Keys of the resources `r` references (each once, in manifest order). */
export function dependenciesOf(r: Resource): string[] {
  const keys = [...r.refs.map((ref) => resourceKey(ref.kind, ref.name)), ...(r.implicitDependencies ?? [])];
  return [...new Set(keys)].filter((k) => k !== r.key);
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
