// One HEAD request through node:http / node:https, for the Docker Registry API (registry.ts): the
// only call musectl makes outside Google's client libraries. Not fetch: its first request costs
// ~5-7 ms more than node:http's (measured with a plan's libraries loaded; they load fetch's engine,
// undici, for its Headers class anyway).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HeadResponse {
  status: number;
  /** Lower-case names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: string;
}

/** A redirect that cannot be followed: to no http(s) URL, or one too many. Not worth retrying. */
export class RedirectError extends Error {}

/** Redirects followed, as many as a registry has any reason to send (fetch follows 20). */
export const MAX_REDIRECTS = 5;
/** No answer (not even headers) this long is a dropped connection, retried as one: a registry answers a HEAD in well under a second. */
const TIMEOUT_MS = 15_000;

/**
 * HEAD `url` with `headers`. A redirect is followed, as fetch does; an Authorization header goes
 * only to the origin it was meant for (fetch drops it on a cross-origin redirect too). Network
 * failures reject with Node's error (its `code`, e.g. ECONNRESET, is what the retry logic reads);
 * a redirect that cannot be followed rejects with a RedirectError that names where it pointed.
 */
export async function head(url: string, headers: Record<string, string>, timeoutMs = TIMEOUT_MS): Promise<HeadResponse> {
  let at = new URL(url);
  let sent = { ...headers };
  for (let hop = 0; ; hop++) {
    const res = await headOnce(at, sent, timeoutMs);
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
    if (hop >= MAX_REDIRECTS)
      throw new RedirectError(`${at.origin} redirected more than ${MAX_REDIRECTS} times (the last time to ${JSON.stringify(location)})`);
    const next = URL.canParse(location, at.href) ? new URL(location, at) : undefined;
    if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:'))
      throw new RedirectError(`${at.origin} answered ${res.status} with Location ${JSON.stringify(location)}, which is no http(s) URL`);
    if (next.origin !== at.origin) sent = Object.fromEntries(Object.entries(sent).filter(([name]) => name.toLowerCase() !== 'authorization'));
    at = next;
  }
}

function headOnce(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<HeadResponse> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'HEAD', headers, timeout: timeoutMs }, (res) => {
      res.resume(); // a HEAD answer has no body; this ends the response and frees the socket
      resolve({ status: res.statusCode ?? 0, headers: res.headers, url: url.href });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from ${url.origin} in ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
