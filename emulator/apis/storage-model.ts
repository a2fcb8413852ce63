// Cloud Storage JSON API v1: the stored shapes, where they live in the state, and the errors and
// preconditions every storage route shares (gcp-api-facts.md §2). The JSON API speaks its own
// error dialect (errors[{domain, reason, message}], no status); every route registers with it.
import type { Emulator } from '../emulator.js';
import { ApiError, storageError } from '../errors.js';
import type { Project } from '../projects.js';
import type { EmuRequest } from '../router.js';

/** A bucket as kept in the state: the wire resource without links, int64s as JS numbers/strings. */
export interface StoredBucket {
  name: string;
  projectId: string;
  projectNumber: string;
  timeCreated: string;
  updated: string;
  metageneration: number;
  /** Every other field of the resource (location, storageClass, labels, lifecycle, ...), wire-shaped. */
  fields: Record<string, any>;
}

export interface StoredObject {
  bucket: string;
  name: string;
  generation: string;
  metageneration: number;
  size: number;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
  /** Settable metadata (contentType, metadata, cacheControl, ...), wire-shaped. */
  fields: Record<string, any>;
  /** The content, base64. */
  data: string;
}

/** A resumable upload in progress (storage-uploads.ts). */
export interface UploadSession {
  bucket: string;
  name: string;
  metadata: Record<string, any>;
  /** The precondition query parameters of the initiating request, checked again at the end. */
  preconditions: Record<string, string>;
  /** Bytes received so far, base64. */
  received: string;
}

const UPLOADS = 'storage.uploads';
const BUCKETS = 'storage.buckets';
const OBJECTS = 'storage.objects';
const COUNTERS = 'storage.counters';

export const buckets = (emu: Emulator): Record<string, StoredBucket> => emu.store.collection<StoredBucket>(BUCKETS);
export const objects = (emu: Emulator): Record<string, StoredObject> => emu.store.collection<StoredObject>(OBJECTS);
export const objectKey = (bucket: string, name: string): string => `${bucket}/${name}`;
export const uploadSessions = (emu: Emulator): Record<string, UploadSession> => emu.store.collection<UploadSession>(UPLOADS);

/** Drops the unfinished uploads into a bucket that is going away. */
export function deleteUploadsOf(emu: Emulator, bucket: string): void {
  const all = uploadSessions(emu);
  for (const [id, s] of Object.entries(all)) if (s.bucket === bucket) delete all[id];
}

/** The IAM policy key of a bucket in the shared policy store. */
export const bucketPolicyKey = (bucket: string): string => `projects/_/buckets/${bucket}`;

/** The objects of one bucket, in name order (Cloud Storage lists lexicographically). */
export function objectsOf(emu: Emulator, bucket: string): StoredObject[] {
  return Object.values(objects(emu))
    .filter((o) => o.bucket === bucket)
    .sort((a, b) => compareNames(a.name, b.name));
}

/** Byte-wise (UTF-8) order, as Cloud Storage sorts names. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * A new object generation: microseconds since the epoch, as Cloud Storage's generations look
 * ("1700000000123456"), strictly increasing so two writes in the same microsecond still differ.
 */
export function nextGeneration(emu: Emulator): string {
  const counters = emu.store.collection<{ value: string }>(COUNTERS);
  const last = BigInt(counters.generation?.value ?? '0');
  let gen = BigInt(emu.clock.now()) * 1000n;
  if (gen <= last) gen = last + 1n;
  counters.generation = { value: gen.toString() };
  return gen.toString();
}

/**
 * Cloud Storage etags are a base64 protobuf of the version numbers: a bucket's "CAE=" is field 1 =
 * metageneration 1; an object's "CKih16GjycICEAE=" is field 1 = generation, field 2 = metageneration.
 */
export function versionEtag(...versions: Array<bigint | number | string>): string {
  const bytes: number[] = [];
  versions.forEach((v, i) => {
    bytes.push(((i + 1) << 3) | 0);
    let n = BigInt(v);
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      bytes.push(b);
    } while (n > 0n);
  });
  return Buffer.from(bytes).toString('base64');
}

