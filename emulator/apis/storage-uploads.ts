// Object uploads (gcp-api-facts.md §2): POST /upload/storage/v1/b/B/o with uploadType=media (the
// body is the content), multipart (multipart/related: JSON metadata, then the content; what
// @google-cloud/storage sends for file.save(..., {resumable: false})) or resumable (a session
// URI in the Location header, then PUTs of the content, in one request or in chunks answered 308
// with a Range header until the last one; file.save's default).
import { randomBytes } from 'node:crypto';
import { crc32cBase64, md5Base64 } from '../checksums.js';
import type { Emulator } from '../emulator.js';
import { storageError } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { isObject } from './storage-bucket-fields.js';
import { findBucket } from './storage-buckets.js';
import { checkObjectPreconditions, objectKey, objects, origin, required, type StoredBucket, uploadSessions as sessions } from './storage-model.js';
import { parseMultipart } from './storage-multipart.js';
import { checkObjectName, renderObject, storeObject } from './storage-objects.js';

const OPTS = { dialect: 'storage' as const };
const PRECONDITIONS = ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'];
const WRONG_URL = 'Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/';

export function registerUploads(emu: Emulator): void {
  const r = emu.router;
  r.post('/upload/storage/v1/b/{bucket}/o', startUpload, OPTS);
  r.put('/upload/storage/v1/b/{bucket}/o', continueResumable, OPTS);
  // The discovery document's resumable path (objects.insert mediaUpload.protocols.resumable), which
  // gcloud storage cp uses for files over its 8 MiB threshold.
  r.post('/resumable/upload/storage/v1/b/{bucket}/o', startUpload, OPTS);
  r.put('/resumable/upload/storage/v1/b/{bucket}/o', continueResumable, OPTS);
  // An insert without a body on the metadata path is the classic mistake; answer it as Google does.
  r.post(
    '/storage/v1/b/{bucket}/o',
    () => {
      throw storageError(400, 'wrongUrlForUpload', WRONG_URL);
    },
    OPTS,
  );
}

function startUpload(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  switch (req.query.get('uploadType')) {
    case 'media':
      return finish(
        req,
        bucket,
        objectName(req, undefined),
        req.raw,
        {
          contentType: contentTypeOf(req) ?? 'application/octet-stream',
          ...(req.query.get('contentEncoding') ? { contentEncoding: req.query.get('contentEncoding') } : {}),
        },
        req.query,
      );
    case 'multipart':
      return multipart(req, bucket);
    case 'resumable':
      return startResumable(req, bucket);
    default:
      throw storageError(400, 'wrongUrlForUpload', WRONG_URL);
  }
}

function contentTypeOf(req: EmuRequest): string | undefined {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type !== '' ? type : undefined;
}

/** The object name: the `name` query parameter, else the metadata's name. */
function objectName(req: EmuRequest, metadata: Record<string, any> | undefined): string {
  const name = req.query.get('name') ?? (typeof metadata?.name === 'string' ? metadata.name : undefined);
  if (!name) throw required('name');
  return checkObjectName(name);
}

/** Checks the preconditions against the live object, writes the new generation, answers it. */
function finish(req: EmuRequest, bucket: StoredBucket, name: string, data: Buffer, metadata: Record<string, any>, preconditions: URLSearchParams): EmuResponse {
  const current = objects(req.emu)[objectKey(bucket.name, name)];
  checkObjectPreconditions(preconditions, current, false);
  const obj = storeObject(req.emu, bucket, name, data, metadata);
  return { body: renderObject(req, obj) };
}

function multipart(req: EmuRequest, bucket: StoredBucket): EmuResponse {
  const parts = parseMultipart(String(req.headers['content-type'] ?? ''), req.raw);
  if (parts.length !== 2) throw storageError(400, 'invalid', 'Multipart upload must have exactly two parts: metadata and media.');
  let metadata: unknown;
  try {
    metadata = parts[0].body.length > 0 ? JSON.parse(parts[0].body.toString('utf8')) : {};
  } catch {
    throw storageError(400, 'parseError', 'Parse Error');
  }
  if (!isObject(metadata)) throw storageError(400, 'parseError', 'Parse Error');
  const contentType = metadata.contentType ?? parts[1].headers['content-type'];
  return finish(req, bucket, objectName(req, metadata), parts[1].body, { ...metadata, ...(contentType ? { contentType } : {}) }, req.query);
}

