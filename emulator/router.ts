// Route table for Google's REST paths. A template names its variables in braces and may end in a
// custom verb (`/v2/projects/{project}/locations/{location}/services/{service}:getIamPolicy`).
// Segments are matched before percent-decoding, so an object name with an encoded '/' (a%2Fb) stays
// one segment, as Cloud Storage expects.
import type { IncomingHttpHeaders } from 'node:http';
import type { Emulator } from './emulator.js';
import type { ErrorDialect } from './errors.js';

export interface EmuRequest {
  method: string;
  /** Route template that matched, e.g. "GET /storage/v1/b/{bucket}". Used for stats and quotas. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw request body. */
  raw: Buffer;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any;
  /** True when the client asked for enums as numbers ($alt=json;enum-encoding=int). */
  enumInt: boolean;
  emu: Emulator;
}

export interface EmuResponse {
  status?: number;
  body?: unknown;
  /** Sent as-is instead of JSON (object media downloads). */
  rawBody?: Buffer;
  headers?: Record<string, string>;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface RouteOptions {
  /** Error dialect of the API (Cloud Storage has its own). */
  dialect?: ErrorDialect;
  /** Quota metric charged for this call, if any (see quota.ts). */
  quota?: string;
  /** True for calls that change state: the state file is written after them. */
  mutates?: boolean;
  /**
   * Its ids never hold a ':' (Cloud Scheduler's job ids), so a path ending in `:verb` is never one
   * of its resources, even when no route has that verb (another API's method on the same path).
   */
  noColonInIds?: boolean;
}

interface Route extends RouteOptions {
  method: string;
  template: string;
  segments: string[];
  verb?: string;
  handler: Handler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler, opts: RouteOptions = {}): void {
    const [pathPart, verb] = splitVerb(template);
    this.routes.push({ method, template, segments: pathPart.split('/').filter(Boolean), verb, handler, ...opts });
  }

  get(t: string, h: Handler, o: RouteOptions = {}): void {
    this.add('GET', t, h, o);
  }
  post(t: string, h: Handler, o: RouteOptions = {}): void {
    this.add('POST', t, h, { mutates: true, ...o });
  }
  patch(t: string, h: Handler, o: RouteOptions = {}): void {
    this.add('PATCH', t, h, { mutates: true, ...o });
  }
  put(t: string, h: Handler, o: RouteOptions = {}): void {
    this.add('PUT', t, h, { mutates: true, ...o });
  }
  delete(t: string, h: Handler, o: RouteOptions = {}): void {
    this.add('DELETE', t, h, { mutates: true, ...o });
  }

  match(method: string, rawPath: string): RouteMatch | undefined {
    const [pathPart, verb] = splitVerb(rawPath);
    // A ':' in the last segment is a custom verb, unless no route has that verb: Cloud Storage
    // object names may hold a literal ':' (encodeURIComponent leaves it alone).
    return this.matchSplit(method, pathPart, verb) ?? (verb ? this.matchSplit(method, rawPath, undefined, true) : undefined);
  }

  private matchSplit(method: string, pathPart: string, verb: string | undefined, verbInId = false): RouteMatch | undefined {
    const segments = pathPart.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.verb !== verb || route.segments.length !== segments.length) continue;
      if (verbInId && route.noColonInIds) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const t = route.segments[i];
        if (t.startsWith('{') && t.endsWith('}')) {
          params[t.slice(1, -1)] = decodeURIComponent(segments[i]);
        } else if (t !== segments[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** True when some route has this path with another method (405 rather than 404). */
  hasPath(rawPath: string): boolean {
    return this.routes.some((r) => this.match(r.method, rawPath)?.route === r);
  }
}

/** Splits a trailing `:verb` off the last segment. */
function splitVerb(path: string): [string, string | undefined] {
  const lastSlash = path.lastIndexOf('/');
  const colon = path.indexOf(':', lastSlash + 1);
  if (colon < 0) return [path, undefined];
  return [path.slice(0, colon), path.slice(colon + 1)];
}
