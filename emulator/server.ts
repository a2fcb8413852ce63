// The HTTP front: one pipeline for every API. Order per request: log and count, injected latency,
// settle due operations, route, injected fault, handler, persist, answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoute } from './admin.js';
import { DELIVERY_HEADER, type Emulator } from './emulator.js';
import { ApiError, type ErrorDialect, errorInfo, renderError } from './errors.js';
import type { FaultDecision } from './faults.js';
import { discoveryMethodFor, notEmulatedMessage } from './not-emulated.js';
import { applyFields, parseFields } from './partial-response.js';
import { bodyLimit, checkAdminCaller, checkHost, checkJsonDepth, decodeBody, GuardError, MAX_API_BODY_BYTES } from './request-guard.js';
import type { LoggedRequest } from './request-log.js';
import type { EmuRequest, EmuResponse, RouteMatch } from './router.js';

const FAULT_MESSAGES: Record<number, string> = {
  429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' (injected fault).",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
};

export function createHttpServer(emu: Emulator): Server {
  const server = createServer((req, res) => {
    const path = requestUrl(req).pathname;
    const limit = bodyLimit(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        const err = new GuardError(limit === MAX_API_BODY_BYTES ? 400 : 413, `Request payload size exceeds the limit: ${limit} bytes.`);
        refuse(res, err, path, true);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      let raw: Buffer;
      try {
        raw = decodeBody(Buffer.concat(chunks), req.headers['content-encoding']);
      } catch (err) {
        if (err instanceof GuardError) return refuse(res, err, path);
        throw err;
      }
      handle(emu, req, res, raw).catch((err) => {
        if (err instanceof GuardError) return refuse(res, err, path);
        process.stderr.write(`emulator: unhandled error: ${err?.stack ?? err}\n`);
        if (!res.headersSent) send(res, 500, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } });
      });
    });
  });
  // Google's front ends keep an idle client connection for 610 s ("GFE uses a client HTTP keepalive
  // timeout of 610 seconds", https://cloud.google.com/load-balancing/docs/https/request-distribution).
  // Node's 5 s default made a client that reused a socket idle for 5 s race the server's close and
  // fail with ECONNRESET, which Google's clients never meet. close() ends every connection itself.
  server.keepAliveTimeout = 610_000;
  return server;
}

/** A log entry for a request the log does not keep (the emulator's own): the handler still marks it answered. */
const unlogged = (method: string, path: string): LoggedRequest => ({ seq: 0, method, path, route: '', status: 0, start: 0, end: 0, body: '' });

/** The request target; an absolute-form target (what a client sends through a proxy) keeps its host. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://emulator');
  } catch {
    return new URL('http://emulator/');
  }
}

/** Answers a refused request in the dialect of the API its path belongs to. */
function refuse(res: ServerResponse, err: GuardError, path: string, close = false): void {
  if (res.headersSent) return;
  const apiErr = new ApiError(err.httpCode, err.message);
  send(res, err.httpCode, renderError(apiErr, dialectOf(path)), close ? { connection: 'close' } : {});
}

