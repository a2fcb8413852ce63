// User values quoted in messages are cut to a short prefix: a 2 MB name must not come back as
// 2 MB of error output (and a terminal should not be flooded by one typo).

export const QUOTE_LIMIT = 64;

/** JSON-quoted, cut after `limit` characters with the full length said. */
export function quote(value: unknown, limit = QUOTE_LIMIT): string {
  if (typeof value === 'string')
    return value.length > limit ? `${JSON.stringify(value.slice(0, limit))}... (${value.length} characters)` : JSON.stringify(value);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = String(value);
  }
  if (json === undefined) return String(value);
  return json.length > limit ? `${json.slice(0, limit)}... (${json.length} characters)` : json;
}

/** A bare string cut the same way (for names inside a "Kind/name" subject). */
export function cut(s: string, limit = QUOTE_LIMIT): string {
  return s.length > limit ? `${s.slice(0, limit)}...(${s.length} characters)` : s;
}
