// Cloud Storage objects: metadata, content, list, patch, delete (gcp-api-facts.md §2). Noncurrent
// versions and soft-deleted objects are in storage-versions.ts.
// Object names arrive URL-encoded in the path (a%2Fb is the object "a/b").

import { crc32cBase64, md5Base64 } from '../checksums.js';
import type { Emulator } from '../emulator.js';
import { storageError } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { isObject, mergePatch } from './storage-bucket-fields.js';
import { findBucket, pageByName } from './storage-buckets.js';
import {
  checkObjectPreconditions,
  compareNames,
  invalidArgument,
  nextGeneration,
  objectKey,
  objects,
  objectsOf,
  origin,
  type StoredBucket,
  type StoredObject,
  versionEtag,
} from './storage-model.js';
import { noncurrentOf, objectGeneration, restoreObject, retire, softDeletedOf, type VersionedObject } from './storage-versions.js';

const OPTS = { dialect: 'storage' as const };

/** Object fields a request may set; everything else in a body is output-only or unknown and ignored. */
const SETTABLE = [
  'cacheControl',
  'contentDisposition',
  'contentEncoding',
  'contentLanguage',
  'contentType',
  'customTime',
  'eventBasedHold',
  'metadata',
  'temporaryHold',
];

export function registerObjects(emu: Emulator): void {
  const r = emu.router;
  r.get('/storage/v1/b/{bucket}/o', listObjects, OPTS);
  r.get('/storage/v1/b/{bucket}/o/{object}', getObject, OPTS);
  // mediaLink points here.
  r.get('/download/storage/v1/b/{bucket}/o/{object}', (req) => download(req, liveObject(req, findBucket(req))), OPTS);
  r.patch('/storage/v1/b/{bucket}/o/{object}', patchObject, OPTS);
  r.delete('/storage/v1/b/{bucket}/o/{object}', deleteObject, OPTS);
  r.post(
    '/storage/v1/b/{bucket}/o/{object}/restore',
    (req) => {
      const bucket = findBucket(req);
      const restored = restoreObject(req, bucket, (data, fields) => storeObject(req.emu, bucket, req.params.object, data, fields));
      return { body: renderObject(req, restored.body as StoredObject) };
    },
    OPTS,
  );
}

/** Object names: 1-1024 bytes of UTF-8, no carriage return or line feed. */
export function checkObjectName(name: string): string {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 1024 || /[\r\n]/.test(name) || name === '.' || name === '..') {
    throw storageError(400, 'invalid', 'The specified object name is not valid.');
  }
  return name;
}

/** The object named in the path: the live one, or with ?generation= that generation (noncurrent or soft-deleted too). */
function liveObject(req: EmuRequest, bucket: StoredBucket): StoredObject {
  return objectGeneration(req, bucket, req.params.object, req.query.get('generation')).obj;
}

export function renderObject(req: EmuRequest, o: StoredObject): Record<string, unknown> {
  const path = `b/${encodeURIComponent(o.bucket)}/o/${encodeURIComponent(o.name)}`;
  const { contentType, storageClass, ...rest } = o.fields;
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${origin(req)}/storage/v1/${path}`,
    mediaLink: `${origin(req)}/download/storage/v1/${path}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: o.generation,
    metageneration: String(o.metageneration),
    contentType,
    storageClass,
    size: String(o.size),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: versionEtag(o.generation, o.metageneration),
    timeCreated: o.timeCreated,
    updated: o.updated,
    timeStorageClassUpdated: o.timeCreated,
    timeFinalized: o.timeCreated,
    ...rest,
    ...versionTimes(o),
  };
}

function versionTimes(o: VersionedObject): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.timeDeleted) out.timeDeleted = o.timeDeleted;
  if (o.softDeleteTime) out.softDeleteTime = o.softDeleteTime;
  if (o.hardDeleteTime) out.hardDeleteTime = o.hardDeleteTime;
  return out;
}

