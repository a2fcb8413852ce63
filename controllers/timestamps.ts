// A google.protobuf.Timestamp as gax hands it over ({seconds, nanos}, seconds a number, string or
// Long), as ISO 8601 for people (status's "last change").
type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

export function isoTime(t: Timestamp): string | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  const ms = Number(String(t.seconds)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}
