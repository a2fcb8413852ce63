// The emulator is a service on a developer's machine, holding secret values: what it refuses before a
// request reaches an API. A Host header that is not a loopback name (DNS rebinding: a web page's own
// name pointed at 127.0.0.1) unless it is the --host the emulator was told to serve, or a Google API
// name a client was pointed at through a proxy; a browser request to /_emulator/* from another site
// (a web page must not reset the emulator or read its request log); bodies past a size limit; a
// gzip body that is not gzip; JSON nested deeper than Google's parsers take.
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** "Request payload size exceeds the limit: 10485760 bytes." is what Google's front end answers for a bigger API request body [V]. */
export const MAX_API_BODY_BYTES = 10 * 1024 * 1024;
/** Uploads (object media, resumable chunks, registry blobs) may be bigger; the emulator keeps them in memory. */
export const MAX_UPLOAD_BODY_BYTES = 256 * 1024 * 1024;
/** Protobuf's JSON parser refuses messages nested deeper than 100 levels (its default recursion limit). */
export const MAX_JSON_DEPTH = 100;

export class GuardError extends Error {
  constructor(
    readonly httpCode: number,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** Names a client may send when a proxy or a hosts entry points Google's hosts at the emulator: nobody else can own them. */
const GOOGLE_NAMES = [/\.googleapis\.com$/, /\.pkg\.dev$/, /(^|\.)gcr\.io$/];

/** The host name of a Host header (without the port). */
export function hostName(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0];
}

export function checkHost(header: string | undefined, boundHost: string | undefined): void {
  const name = hostName(header);
  if (!name) return; // HTTP/1.0 clients may send none; nothing to rebind.
  // Bound to every interface on purpose (--host 0.0.0.0): any name the machine is reached by is fine.
  if (boundHost === '0.0.0.0' || boundHost === '::') return;
  const bound = boundHost ? hostName(boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost) : '';
  if (LOOPBACK_NAMES.has(name) || name === bound || GOOGLE_NAMES.some((p) => p.test(name))) return;
  throw new GuardError(403, `Host ${name} is not served here: the emulator answers loopback names only (start it with --host ${name} to serve that name).`);
}

/** /_emulator/* answers only same-origin or non-browser requests (browsers send Sec-Fetch-Site and Origin). */
export function checkAdminCaller(headers: IncomingHttpHeaders): void {
  const site = String(headers['sec-fetch-site'] ?? '');
  if (site && site !== 'same-origin' && site !== 'none') {
    throw new GuardError(403, `The emulator's admin routes do not answer cross-site browser requests (Sec-Fetch-Site: ${site}).`);
  }
  const origin = headers.origin;
  if (origin && origin !== 'null') {
    let name = '';
    try {
      name = hostName(new URL(origin).host);
    } catch {
      name = '';
    }
    if (!LOOPBACK_NAMES.has(name)) throw new GuardError(403, `The emulator's admin routes do not answer requests from ${origin}.`);
  }
}

/** The body limit of a request path. */
export function bodyLimit(path: string): number {
  return path.startsWith('/upload/') || path.startsWith('/resumable/') || /^\/v2\/.+\/blobs\/uploads\//.test(path) ? MAX_UPLOAD_BODY_BYTES : MAX_API_BODY_BYTES;
}

/** Undoes Content-Encoding: gzip; a body that is not gzip is a client error, not a crash. */
export function decodeBody(raw: Buffer, encoding: string | string[] | undefined): Buffer {
  if (encoding !== 'gzip' || raw.length === 0) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_UPLOAD_BODY_BYTES });
  } catch {
    throw new GuardError(400, 'The request body is not valid gzip (Content-Encoding: gzip).');
  }
}

/** Throws when JSON text nests objects and arrays deeper than `max` (checked on the text, before parsing). */
export function checkJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) throw new GuardError(400, `Invalid JSON payload received. The message nests deeper than ${max} levels.`);
    } else if (c === 125 || c === 93) depth--;
  }
}
