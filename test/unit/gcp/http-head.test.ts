import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryable } from '../../../src/gcp/errors.js';
import { head, MAX_REDIRECTS, RedirectError } from '../../../src/gcp/http-head.js';

const servers: Server[] = [];
async function serve(handle: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('head', () => {
  it('sends a HEAD with the headers and gives the status and headers', async () => {
    let seen: IncomingMessage | undefined;
    const base = await serve((req, res) => {
      seen = req;
      res.writeHead(200, { 'docker-content-digest': 'sha256:abc' }).end();
    });
    const res = await head(`${base}/v2/p/r/i/manifests/1`, { accept: 'application/json', authorization: 'Bearer t' });
    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe('sha256:abc');
    expect(seen?.method).toBe('HEAD');
    expect(seen?.url).toBe('/v2/p/r/i/manifests/1');
    expect(seen?.headers.authorization).toBe('Bearer t');
  });

  it('follows a redirect, and keeps the credentials only on their own origin', async () => {
    const auth: Record<string, string | undefined> = {};
    const other = await serve((req, res) => {
      auth.other = req.headers.authorization;
      res.writeHead(200, { 'docker-content-digest': 'sha256:def' }).end();
    });
    const base = await serve((req, res) => {
      if (req.url === '/first') {
        auth.first = req.headers.authorization;
        res.writeHead(307, { location: '/second' }).end();
      } else {
        auth.second = req.headers.authorization;
        res.writeHead(302, { location: `${other}/third` }).end();
      }
    });
    const res = await head(`${base}/first`, { authorization: 'Bearer t' });
    expect(res).toMatchObject({ status: 200, url: `${other}/third` });
    expect(auth).toEqual({ first: 'Bearer t', second: 'Bearer t', other: undefined });
  });

  it('gives up after 5 redirects with an error that names the last Location, not retried', async () => {
    let hops = 0;
    const base = await serve((_req, res) => {
      hops++;
      res.writeHead(302, { location: `/again${hops}` }).end();
    });
    const err = await head(`${base}/loop`, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedirectError);
    expect((err as Error).message).toBe(`${base} redirected more than ${MAX_REDIRECTS} times (the last time to "/again6")`);
    expect(hops).toBe(MAX_REDIRECTS + 1);
    expect(isRetryable(err)).toBe(false);
  });

  it('refuses a Location that is no http(s) URL with an error that names it', async () => {
    for (const location of ['http://[::1', 'ftp://127.0.0.1/x', 'file:///etc/passwd']) {
      const base = await serve((_req, res) => res.writeHead(302, { location }).end());
      const err = await head(`${base}/x`, { authorization: 'Bearer t' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedirectError);
      expect((err as Error).message).toBe(`${base} answered 302 with Location ${JSON.stringify(location)}, which is no http(s) URL`);
      expect((err as Error).message).not.toContain('Bearer');
      expect(isRetryable(err)).toBe(false);
    }
  });

  it('drops the credentials on a cross-origin redirect whatever the case of their header name', async () => {
    let seen: string | undefined = 'unset';
    const other = await serve((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(200).end();
    });
    const base = await serve((_req, res) => res.writeHead(301, { location: `${other}/y` }).end());
    expect((await head(`${base}/x`, { Authorization: 'Bearer t' })).status).toBe(200);
    expect(seen).toBeUndefined();
  });

  it('rejects a refused connection or no answer with an error the retry logic retries', async () => {
    const closed = await serve(() => undefined);
    const refusedUrl = `${closed}/x`;
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const refused = await head(refusedUrl, {}).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isRetryable(refused)).toBe(true);

    const silent = await serve(() => undefined); // never answers
    const timedOut = await head(`${silent}/x`, {}, 200).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: 'ETIMEDOUT' });
    expect(String((timedOut as Error).message)).toContain('no answer');
    expect(isRetryable(timedOut)).toBe(true);
  });
});
