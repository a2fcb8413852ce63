// The generic diff, over spec form, after both sides went through the kind's normalizer. A field
// missing from the desired spec is not managed (the schema filled every default it has, so only
// fields Google chooses for itself are missing); a field the desired spec has as null must be absent
// (an optional setting such as a probe or a VPC connector that the manifest leaves out: Google's
// default is none), and one Google has is a change; anything else that differs is a change. Lists
// whose items have a key (env vars by name; the schema's x-musectl-key) are compared item by key,
// so inserting one env var is one change, not every later one shifted.
import { cloneSpec, deepEqual, isPlainObject, isSensitive, isUnknown, keySegment, pathPattern, sameSpec, valueAt, withoutNulls } from '../contract/spec.js';

export interface FieldChange {
  /** Dotted path, list items by index or key: template.containers[0].env[LOG_LEVEL].value */
  path: string;
  before: unknown;
  after: unknown;
  /** The field decides who can reach the resource (schema: x-musectl-security). */
  security?: true;
}

export interface DiffOptions {
  /** Whether the value at a path pattern (list indexes as []) is a map, whose every key is managed. */
  isMap?: (pattern: string) => boolean;
  /** The property the items of the list at a path pattern are matched by, if they are matched by key. */
  listKey?: (pattern: string) => string | undefined;
}

interface Walk {
  out: FieldChange[];
  isMap: (p: string) => boolean;
  listKey: (p: string) => string | undefined;
}

export function diffSpecs(desired: unknown, actual: unknown, opts: DiffOptions = {}): FieldChange[] {
  const w: Walk = { out: [], isMap: opts.isMap ?? (() => false), listKey: opts.listKey ?? (() => undefined) };
  walk(desired, actual, '', w);
  return w.out;
}

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

function walk(desired: unknown, actual: unknown, path: string, w: Walk): void {
  if (desired === undefined) return; // not managed
  if (desired === null) {
    if (actual !== undefined && actual !== null) w.out.push({ path, before: actual, after: null });
    return;
  }
  if (isUnknown(desired)) {
    w.out.push({ path, before: actual, after: desired });
    return;
  }
  if (isSensitive(desired)) {
    if (!(isSensitive(actual) && desired.equals(actual))) w.out.push({ path, before: actual, after: desired });
    return;
  }
  if (isPlainObject(desired) && isPlainObject(actual)) {
    if (w.isMap(pathPattern(path))) {
      // Every key of a map is managed: one only Google has is a change too (a null inside is none).
      if (!sameSpec(desired, actual)) w.out.push({ path, before: actual, after: desired });
      return;
    }
    for (const key of Object.keys(desired)) walk(desired[key], actual[key], join(path, key), w);
    return;
  }
  if (Array.isArray(desired) && Array.isArray(actual)) {
    const key = w.listKey(pathPattern(path));
    if (key) walkKeyed(desired, actual, path, key, w);
    else walkByPosition(desired, actual, path, w);
    return;
  }
  if (!deepEqual(desired, actual)) w.out.push({ path, before: actual, after: shown(desired) });
}

/** A value that is added whole, as the plan shows it: its nulls (none, in spec form) left out. */
const shown = (v: unknown): unknown => (isPlainObject(v) || Array.isArray(v) ? withoutNulls(v) : v);

function walkByPosition(desired: unknown[], actual: unknown[], path: string, w: Walk): void {
  const n = Math.max(desired.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (i >= desired.length) w.out.push({ path: `${path}[${i}]`, before: actual[i], after: undefined });
    else if (i >= actual.length) w.out.push({ path: `${path}[${i}]`, before: undefined, after: shown(desired[i]) });
    else walk(desired[i], actual[i], `${path}[${i}]`, w);
  }
}

/**
 * Items matched by their key; those without one (an unnamed container) by their position among
 * the unkeyed. An item only one side has is one change, shown as the whole item.
 */
function walkKeyed(desired: unknown[], actual: unknown[], path: string, key: string, w: Walk): void {
  const keyOf = (item: unknown): string | undefined => (isPlainObject(item) && typeof item[key] === 'string' && item[key] !== '' ? item[key] : undefined);
  const keyed = (items: unknown[]) => new Map(items.flatMap((item) => (keyOf(item) !== undefined ? [[keyOf(item)!, item] as const] : [])));
  const [want, have] = [keyed(desired), keyed(actual)];
  for (const [k, item] of want) {
    const at = `${path}${keySegment(k)}`;
    if (have.has(k)) walk(item, have.get(k), at, w);
    else w.out.push({ path: at, before: undefined, after: shown(item) });
  }
  for (const [k, item] of have) if (!want.has(k)) w.out.push({ path: `${path}${keySegment(k)}`, before: item, after: undefined });
  walkByPosition(
    desired.filter((x) => keyOf(x) === undefined),
    actual.filter((x) => keyOf(x) === undefined),
    path,
    w,
  );
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
