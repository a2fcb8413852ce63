// Fields whose value is a kind, and only kinds that can do something are allowed: the schema
// annotates them with x-musectl-kind-with ({capability: "iamPolicy", also: ["Project"]}: the kinds
// whose resources hold an IAM policy, and the project). Which kinds have a capability is a fact of
// their controllers, handed in by whoever assembles the parts (the CLI, the engine), so adding a
// kind that holds a policy makes it a grant's resource without touching the grant's schema.
import type { Diagnostic } from './diagnostics.js';
import { locate, type Path } from './document.js';
import type { Resource } from './resource.js';
import type { SchemaRegistry } from './schemas.js';
import { didYouMean } from './suggest.js';

/** Kinds by capability, e.g. {iamPolicy: ["Bucket", "CloudRunService", ...]}. */
export type KindCatalog = Record<string, string[]>;

export interface KindCapabilityRule {
  capability: string;
  /** Values allowed besides the kinds (pseudo-kinds such as Project). */
  also?: string[];
}

const CAPABILITY_WORDS: Record<string, string> = { iamPolicy: 'whose resources have an IAM policy' };

export function checkKindCapabilities(resources: Resource[], registry: SchemaRegistry, catalog: KindCatalog | undefined): Diagnostic[] {
  if (!catalog) return [];
  const diagnostics: Diagnostic[] = [];
  for (const r of resources) {
    const rules = registry.get(r.kind)?.kindCapabilityPaths;
    if (!rules) continue;
    for (const [pattern, rule] of rules) {
      const allowed = [...(rule.also ?? []), ...(catalog[rule.capability] ?? [])];
      for (const { path, value } of valuesAt(r.spec, pattern.split('.'), ['spec'])) {
        if (typeof value !== 'string' || allowed.includes(value)) continue;
        diagnostics.push({
          ...locate(r.doc, path),
          severity: 'error',
          subject: r.key,
          message: `${path.slice(1).join('.')}: ${value.slice(0, 64)} is not a kind ${CAPABILITY_WORDS[rule.capability] ?? `with ${rule.capability}`}${didYouMean(value, allowed)}; one of ${allowed.join(', ')}`,
        });
      }
    }
  }
  return diagnostics;
}

/** The values at a dotted path pattern ([] for every list element), with their data paths. */
function valuesAt(node: unknown, segments: string[], path: Path): Array<{ path: Path; value: unknown }> {
  if (segments.length === 0) return [{ path, value: node }];
  if (node === null || typeof node !== 'object') return [];
  const [seg, ...rest] = segments;
  const list = seg.endsWith('[]');
  const key = list ? seg.slice(0, -2) : seg;
  const child = (node as Record<string, unknown>)[key];
  if (child === undefined) return [];
  if (!list) return valuesAt(child, rest, [...path, key]);
  return Array.isArray(child) ? child.flatMap((item, i) => valuesAt(item, rest, [...path, key, i])) : [];
}