/** Scheme and host the client reached us on, for selfLink, mediaLink and upload session URIs. */
export function origin(req: EmuRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/**
 * The project a bucket call names (?project=), in the JSON API's words when the caller cannot see
 * it: [V] "X does not have storage.buckets.list access to the Google Cloud project. Permission
 * 'storage.buckets.list' denied on resource (or it may not exist)." (403 forbidden).
 */
export function storageProject(req: EmuRequest, idOrNumber: string, permission: string): Project {
  try {
    return req.emu.projects.resolve(idOrNumber);
  } catch (err) {
    if (!(err instanceof ApiError) || err.httpCode !== 403) throw err;
    throw storageError(
      403,
      'forbidden',
      `${STORAGE_CALLER} does not have ${permission} access to the Google Cloud project. Permission '${permission}' denied on resource (or it may not exist).`,
    );
  }
}

/** The principal the emulator's callers are taken to be. */
const STORAGE_CALLER = 'owner@example.com';

// ---- errors, in the JSON API's words ----

export const bucketNotFound = (): ApiError => storageError(404, 'notFound', 'The specified bucket does not exist.');
export const objectNotFound = (bucket: string, name: string): ApiError => storageError(404, 'notFound', `No such object: ${bucket}/${name}`);
/** What Cloud Storage answers for a malformed field value it does not explain further. */
export const invalidArgument = (): ApiError => storageError(400, 'invalid', 'Invalid argument.');
export const required = (param: string): ApiError =>
  storageError(400, 'required', `Required parameter: ${param}`, { locationType: 'parameter', location: param });

/** Bucket metageneration precondition failure, exactly as the facts sheet records it. */
export const bucketPreconditionFailed = (): ApiError =>
  storageError(412, 'conditionNotMet', 'Precondition Failed', { locationType: 'header', location: 'If-Match' });
/** Object generation/metageneration precondition failure (what uploads and deletes answer). */
export const objectPreconditionFailed = (): ApiError =>
  storageError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.', { locationType: 'header', location: 'If-Match' });

// ---- preconditions ----

/** Reads an int64 query parameter; a non-number is a 400 like the real API's. */
export function int64Param(query: URLSearchParams, name: string): bigint | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) {
    throw storageError(400, 'invalidParameter', `Invalid value '${raw}' for ${name}.`, { locationType: 'parameter', location: name });
  }
  return BigInt(raw);
}

/** Outcome of checking preconditions: proceed, or (reads only) answer 304 Not Modified. */
export type PreconditionOutcome = 'proceed' | 'notModified';

/**
 * ifMetagenerationMatch / ifMetagenerationNotMatch against a bucket. A mismatch is 412; on a read,
 * a satisfied "not match" that fails (the resource did not change) is 304 as HTTP prescribes.
 */
export function checkBucketPreconditions(query: URLSearchParams, bucket: StoredBucket, isRead: boolean): PreconditionOutcome {
  const match = int64Param(query, 'ifMetagenerationMatch');
  const notMatch = int64Param(query, 'ifMetagenerationNotMatch');
  const current = BigInt(bucket.metageneration);
  if (match !== undefined && match !== current) throw bucketPreconditionFailed();
  if (notMatch !== undefined && notMatch === current) {
    if (isRead) return 'notModified';
    throw bucketPreconditionFailed();
  }
  return 'proceed';
}

/**
 * Generation and metageneration preconditions against an object, or against its absence
 * (`current` undefined): ifGenerationMatch=0 means "only if no live object exists".
 */
export function checkObjectPreconditions(query: URLSearchParams, current: StoredObject | undefined, isRead: boolean): PreconditionOutcome {
  const genMatch = int64Param(query, 'ifGenerationMatch');
  const genNotMatch = int64Param(query, 'ifGenerationNotMatch');
  const metaMatch = int64Param(query, 'ifMetagenerationMatch');
  const metaNotMatch = int64Param(query, 'ifMetagenerationNotMatch');
  const gen = current ? BigInt(current.generation) : 0n;
  if (genMatch !== undefined && genMatch !== gen) throw objectPreconditionFailed();
  if (metaMatch !== undefined && (!current || metaMatch !== BigInt(current.metageneration))) throw objectPreconditionFailed();
  const unchanged =
    (genNotMatch !== undefined && genNotMatch === gen) ||
    (metaNotMatch !== undefined && current !== undefined && metaNotMatch === BigInt(current.metageneration));
  if (unchanged) {
    if (isRead) return 'notModified';
    throw objectPreconditionFailed();
  }
  return 'proceed';
}