/** The settable metadata of a request body, checked. */
export function objectMetadata(body: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const k of SETTABLE) if (body[k] !== undefined && body[k] !== null) out[k] = body[k];
  if (out.metadata !== undefined) {
    if (!isObject(out.metadata)) throw invalidArgument();
    // Custom metadata values are strings; scalars are kept as their text.
    out.metadata = Object.fromEntries(
      Object.entries(out.metadata)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, String(v)]),
    );
    if (Object.keys(out.metadata).length === 0) delete out.metadata;
  }
  if (out.customTime !== undefined && Number.isNaN(Date.parse(out.customTime))) throw invalidArgument();
  return out;
}

/**
 * Writes a new generation of an object (preconditions already checked). A client-supplied md5Hash
 * or crc32c must match the content, or the upload is refused as Cloud Storage refuses it.
 */
export function storeObject(emu: Emulator, bucket: StoredBucket, name: string, data: Buffer, body: Record<string, any>): StoredObject {
  checkObjectName(name);
  const md5Hash = md5Base64(data);
  const crc32c = crc32cBase64(data);
  if (body.md5Hash !== undefined && body.md5Hash !== md5Hash) {
    throw storageError(400, 'invalid', `Provided MD5 hash "${body.md5Hash}" doesn't match calculated MD5 hash "${md5Hash}".`);
  }
  if (body.crc32c !== undefined && body.crc32c !== crc32c) {
    throw storageError(400, 'invalid', `Provided CRC32C "${body.crc32c}" doesn't match calculated CRC32C "${crc32c}".`);
  }
  const fields = objectMetadata(body);
  fields.contentType ??= 'application/octet-stream';
  fields.storageClass = typeof body.storageClass === 'string' ? body.storageClass.toUpperCase() : bucket.fields.storageClass;
  const now = emu.clock.iso();
  const obj: StoredObject = {
    bucket: bucket.name,
    name,
    generation: nextGeneration(emu),
    metageneration: 1,
    size: data.length,
    md5Hash,
    crc32c,
    timeCreated: now,
    updated: now,
    fields,
    data: data.toString('base64'),
  };
  const previous = objects(emu)[objectKey(bucket.name, name)];
  if (previous) retire(emu, bucket, previous, true);
  objects(emu)[objectKey(bucket.name, name)] = obj;
  return obj;
}

function getObject(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const obj = liveObject(req, bucket);
  if (req.query.get('alt') === 'media') return download(req, obj);
  if (checkObjectPreconditions(req.query, obj, true) === 'notModified') return { status: 304 };
  return { body: renderObject(req, obj) };
}

/** The content, with the headers the Node client checks (x-goog-hash for its integrity check). */
function download(req: EmuRequest, obj: StoredObject): EmuResponse {
  if (checkObjectPreconditions(req.query, obj, true) === 'notModified') return { status: 304 };
  const data = Buffer.from(obj.data, 'base64');
  const headers: Record<string, string> = {
    'content-type': obj.fields.contentType,
    'x-goog-hash': `crc32c=${obj.crc32c},md5=${obj.md5Hash}`,
    'x-goog-generation': obj.generation,
    'x-goog-metageneration': String(obj.metageneration),
    'x-goog-stored-content-length': String(obj.size),
    'x-goog-stored-content-encoding': obj.fields.contentEncoding ?? 'identity',
    'x-goog-storage-class': obj.fields.storageClass,
    etag: versionEtag(obj.generation, obj.metageneration),
    'last-modified': new Date(obj.updated).toUTCString(),
  };
  if (obj.fields.contentEncoding) headers['content-encoding'] = obj.fields.contentEncoding;
  if (obj.fields.contentDisposition) headers['content-disposition'] = obj.fields.contentDisposition;
  if (obj.fields.cacheControl) headers['cache-control'] = obj.fields.cacheControl;
  if (obj.fields.contentLanguage) headers['content-language'] = obj.fields.contentLanguage;

  const range = parseRange(String(req.headers.range ?? ''), data.length);
  if (range === 'unsatisfiable') {
    throw storageError(416, 'requestedRangeNotSatisfiable', 'Request range not satisfiable');
  }
  if (range) {
    const [start, end] = range;
    return { status: 206, rawBody: data.subarray(start, end + 1), headers: { ...headers, 'content-range': `bytes ${start}-${end}/${data.length}` } };
  }
  return { rawBody: data, headers };
}