const dialectOf = (path: string): ErrorDialect => (/^\/(resumable\/)?(upload\/)?storage\//.test(path) ? 'storage' : 'google');

async function handle(emu: Emulator, req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
  const url = requestUrl(req);
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  checkHost(req.headers.host, emu.options.host);

  if (path.startsWith('/_emulator/')) {
    checkAdminCaller(req.headers);
    return admin(emu, method, path, url, raw, res);
  }

  // The emulator's own call (a Cloud Scheduler delivery) is not a client's: it is counted apart,
  // left out of the request log, and never given an injected fault.
  const delivery = req.headers[DELIVERY_HEADER] === emu.deliveryToken;
  if (delivery) delete req.headers[DELIVERY_HEADER];
  const entry = delivery ? unlogged(method, path) : emu.log.begin(method, path, raw);
  if (!delivery) emu.stats.total++;
  if (emu.options.latencyMs) await emu.clock.sleep(emu.options.latencyMs);
  if (emu.operations.settleDue()) emu.store.persist();

  const match = emu.router.match(method, path);
  const routeKey = match ? `${method} ${match.route.template}` : `${method} (unrouted)`;
  entry.route = routeKey;
  const counts = delivery ? emu.stats.deliveries : emu.stats.requests;
  counts[routeKey] = (counts[routeKey] ?? 0) + 1;
  const dialect: ErrorDialect = match?.route.dialect ?? dialectOf(path);

  if (!match) {
    const google = discoveryMethodFor(method, path);
    const err = google
      ? new ApiError(501, notEmulatedMessage(google), 'UNIMPLEMENTED')
      : emu.router.hasPath(path)
        ? new ApiError(405, `Method ${method} is not allowed for ${path}.`, 'UNIMPLEMENTED')
        : new ApiError(404, `The requested URL ${path} was not found on this server.`, 'NOT_FOUND');
    return finish(emu, res, entry, err.httpCode, renderError(err, dialect));
  }

  const fault: FaultDecision = delivery ? { kind: 'none' } : emu.faults.decide(method, path);
  if (fault.kind === 'status') {
    // A real 429 always names its reason: clients and retry policies read ErrorInfo.reason.
    const details = fault.code === 429 ? [errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com')] : [];
    const err = new ApiError(fault.code, FAULT_MESSAGES[fault.code], undefined, details, fault.code === 429 ? 'rateLimitExceeded' : 'backendError');
    return finish(emu, res, entry, fault.code, renderError(err, dialect));
  }
  if (fault.kind === 'drop' && !fault.afterEffect) return drop(emu, res, entry);

  let response: EmuResponse;
  try {
    const request = buildRequest(emu, method, url, req, raw, match);
    response = await match.route.handler(request);
    if (match.route.mutates) emu.store.persist();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // A failed mutation may still have changed state (e.g. provisioned a project): keep the file true.
    if (match.route.mutates) emu.store.persist();
    if (fault.kind === 'drop') return drop(emu, res, entry);
    return finish(emu, res, entry, err.httpCode, renderError(err, dialect), err.headers);
  }
  if (fault.kind === 'drop') return drop(emu, res, entry);
  const fields = url.searchParams.get('fields');
  if (fields && response.body !== undefined && !response.rawBody && (response.status ?? 200) < 300) {
    try {
      response = { ...response, body: applyFields(response.body, parseFields(fields)) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return finish(emu, res, entry, err.httpCode, renderError(err, dialect));
    }
  }
  if (response.rawBody) {
    emu.log.end(entry, response.status ?? 200);
    res.writeHead(entry.status, { 'content-type': 'application/octet-stream', 'content-length': String(response.rawBody.length), ...response.headers });
    res.end(response.rawBody);
    return;
  }
  return finish(emu, res, entry, response.status ?? 200, response.body, response.headers);
}

function buildRequest(emu: Emulator, method: string, url: URL, req: IncomingMessage, raw: Buffer, match: RouteMatch): EmuRequest {
  let body: unknown;
  const type = String(req.headers['content-type'] ?? '');
  // Object content (a Cloud Storage media upload or resumable chunk) is bytes, not a request
  // body, even when it looks like JSON.
  const isUpload = url.pathname.startsWith('/upload/') || url.pathname.startsWith('/resumable/upload/');
  const isObjectContent = isUpload && (url.searchParams.get('uploadType') === 'media' || url.searchParams.has('upload_id'));
  const text = raw.length > 0 && !type.startsWith('multipart/') && !isObjectContent ? raw.toString('utf8') : '';
  if (text && (type.includes('json') || /^\s*[[{]/.test(text))) {
    // A message nested past Google's limit is refused before it is parsed or stored.
    try {
      checkJsonDepth(text);
    } catch (err) {
      throw new ApiError(400, (err as Error).message, 'INVALID_ARGUMENT');
    }
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'Invalid JSON payload received. Unexpected token.', 'INVALID_ARGUMENT');
    }
  }
  const alt = url.searchParams.get('$alt') ?? '';
  return {
    method,
    route: `${method} ${match.route.template}`,
    params: match.params,
    query: url.searchParams,
    headers: req.headers,
    raw,
    body,
    enumInt: alt.includes('enum-encoding=int'),
    emu,
  };
}

async function admin(emu: Emulator, method: string, path: string, url: URL, raw: Buffer, res: ServerResponse): Promise<void> {
  const answer = await adminRoute(emu, `${method} ${path}`, url, raw);
  send(res, answer.status, answer.body);
}

function finish(emu: Emulator, res: ServerResponse, entry: LoggedRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
  emu.log.end(entry, status);
  send(res, status, body, headers);
}

function drop(emu: Emulator, res: ServerResponse, entry: LoggedRequest): void {
  emu.log.end(entry, -1);
  res.socket?.destroy();
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
