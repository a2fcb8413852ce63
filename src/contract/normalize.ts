// Semantic equality of values Google writes differently from how people do: quantities, durations
// and case. Controllers apply these to both sides of a diff.
import { isUnknown } from './spec.js';

/** CPU as millicpu: "1" = "1000m" = 1 -> 1000. */
export function cpuMillis(v: unknown): unknown {
  if (typeof v === 'number') return Math.round(v * 1000);
  if (typeof v !== 'string') return v;
  const m = /^([0-9]+(?:\.[0-9]+)?)(m?)$/.exec(v.trim());
  if (!m) return v;
  return m[2] === 'm' ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Memory as bytes: "2Gi" = "2048Mi". */
export function memoryBytes(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(v.trim());
  if (!m) return v;
  return Math.round(Number(m[1]) * MEMORY_UNITS[m[2] ?? '']);
}

const DURATION_UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** Durations as seconds: "60s" = "1m" = 60, "1d" = "24h"; Google's proto form "60s" too. */
export function durationSeconds(v: unknown): unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'seconds' in v) {
    const d = v as { seconds?: string | number; nanos?: number };
    return Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9;
  }
  if (typeof v !== 'string') return v;
  let total = 0;
  let matched = '';
  for (const m of v.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|d|h|m|s)/g)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched += m[0];
  }
  return matched === v && matched ? Math.round(total * 1000) / 1000 : v;
}

/**
 * An instant as milliseconds since the epoch: RFC 3339 text ("2030-01-01T00:00:00Z" = "...00.000Z"),
 * or a proto Timestamp as gax hands it over ({seconds, nanos}).
 */
export function instantMs(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && 'seconds' in v) {
    const t = v as { seconds?: string | number; nanos?: number };
    return Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6);
  }
  if (typeof v !== 'string') return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : ms;
}

/** A list whose order means nothing (custom audiences, Cloud SQL instances), sorted for comparison. */
export const sorted = (v: unknown): unknown => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v].sort() : v);

export const upper = (v: unknown): unknown => (typeof v === 'string' ? v.toUpperCase() : v);
export const lower = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

/** Applies `fn` to the value at a dotted path with `[]` for every list element, in place. */
export function mapPath(obj: unknown, path: string, fn: (v: unknown) => unknown): void {
  const segments = path.split('.');
  const visit = (node: unknown, i: number): void => {
    if (node === null || typeof node !== 'object') return;
    const seg = segments[i];
    const isList = seg.endsWith('[]');
    const key = isList ? seg.slice(0, -2) : seg;
    const rec = node as Record<string, unknown>;
    if (!(key in rec) || rec[key] === undefined) return;
    if (isList) {
      const list = rec[key];
      if (!Array.isArray(list)) return;
      if (i === segments.length - 1) rec[key] = list.map((v) => (isUnknown(v) ? v : fn(v)));
      else for (const el of list) visit(el, i + 1);
    } else if (i === segments.length - 1) {
      if (!isUnknown(rec[key])) rec[key] = fn(rec[key]);
    } else {
      visit(rec[key], i + 1);
    }
  };
  visit(obj, 0);
}
