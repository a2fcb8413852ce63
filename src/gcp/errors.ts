// What a failed call means, whichever client made it. In REST mode the gax clients reject with
// the HTTP status in `code` (404), not the gRPC code (5) (../shared/CLIENTS.md); the storage and
// googleapis clients use HTTP statuses too; network failures carry Node's errno codes. Every test
// here accepts all the forms.

import { scrub } from './scrub.js';

const GRPC_TO_HTTP: Record<number, number> = {
  3: 400, // INVALID_ARGUMENT
  4: 504, // DEADLINE_EXCEEDED
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  8: 429, // RESOURCE_EXHAUSTED
  9: 400, // FAILED_PRECONDITION
  10: 409, // ABORTED
  13: 500, // INTERNAL
  14: 503, // UNAVAILABLE
  16: 401, // UNAUTHENTICATED
};

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

type AnyError = { code?: unknown; status?: unknown; response?: { status?: unknown; headers?: unknown }; message?: unknown; cause?: unknown; errors?: unknown };

/** The HTTP status a failed call stands for, or undefined for a network failure. */
export function httpStatus(err: unknown): number | undefined {
  const e = (err ?? {}) as AnyError;
  if (typeof e.response?.status === 'number') return e.response.status;
  if (typeof e.status === 'number' && e.status >= 100) return e.status;
  if (typeof e.code === 'number') {
    if (e.code >= 100) return e.code;
    return GRPC_TO_HTTP[e.code];
  }
  if (typeof e.code === 'string' && /^\d{3}$/.test(e.code)) return Number(e.code);
  return undefined;
}

/** The canonical status word in the error body (ABORTED, ALREADY_EXISTS, ...), when there is one. */
export function canonicalStatus(err: unknown): string | undefined {
  const e = (err ?? {}) as AnyError & { statusDetails?: unknown; note?: unknown };
  if (typeof e.status === 'string') return e.status;
  // googleapis clients (gaxios) keep the parsed error body on the response.
  const body = (e.response as { data?: { error?: { status?: unknown } } } | undefined)?.data?.error?.status;
  if (typeof body === 'string') return body;
  const msg = typeof e.message === 'string' ? e.message : '';
  const m = /"status"\s*:\s*"([A-Z_]+)"/.exec(msg);
  if (m) return m[1];
  if (typeof e.code === 'number' && e.code === 10) return 'ABORTED';
  return undefined;
}

export function isNetworkError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const x = e as AnyError & { type?: unknown; name?: unknown };
    if (typeof x.code === 'string' && NETWORK_CODES.has(x.code)) return true;
    const msg = typeof x.message === 'string' ? x.message : '';
    if (/socket hang up|other side closed|ECONNRESET|network socket disconnected|fetch failed|premature close/i.test(msg)) return true;
    e = x.cause;
  }
  return false;
}

export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
export const isAlreadyExists = (err: unknown): boolean => httpStatus(err) === 409 && canonicalStatus(err) !== 'ABORTED';
/** A read-modify-write lost a race: 409 ABORTED (One Platform APIs) or 412 (Cloud Storage). */
export const isConcurrentChange = (err: unknown): boolean => httpStatus(err) === 412 || (httpStatus(err) === 409 && canonicalStatus(err) === 'ABORTED');

/** Worth retrying: quota, server errors, unavailability and dropped connections. */
export function isRetryable(err: unknown): boolean {
  if (isNetworkError(err)) return true;
  const status = httpStatus(err);
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Seconds from a Retry-After header, if the server sent one. */
export function retryAfterMs(err: unknown): number | undefined {
  const headers = ((err ?? {}) as AnyError).response?.headers as Record<string, string> | { get?: (k: string) => string | null } | undefined;
  if (!headers) return undefined;
  const raw =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get: (k: string) => string | null }).get('retry-after')
      : (headers as Record<string, string>)['retry-after'];
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Names the call an error came from (api-call.ts: "list services in projects/p/locations/r"), so
 * that what reports it can say which call Google refused. The first name given stays: a call made
 * inside another (a wait's poll) is the one that failed.
 */
export function markCall(err: unknown, what: string): void {
  if (err !== null && typeof err === 'object' && !Object.hasOwn(err, 'call')) Object.defineProperty(err, 'call', { value: what, configurable: true });
}

/** The call an error came from, when it came from one (markCall). */
function callOf(err: unknown): string | undefined {
  const call = (err as { call?: unknown } | null)?.call;
  return typeof call === 'string' ? call : undefined;
}

/** `text` about an error, after the call it came from when there is one: "read project p: ...". */
export function afterCall(err: unknown, text: string): string {
  const what = callOf(err);
  return what ? `${what}: ${text}` : text;
}

/** What Google answered, in one line: its HTTP status, canonical code and message; undefined for an error with no answer. */
function googleAnswer(err: unknown): string | undefined {
  const status = httpStatus(err);
  if (status === undefined) return undefined;
  const canonical = canonicalStatus(err);
  return `Google Cloud answered ${status}${canonical ? ` ${canonical}` : ''}: ${errorMessage(err)}`;
}

/** An error in one line for a log or a status file: the call it came from, then Google's answer (or the error's message). */
export function oneLine(err: unknown): string {
  return afterCall(err, googleAnswer(err) ?? errorMessage(err));
}

/**
 * The server's message, without the client's wrapping, scrubbed of secret values (a server may
 * echo the request), and with the number of attempts when retries gave up.
 */
export function errorMessage(err: unknown): string {
  const attempts = (err as { attempts?: unknown } | null)?.attempts;
  const suffix = typeof attempts === 'number' && attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
  return scrub(serverMessage(err)) + suffix;
}

function serverMessage(err: unknown): string {
  const e = (err ?? {}) as AnyError & { details?: unknown };
  const msg = typeof e.message === 'string' ? e.message : String(err);
  // gax REST errors carry the whole JSON body as the message.
  try {
    const parsed = JSON.parse(msg) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON
  }
  if (typeof e.details === 'string' && e.details) return e.details;
  return msg.split('\n')[0];
}
