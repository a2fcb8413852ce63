// Validation of a manifest set: each document against its kind's schema, then the rules that need
// the whole set (unique names, references that resolve, no cycles). Nothing is sent to Google
// before this passes.
import type { Diagnostic } from './diagnostics.js';
import { locate, type ManifestDocument } from './document.js';
import { foldAlternatives, humanize, pointerToPath, showPath } from './humanize.js';
import { cut, quote } from './quote.js';
import { type Resource, type ResourceRef, resourceKey } from './resource.js';
import type { CollectedRef, SchemaRegistry } from './schemas.js';
import { didYouMean } from './suggest.js';

export const API_VERSION = 'musectl.dev/v1alpha1';

/** "Kind/name" for messages, from whatever the document has. */
export function subjectOf(value: unknown): string {
  const v = (value ?? {}) as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof v.kind === 'string' ? cut(v.kind) : '?';
  const name = typeof v.metadata?.name === 'string' ? cut(v.metadata.name) : '?';
  return kind === '?' && name === '?' ? '' : `${kind}/${name}`;
}

/** Schema validation of one document. Returns the resource when the document is valid. */
export function validateDocument(d: ManifestDocument, registry: SchemaRegistry): { resource?: Resource; valid: boolean; diagnostics: Diagnostic[] } {
  const subject = subjectOf(d.value);
  const error = (pos: { file: string; line: number; col: number }, message: string): Diagnostic => ({ ...pos, severity: 'error', subject, message });
  if (typeof d.value !== 'object' || d.value === null || Array.isArray(d.value)) {
    return { valid: false, diagnostics: [error(locate(d, []), 'a manifest must be a map with apiVersion, kind, metadata and spec')] };
  }
  const value = d.value as Record<string, unknown>;
  if (typeof value.kind !== 'string') {
    return { valid: false, diagnostics: [error(locate(d, ['kind'], { key: true }), `missing "kind"; one of ${registry.kindNames.join(', ')}`)] };
  }
  const kind = registry.get(value.kind);
  if (!kind) {
    const message = `unknown kind ${quote(value.kind)}${didYouMean(value.kind, registry.kindNames)}; known kinds: ${registry.kindNames.join(', ')}`;
    return { valid: false, diagnostics: [error(locate(d, ['kind']), message)] };
  }
  const check = registry.check(kind, value);
  const errors = foldAlternatives(check.errors).filter(
    // propertyNames reports the failing name twice: once as its own keyword, once inside.
    (e) => e.keyword === 'propertyNames' || (e as { propertyName?: string }).propertyName === undefined,
  );
  const diagnostics = errors
    .map((e) => ({ e, m: humanize(e, value) }))
    .filter(({ m }) => m.message !== '')
    .map(({ m }) => error(locate(d, m.path, { key: m.atKey }), m.message));
  // An invalid document still takes part in the cross-document checks when it has an identity, so
  // one run reports a bad field and a dangling reference of the same document together.
  const full = check.withDefaults as {
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, any>;
  };
  if (typeof full.metadata?.name !== 'string') return { valid: false, diagnostics };
  const resource: Resource = {
    kind: kind.kind,
    name: full.metadata.name,
    key: resourceKey(kind.kind, full.metadata.name),
    labels: full.metadata.labels ?? {},
    annotations: full.metadata.annotations ?? {},
    spec: full.spec ?? {},
    refs: [],
    doc: d,
  };
  // A reference whose name or kind is not a string is a schema error already; it resolves to nothing.
  resource.refs = check.refs
    .filter((r) => typeof r.data.name === 'string' && (typeof r.spec === 'string' || typeof r.data[r.spec.kindProperty] === 'string'))
    .map((r) => toResourceRef(r, value));
  return { resource, valid: diagnostics.length === 0, diagnostics };
}

function toResourceRef(r: CollectedRef, value: unknown): ResourceRef {
  const kind = typeof r.spec === 'string' ? r.spec : String(r.data[r.spec.kindProperty] ?? '');
  const output = typeof r.data.output === 'string' ? r.data.output : undefined;
  return { path: [...pointerToPath(r.instancePath, value), 'name'], kind, name: String(r.data.name ?? ''), ...(output ? { output } : {}) };
}

