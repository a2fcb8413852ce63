// What an error that escaped a command means for the user. Exit 70 is for bugs only: an error the
// environment caused (Google's answer, the network, the file system, missing credentials) is one
// line saying what and what to do, and exit 1.
import { afterCall, httpStatus, isNetworkError, oneLine } from '../gcp/errors.js';
import { NO_CREDENTIALS_HINT } from '../gcp/preflight.js';
import { scrub } from '../gcp/scrub.js';
import { errnoWords } from '../manifest/read-file.js';

const NETWORK = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const HINTS: Record<number, string> = {
  400: 'Google refused the request as invalid; if the manifests passed `musectl validate`, please report it.',
  401: 'The credentials were refused: renew them (`gcloud auth application-default login`) or check GOOGLE_APPLICATION_CREDENTIALS.',
  403: 'The credentials lack a permission, or the project does not exist or the API is not enabled: see "IAM roles for the CI service accounts" in the README.',
  404: 'Check the project id (--project) and the region.',
  429: 'A quota was exhausted: wait a minute and run again, or ask for a higher quota.',
};

/** One line (and a hint) for an error a user can act on, or undefined for a bug. */
export function describeFailure(err: unknown): { message: string; hint?: string } | undefined {
  const e = (err ?? {}) as { code?: unknown; syscall?: unknown; path?: unknown; message?: unknown; hostname?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (/Could not load the default credentials/i.test(message)) return { message: 'no Application Default Credentials were found', hint: NO_CREDENTIALS_HINT };
  // The call Google refused or could not be reached for, first: "list services in projects/p/locations/r: ...".
  const status = httpStatus(err);
  if (status !== undefined) {
    return {
      message: oneLine(err),
      hint: oauthRefusal(err) ? TOKEN_REFUSED_HINT : (HINTS[status] ?? (status >= 500 ? 'A server error: run again in a while.' : undefined)),
    };
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (isNetworkError(err) || (code && NETWORK.has(code))) {
    const host = typeof e.hostname === 'string' ? ` ${e.hostname}` : '';
    return {
      message: afterCall(err, `cannot reach Google Cloud${host}: ${scrub(firstLine(message)) || code}`),
      hint: 'Check the network connection (and a proxy), then run again.',
    };
  }
  if (code && typeof e.syscall === 'string') {
    const path = typeof e.path === 'string' ? ` ${e.path}` : '';
    return { message: `${e.syscall}${path}: ${errnoWords(code)}` };
  }
  return undefined;
}

const firstLine = (s: string): string => s.split('\n')[0];

const TOKEN_REFUSED_HINT =
  "Google's token service refused the credentials (expired or revoked, a deleted service account key, or this machine's clock far off): renew them (`gcloud auth application-default login`) or check GOOGLE_APPLICATION_CREDENTIALS.";

/**
 * An OAuth 2.0 error from the token endpoint (RFC 6749 section 5.2: invalid_grant, invalid_client,
 * ...), which answers 400 or 401: about the credentials, not the request musectl made.
 */
function oauthRefusal(err: unknown): boolean {
  const data = (err as { response?: { data?: unknown } })?.response?.data;
  const code = typeof data === 'object' && data !== null ? (data as { error?: unknown }).error : undefined;
  return typeof code === 'string' && /^(invalid_grant|invalid_client|unauthorized_client|invalid_scope|invalid_request|unsupported_grant_type)$/.test(code);
}