function startResumable(req: EmuRequest, bucket: StoredBucket): EmuResponse {
  const metadata = req.body ?? {};
  if (!isObject(metadata)) throw storageError(400, 'parseError', 'Parse Error');
  const name = objectName(req, metadata);
  const headerType = req.headers['x-upload-content-type'];
  if (metadata.contentType === undefined && typeof headerType === 'string') metadata.contentType = headerType;
  // Preconditions are checked when the session starts (fail early) and again when it completes.
  checkObjectPreconditions(req.query, objects(req.emu)[objectKey(bucket.name, name)], false);
  const preconditions: Record<string, string> = {};
  for (const p of PRECONDITIONS) {
    const v = req.query.get(p);
    if (v !== null) preconditions[p] = v;
  }
  const id = randomBytes(24).toString('base64url');
  sessions(req.emu)[id] = { bucket: bucket.name, name, metadata, preconditions, received: '' };
  const location = `${origin(req)}/upload/storage/v1/b/${encodeURIComponent(bucket.name)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
  return { status: 200, headers: { location, 'content-length': '0' } };
}

// A PUT to a session URI. Content-Range says where the bytes go and whether they are the last:
//   bytes S-E/T     a chunk; the upload completes when the total T has arrived (T may be *)
//   bytes S-*/T     the rest of the content in this one request (T may be *)
//   bytes */T       no bytes: a status query (completes an upload that already has all T bytes)
// No Content-Range at all is the whole content at once. Unfinished: 308 with
// Range: bytes=0-(received-1), or no Range before the first byte.

function continueResumable(req: EmuRequest): EmuResponse {
  const id = req.query.get('upload_id');
  const session = id ? sessions(req.emu)[id] : undefined;
  if (!id || !session) throw storageError(404, 'notFound', 'No such upload session.');
  let received: Buffer = Buffer.from(session.received, 'base64');
  const range = String(req.headers['content-range'] ?? '').trim();
  let total: number | undefined;
  let final = false;

  const m = /^bytes (\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(range);
  if (range === '') {
    received = req.raw;
    final = true;
  } else if (!m) {
    throw storageError(400, 'invalid', `Invalid Content-Range header: ${range}`);
  } else {
    total = m[4] === '*' ? undefined : Number(m[4]);
    if (m[1] !== '*') {
      const start = Number(m[2]);
      if (start > received.length) throw storageError(400, 'invalid', 'Content-Range starts past the bytes received so far.');
      // A chunk that repeats bytes already held (a retry) only contributes what is new.
      received = Buffer.concat([received, req.raw.subarray(received.length - start)]);
      if (m[3] === '*') final = true;
    }
    if (total !== undefined && received.length >= total) final = true;
  }

  if (!final) {
    session.received = received.toString('base64');
    return { status: 308, headers: received.length > 0 ? { range: `bytes=0-${received.length - 1}` } : {} };
  }
  if (total !== undefined && received.length !== total) {
    throw storageError(400, 'invalid', `Upload has ${received.length} bytes, Content-Range says ${total}.`);
  }
  checkHashHeader(String(req.headers['x-goog-hash'] ?? ''), received);
  const bucket = findBucketByName(req, session.bucket);
  const response = finish(req, bucket, session.name, received, session.metadata, new URLSearchParams(session.preconditions));
  delete sessions(req.emu)[id];
  return response;
}

function findBucketByName(req: EmuRequest, name: string): StoredBucket {
  return findBucket({ ...req, params: { ...req.params, bucket: name } });
}

/** The client's `X-Goog-Hash: crc32c=...,md5=...` on the last chunk must match what arrived. */
function checkHashHeader(header: string, data: Buffer): void {
  for (const pair of header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const [kind, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
    if (kind === 'crc32c' && value !== crc32cBase64(data)) {
      throw storageError(400, 'invalid', `Provided CRC32C "${value}" doesn't match calculated CRC32C "${crc32cBase64(data)}".`);
    }
    if (kind === 'md5' && value !== md5Base64(data)) {
      throw storageError(400, 'invalid', `Provided MD5 hash "${value}" doesn't match calculated MD5 hash "${md5Base64(data)}".`);
    }
  }
}