/** A reference to a resource that is not in the manifest set (one file of a stack: `-f backend.yaml`). */
export interface OutsideRef {
  from: Resource;
  ref: ResourceRef;
}

/**
 * Rules over the whole set: duplicate kind/name, unresolved references, unknown outputs, cycles.
 * With `outside`, a reference to a resource of a known kind that the set does not include is
 * collected there instead of being an error: the caller resolves it (against the stack's inventory).
 */
export function crossCheck(resources: Resource[], registry: SchemaRegistry, outside?: OutsideRef[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const byKey = new Map<string, Resource>();
  for (const r of resources) {
    const first = byKey.get(r.key);
    if (first) {
      const where = locate(first.doc, ['metadata', 'name']);
      diagnostics.push({
        ...locate(r.doc, ['metadata', 'name']),
        severity: 'error',
        subject: r.key,
        message: `duplicate ${r.kind} named ${quote(r.name)}; the first is at ${where.file}:${where.line}:${where.col}`,
      });
    } else {
      byKey.set(r.key, r);
    }
  }
  for (const r of byKey.values()) {
    for (const ref of r.refs) {
      const problem = refProblem(ref, byKey, registry, outside !== undefined);
      if (problem === 'outside') outside?.push({ from: r, ref });
      else if (problem)
        diagnostics.push({
          ...locate(r.doc, problem.at === 'output' ? [...ref.path.slice(0, -1), 'output'] : ref.path),
          severity: 'error',
          subject: r.key,
          message: `${showPath(ref.path.slice(0, -1))}: ${problem.message}`,
        });
    }
  }
  diagnostics.push(...findCycles([...byKey.values()], byKey));
  return diagnostics;
}

function refProblem(
  ref: ResourceRef,
  byKey: Map<string, Resource>,
  registry: SchemaRegistry,
  deferMissing: boolean,
): { message: string; at: 'name' | 'output' } | 'outside' | undefined {
  if (!registry.get(ref.kind)) {
    return { at: 'name', message: `refers to unknown kind ${quote(ref.kind)}${didYouMean(ref.kind, registry.kindNames)}` };
  }
  const missing = !byKey.has(resourceKey(ref.kind, ref.name));
  if (missing && !deferMissing) {
    const sameKind = [...byKey.values()].filter((x) => x.kind === ref.kind).map((x) => x.name);
    const hint = didYouMean(ref.name, sameKind);
    return { at: 'name', message: `refers to ${cut(ref.kind)} ${quote(ref.name)}, which is not in the manifests${hint}` };
  }
  if (ref.output !== undefined) {
    const outputs = Object.keys(registry.get(ref.kind)!.outputs);
    if (!outputs.includes(ref.output)) {
      return {
        at: 'output',
        message: `${ref.kind} has no output ${quote(ref.output)}${didYouMean(ref.output, outputs)}; outputs: ${outputs.join(', ') || 'none'}`,
      };
    }
  }
  return missing ? 'outside' : undefined;
}

/** Reports each reference cycle once, at the reference that closes it. */
function findCycles(resources: Resource[], byKey: Map<string, Resource>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (r: Resource): void => {
    state.set(r.key, 'visiting');
    stack.push(r.key);
    for (const ref of r.refs) {
      const target = byKey.get(resourceKey(ref.kind, ref.name));
      if (!target) continue;
      const s = state.get(target.key);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(target.key)), target.key];
        diagnostics.push({
          ...locate(r.doc, ref.path),
          severity: 'error',
          subject: r.key,
          message: `reference cycle: ${cycle.join(' -> ')}; one of these references must go`,
        });
      } else if (s === undefined) {
        visit(target);
      }
    }
    stack.pop();
    state.set(r.key, 'done');
  };
  for (const r of resources) if (!state.has(r.key)) visit(r);
  return diagnostics;
}
