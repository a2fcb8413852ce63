// Values in spec form (the manifest's shape) that every part shares: placeholders for outputs
// known only after apply, secret values that must never be printed, and the deep helpers that
// treat both correctly. Controllers and the engine both work on specs; neither owns these.

/** A value only known once another resource exists, e.g. a new service's URL. */
export interface Unknown {
  $unknown: string;
}
export const unknown = (what: string): Unknown => ({ $unknown: what });
export const isUnknown = (v: unknown): v is Unknown => typeof v === 'object' && v !== null && '$unknown' in v;

/**
 * A secret value in a spec. The value itself stays in `reveal()` (a closure, so neither
 * JSON.stringify nor a logger can print it); plans and reports only ever say it is sensitive.
 */
export interface Sensitive {
  $sensitive: true;
  /** Compares without revealing; used by the diff. */
  equals(other: Sensitive): boolean;
  reveal(): Buffer;
  toJSON(): string;
}

export const SENSITIVE_TEXT = '(sensitive value)';

export function sensitive(value: Buffer): Sensitive {
  const copy = Buffer.from(value);
  return {
    $sensitive: true,
    equals: (other) => other.reveal().equals(copy),
    reveal: () => Buffer.from(copy),
    toJSON: () => SENSITIVE_TEXT,
  };
}

export const isSensitive = (v: unknown): v is Sensitive => typeof v === 'object' && v !== null && (v as { $sensitive?: unknown }).$sensitive === true;

export const isPlainObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v) && !isSensitive(v);

/** A deep copy of a spec that keeps Sensitive values as they are (they cannot be cloned). */
export function cloneSpec<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneSpec) as T;
  if (isPlainObject(v)) {
    // A loop, not Object.fromEntries(Object.entries(...)): a plan clones every spec twice, and the
    // intermediate arrays were a good part of its garbage at 1,000 resources.
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      // A key "__proto__" (YAML allows it) stays a key, as Object.fromEntries made it, not the prototype.
      if (k === '__proto__') Object.defineProperty(out, k, { value: cloneSpec(v[k]), enumerable: true, writable: true, configurable: true });
      else out[k] = cloneSpec(v[k]);
    }
    return out as T;
  }
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

/**
 * In spec form null means "none": an optional setting (a probe, a VPC connector, the other forms
 * of a oneOf) that Google must not have. A desired spec says so for what the manifest leaves out,
 * so that removing a setting from a manifest removes it from Google too; the diff takes an absent
 * actual value as equal to it.
 */
export function noneWhereAbsent(obj: Record<string, any>, keys: readonly string[]): Record<string, any> {
  for (const k of keys) if (obj[k] === undefined) obj[k] = null;
  return obj;
}

/** A copy without the nulls (the "none" of spec form): what an API call or an exported manifest carries. */
export function withoutNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutNulls) as T;
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (x === null ? [] : [[k, withoutNulls(x)]]))) as T;
  return v;
}

/** Whether two spec values are the same, a null (none, in spec form) counting as absent: the plan's reading. */
export const sameSpec = (a: unknown, b: unknown): boolean => deepEqual(withoutNulls(a) ?? undefined, withoutNulls(b) ?? undefined);

/** Whether a desired spec still holds values known only after apply. */
export function hasUnknowns(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (isSensitive(v)) return false;
  if (Array.isArray(v)) return v.some(hasUnknowns);
  if (isPlainObject(v)) return Object.values(v).some(hasUnknowns);
  return false;
}

/**
 * Change paths as the diff writes them: fields joined by dots, list items by index ([2]) or, in a
 * list keyed by a property of its items (env vars by name, traffic targets by tag), by that key
 * ([LOG_LEVEL]). A key made of digits is quoted (["8080"]) so it never reads as an index.
 */
const PATH_SEGMENT = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]|\[([^\]]+)\]/g;

/** The properties a keyed list's items are matched by (schema: x-musectl-key). */
const ITEM_KEYS = ['name', 'tag', 'mountPath'] as const;

type Segment = { field: string } | { index: number } | { key: string };

function segments(path: string): Segment[] {
  return [...path.matchAll(PATH_SEGMENT)].map((m) =>
    m[1] !== undefined ? { field: m[1] } : m[2] !== undefined ? { index: Number(m[2]) } : { key: m[3] ?? m[4] },
  );
}

/** The path segment of a keyed list item. */
export const keySegment = (key: string): string => (/^\d+$/.test(key) || /[\]"]/.test(key) ? `[${JSON.stringify(key)}]` : `[${key}]`);

/** A path with every list position ([2], [LOG_LEVEL]) as [], for matching against schema paths. */
export const pathPattern = (path: string): string => path.replace(/\[("[^"]*"|[^\]]*)\]/g, '[]');

function step(cur: any, seg: Segment): { parent: any; at: string | number } | undefined {
  if ('field' in seg) return { parent: cur, at: seg.field };
  if (!Array.isArray(cur)) return undefined;
  if ('index' in seg) return { parent: cur, at: seg.index };
  const i = cur.findIndex((item) => isPlainObject(item) && ITEM_KEYS.some((k) => item[k] === seg.key));
  return i >= 0 ? { parent: cur, at: i } : undefined;
}

/** The value at a path as the diff writes them (a.b[2].c, env[LOG_LEVEL].value). */
export function valueAt(obj: unknown, path: string): unknown {
  if (!path) return obj;
  let cur: any = obj;
  for (const seg of segments(path)) {
    if (cur === undefined || cur === null) return undefined;
    const s = step(cur, seg);
    if (!s) return undefined;
    cur = s.parent[s.at];
  }
  return cur;
}

/** Sets (or, with undefined, removes) the value at a path as the diff writes them, in place. */
export function setAt(obj: Record<string, any>, path: string, value: unknown): void {
  const segs = segments(path);
  let cur: any = obj;
  for (const seg of segs.slice(0, -1)) {
    const s = step(cur, seg);
    if (!s || s.parent[s.at] === undefined || s.parent[s.at] === null) return;
    cur = s.parent[s.at];
  }
  const last = segs[segs.length - 1];
  const s = step(cur, last);
  if (!s) {
    // A keyed item that is not there yet: added at the end.
    if ('key' in last && Array.isArray(cur) && value !== undefined) cur.push(value);
    return;
  }
  if (value === undefined) {
    if (Array.isArray(s.parent) && typeof s.at === 'number') s.parent.splice(s.at, 1);
    else delete s.parent[s.at];
  } else {
    s.parent[s.at] = value;
  }
}
