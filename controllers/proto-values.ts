// How gax hands proto well-known values over and takes them back: a Duration as {seconds, nanos}
// (a manifest writes "60s", 60 or "1m"), a Timestamp as {seconds, nanos} (a manifest writes RFC 3339).
import { durationSeconds } from '../src/contract/normalize.js';

type ProtoTime = { seconds?: number | string | { toString(): string } | null; nanos?: number | null };

export const protoDuration = (seconds: number) => ({ seconds: String(Math.floor(seconds)), nanos: Math.round((seconds % 1) * 1e9) });

/** A duration of a manifest for the API ("60s", 60 or "1m"). */
export const apiDuration = (v: unknown) => protoDuration(durationSeconds(v) as number);

/** An RFC 3339 time of a manifest for the API. */
export function protoTimestamp(iso: string): { seconds: string; nanos: number } {
  const ms = Date.parse(iso);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

/** A Timestamp from gax as RFC 3339 text (what a manifest writes, and status's "last change"); none when unset. */
export function isoTime(t: ProtoTime | string | null | undefined): string | undefined {
  if (!t) return undefined;
  if (typeof t === 'string') return t;
  if (t.seconds === undefined || t.seconds === null) return undefined;
  const ms = Number(String(t.seconds)) * 1000 + Math.round((t.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

/** A Duration from gax as "Ns" (what a manifest writes). */
export function durationText(d: ProtoTime | string | null | undefined): string | undefined {
  if (!d) return undefined;
  if (typeof d === 'string') return d;
  const seconds = Number(String(d.seconds ?? 0)) + (d.nanos ?? 0) / 1e9;
  return `${seconds}s`;
}
