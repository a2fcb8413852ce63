// Secret values never reach the user's screen or logs, even when a server echoes a request in its
// error text ("Invalid payload: <the base64 payload>"). Every value musectl reads from a secret's
// source, or from Secret Manager, is registered here, and every error message and log line is
// scrubbed of it in the forms a server may echo: as is, base64 (standard and URL-safe, with and
// without padding), URL-encoded and JSON-escaped.

const REDACTED = '(redacted secret value)';
/** Shorter values would match ordinary words in a message; such a value is no secret worth the name anyway. */
const MIN_SCRUB_LENGTH = 4;

const forms = new Set<string>();
let pattern: RegExp | undefined;

/** Registers a secret value; every later scrub() removes it. */
export function registerSecret(value: Buffer | string): void {
  const buf = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const text = buf.toString('utf8');
  const b64 = buf.toString('base64');
  const candidates = [
    text,
    text.trim(),
    b64,
    b64.replace(/=+$/, ''),
    buf.toString('base64url'),
    encodeURIComponent(text),
    encodeURIComponent(text).replace(/%20/g, '+'),
    JSON.stringify(text).slice(1, -1),
  ];
  let added = false;
  for (const c of candidates) {
    if (c.length >= MIN_SCRUB_LENGTH && !forms.has(c)) {
      forms.add(c);
      added = true;
    }
  }
  if (added) pattern = undefined;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every registered secret value replaced, longest forms first. */
export function scrub(text: string): string {
  if (forms.size === 0 || !text) return text;
  pattern ??= new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return text.replace(pattern, REDACTED);
}

/** A copy of a log argument with every string scrubbed (objects and arrays walked, bounded). */
export function scrubDeep(v: unknown, depth = 0): unknown {
  if (forms.size === 0) return v;
  if (typeof v === 'string') return scrub(v);
  if (depth > 8 || v === null || typeof v !== 'object') return v;
  if (v instanceof Error) {
    const copy = new Error(scrub(v.message));
    copy.name = v.name;
    copy.stack = v.stack ? scrub(v.stack) : undefined;
    return copy;
  }
  if (Array.isArray(v)) return v.map((x) => scrubDeep(x, depth + 1));
  if (Buffer.isBuffer(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubDeep(x, depth + 1)]));
}
