// The generic diff, over spec form, after both sides went through the kind's normalizer. A field
// missing from the desired spec is not managed (the schema filled every default it has, so only
// fields Google chooses for itself are missing); anything else that differs is a change.
import { isSensitive, isUnknown } from './controller.js';

export interface FieldChange {
  /** Dotted path with list indexes: template.containers[0].env[2].value */
  path: string;
  before: unknown;
  after: unknown;
}

export interface DiffOptions {
  /** Whether the value at a path pattern (list indexes as []) is a map, whose every key is managed. */
  isMap?: (pattern: string) => boolean;
}

export function diffSpecs(desired: unknown, actual: unknown, opts: DiffOptions = {}): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(desired, actual, '', changes, opts.isMap ?? (() => false));
  return changes;
}

const pattern = (path: string): string => path.replace(/\[\d+\]/g, '[]');

/**
 * Compares normalized forms (so "1" equals "1000m") but reports the values as written: the
 * manifest's for `after`, Google's for `before`.
 */
export function diffForDisplay(desired: unknown, actual: unknown, normalize: (v: any) => any, opts: DiffOptions = {}): FieldChange[] {
  return diffSpecs(normalize(cloneSpec(desired)), normalize(cloneSpec(actual)), opts).map((c) => ({
    path: c.path,
    before: valueAt(actual, c.path),
    after: valueAt(desired, c.path),
  }));
}

/** Sets (or, with undefined, removes) the value at a path as diffSpecs writes them, in place. */
export function setAt(obj: Record<string, any>, path: string, value: unknown): void {
  const segs = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  let cur: any = obj;
  for (const seg of segs.slice(0, -1)) {
    if (cur[seg] === undefined || cur[seg] === null) return;
    cur = cur[seg];
  }
  const last = segs[segs.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else delete cur[last];
  } else {
    cur[last] = value;
  }
}

/** The value at a path as diffSpecs writes them (a.b[2].c). */
export function valueAt(obj: unknown, path: string): unknown {
  if (!path) return obj;
  let cur: any = obj;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (cur === undefined || cur === null) return undefined;
    cur = m[2] !== undefined ? cur[Number(m[2])] : cur[m[1]];
  }
  return cur;
}

function walk(desired: unknown, actual: unknown, path: string, out: FieldChange[], isMap: (p: string) => boolean): void {
  if (desired === undefined) return; // not managed
  if (isUnknown(desired)) {
    out.push({ path, before: actual, after: desired });
    return;
  }
  if (isSensitive(desired)) {
    if (!(isSensitive(actual) && desired.equals(actual))) out.push({ path, before: actual, after: desired });
    return;
  }
  if (isPlainObject(desired) && isPlainObject(actual)) {
    if (isMap(pattern(path))) {
      // Every key of a map is managed: one only Google has is a change too.
      if (!deepEqual(desired, actual)) out.push({ path, before: actual, after: desired });
      return;
    }
    for (const key of Object.keys(desired)) walk(desired[key], actual[key], join(path, key), out, isMap);
    return;
  }
  if (Array.isArray(desired) && Array.isArray(actual)) {
    const n = Math.max(desired.length, actual.length);
    for (let i = 0; i < n; i++) {
      if (i >= desired.length) out.push({ path: `${path}[${i}]`, before: actual[i], after: undefined });
      else if (i >= actual.length) out.push({ path: `${path}[${i}]`, before: undefined, after: desired[i] });
      else walk(desired[i], actual[i], `${path}[${i}]`, out, isMap);
    }
    return;
  }
  if (!deepEqual(desired, actual)) out.push({ path, before: actual, after: desired });
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

export const isPlainObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v) && !isSensitive(v);

/** A deep copy of a spec that keeps Sensitive values as they are (they cannot be cloned). */
export function cloneSpec<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneSpec) as T;
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneSpec(x)])) as T;
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isSensitive(a) || isSensitive(b)) return isSensitive(a) && isSensitive(b) && a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Whether a desired spec still holds values known only after apply. */
export function hasUnknowns(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (isSensitive(v)) return false;
  if (Array.isArray(v)) return v.some(hasUnknowns);
  if (isPlainObject(v)) return Object.values(v).some(hasUnknowns);
  return false;
}