/** bytes=S-E, bytes=S- or bytes=-N; anything else is ignored (the whole object is sent). */
function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Math.min(Number(m[2]), size);
    return n === 0 ? 'unsatisfiable' : [size - n, size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

interface ListEntry {
  key: string;
  object?: StoredObject;
}

function listObjects(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startOffset = q.get('startOffset') ?? '';
  const endOffset = q.get('endOffset') ?? '';
  const trailing = q.get('includeTrailingDelimiter') === 'true';

  // Names under a delimiter collapse into one prefix entry; prefixes and objects share one
  // name-ordered sequence and one maxResults, as the real listing pages them.
  const entries: ListEntry[] = [];
  let lastPrefix: string | undefined;
  // versions=true adds the noncurrent versions; softDeleted=true lists only the soft-deleted ones.
  const source: StoredObject[] =
    q.get('softDeleted') === 'true'
      ? softDeletedOf(req.emu, bucket.name)
      : [...objectsOf(req.emu, bucket.name), ...(q.get('versions') === 'true' ? noncurrentOf(req.emu, bucket.name) : [])];
  source.sort((a, b) => compareNames(a.name, b.name) || (BigInt(a.generation) < BigInt(b.generation) ? -1 : 1));
  for (const o of source) {
    if (!o.name.startsWith(prefix) || (startOffset && compareNames(o.name, startOffset) < 0) || (endOffset && compareNames(o.name, endOffset) >= 0)) continue;
    const rest = o.name.slice(prefix.length);
    const at = delimiter ? rest.indexOf(delimiter) : -1;
    if (at < 0) {
      entries.push({ key: o.name, object: o });
      continue;
    }
    const p = prefix + rest.slice(0, at + delimiter.length);
    if (p !== lastPrefix) entries.push({ key: p });
    lastPrefix = p;
    if (trailing && p === o.name) entries.push({ key: o.name, object: o });
  }
  const { page, nextPageToken } = pageByName(entries, q, (e) => e.key);
  const items = page.filter((e) => e.object).map((e) => renderObject(req, e.object!));
  const prefixes = page.filter((e) => !e.object).map((e) => e.key);
  return {
    body: {
      kind: 'storage#objects',
      ...(nextPageToken ? { nextPageToken } : {}),
      ...(prefixes.length > 0 ? { prefixes } : {}),
      ...(items.length > 0 ? { items } : {}),
    },
  };
}

function patchObject(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const obj = liveObject(req, bucket);
  checkObjectPreconditions(req.query, obj, false);
  const body = req.body ?? {};
  if (!isObject(body)) throw storageError(400, 'parseError', 'Parse Error');
  const patch: Record<string, any> = {};
  for (const k of SETTABLE) if (k in body) patch[k] = body[k];
  // Same merge semantics as buckets: metadata keys merge, null removes one.
  const merged = objectMetadata(mergePatch(obj.fields, patch));
  merged.contentType ??= 'application/octet-stream';
  merged.storageClass = obj.fields.storageClass;
  obj.fields = merged;
  obj.metageneration += 1;
  obj.updated = req.emu.clock.iso();
  return { body: renderObject(req, obj) };
}

function deleteObject(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const { obj, live } = objectGeneration(req, bucket, req.params.object, req.query.get('generation'));
  checkObjectPreconditions(req.query, obj, false);
  if (live) delete objects(req.emu)[objectKey(bucket.name, obj.name)];
  // A live object deleted by its generation is gone as a version too, as Object Versioning says.
  retire(req.emu, bucket, obj, live && !req.query.get('generation'));
  return { status: 204 };
}
