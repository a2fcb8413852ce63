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

const PATH_SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;

/** The value at a path as the diff writes them (a.b[2].c). */
export function valueAt(obj: unknown, path: string): unknown {
  if (!path) return obj;
  let cur: any = obj;
  for (const m of path.matchAll(PATH_SEGMENT)) {
    if (cur === undefined || cur === null) return undefined;
    cur = m[2] !== undefined ? cur[Number(m[2])] : cur[m[1]];
  }
  return cur;
}

/** Sets (or, with undefined, removes) the value at a path as the diff writes them, in place. */
export function setAt(obj: Record<string, any>, path: string, value: unknown): void {
  const segs = [...path.matchAll(PATH_SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
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
