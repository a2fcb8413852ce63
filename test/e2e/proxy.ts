// A loopback HTTP proxy in front of the emulator that answers chosen requests itself, for tests
// of what Google may do that the emulator does not on its own: echo a request in an error, or answer
// a poll with 429. Everything else is forwarded unchanged.
import { createServer, request, type Server } from 'node:http';

export interface Intercepted {
  method: string;
  url: string;
  body: Buffer;
}

/** Returns a reply to send instead of forwarding, or undefined to forward. */
export type Interceptor = (req: Intercepted) => { status: number; body: unknown } | undefined;

export function interceptingProxy(target: string, intercept: Interceptor): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const reply = intercept({ method: req.method ?? 'GET', url: req.url ?? '/', body });
      if (reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
        return;
      }
      const up = new URL(req.url ?? '/', target);
      const fwd = request(up, { method: req.method, headers: { ...req.headers, host: up.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      fwd.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}
