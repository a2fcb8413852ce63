// Helpers shared by the API modules: wire encoding, paging, update masks, timestamps.
import { encode } from '../codecs.js';
import { invalidArgument } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';

/** Answers a proto message, encoded as the client asked. */
export function wire(req: EmuRequest, typeName: string, obj: unknown, status = 200): EmuResponse {
  return { status, body: encode(typeName, obj, req.enumInt) };
}

/** Google-style opaque page tokens over an ordered list. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  opts: { defaultSize?: number; maxSize?: number; sizeParam?: string; tokenParam?: string } = {},
): { page: T[]; nextPageToken?: string } {
  const sizeRaw = query.get(opts.sizeParam ?? 'pageSize') ?? query.get('maxResults');
  const size = Math.min(sizeRaw && Number(sizeRaw) > 0 ? Number(sizeRaw) : (opts.defaultSize ?? 100), opts.maxSize ?? 1000);
  const token = query.get(opts.tokenParam ?? 'pageToken');
  let offset = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidArgument('Invalid page token.', 'page_token');
    offset = decoded;
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : undefined;
  return { page, nextPageToken: next };
}

/** Parses an update mask given as "a,b.c" (query) or {paths: [...]}. Snake case is accepted. */
export function parseMask(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const paths = typeof value === 'string' ? value.split(',') : Array.isArray((value as { paths?: unknown }).paths) ? (value as { paths: string[] }).paths : [];
  return paths
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split('.').map(camel).join('.'));
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Copies the masked fields of `patch` onto `target` (a field absent from `patch` is cleared). With
 * no mask, every field of `patch` among `updatable` replaces the target's.
 */
export function applyMask(target: Record<string, any>, patch: Record<string, any>, mask: string[], updatable: string[]): void {
  const paths = mask.length === 0 || mask.includes('*') ? updatable : mask;
  for (const path of paths) {
    const top = path.split('.')[0];
    if (!updatable.includes(top) && !updatable.includes(path)) {
      throw invalidArgument(`Invalid update mask path: ${path}`, 'update_mask');
    }
    setPath(target, path, getPath(patch, path));
  }
}

export function getPath(obj: Record<string, any> | undefined, path: string): any {
  return path.split('.').reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

export function setPath(obj: Record<string, any>, path: string, value: any): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = structuredClone(value);
}

/** A random lower-case id of `n` characters (revision suffixes, uids). */
export function randomId(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** A quoted opaque etag as Cloud Run sends it. */
export const quotedEtag = (): string => `"${randomId(16)}"`;
