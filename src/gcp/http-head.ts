// One HEAD request through node:http / node:https, for the Docker Registry API (registry.ts): the
// only call musectl makes outside Google's client libraries. Not fetch: Node loads fetch's engine
// (undici, ~500 KB of JavaScript) on its first use, ~18 ms of a plan that resolves an image, where
// node:http is already loaded by the clients.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HeadResponse {
  status: number;
  /** Lower-case names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: string;
}

/** Redirects followed, as many as a browser would not find odd (fetch follows 20). */
const MAX_REDIRECTS = 5;
/** No answer (not even headers) this long is a dropped connection, retried as one. */
const TIMEOUT_MS = 60_000;

/**
 * HEAD `url` with `headers`. A redirect is followed, as fetch does; an Authorization header goes
 * only to the origin it was meant for (fetch drops it on a cross-origin redirect too). Network
 * failures reject with Node's error (its `code`, e.g. ECONNRESET, is what the retry logic reads).
 */
export async function head(url: string, headers: Record<string, string>, timeoutMs = TIMEOUT_MS): Promise<HeadResponse> {
  let at = new URL(url);
  let sent = { ...headers };
  for (let hop = 0; ; hop++) {
    const res = await headOnce(at, sent, timeoutMs);
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || !location || hop >= MAX_REDIRECTS) return res;
    const next = new URL(location, at);
    if (next.origin !== at.origin) {
      const { authorization: _, ...rest } = sent;
      sent = rest;
    }
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
