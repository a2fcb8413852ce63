// The generic diff, over spec form, after both sides went through the kind's normalizer. A field
// missing from the desired spec is not managed (the schema filled every default it has, so only
// fields Google chooses for itself are missing); anything else that differs is a change.
import { cloneSpec, deepEqual, isPlainObject, isSensitive, isUnknown, valueAt } from '../contract/spec.js';

export interface FieldChange {
  /** Dotted path with list indexes: template.containers[0].env[2].value */
  path: string;
  before: unknown;
  after: unknown;
  /** The field decides who can reach the resource (schema: x-musectl-security). */
  security?: true;
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
