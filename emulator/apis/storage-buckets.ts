// Cloud Storage buckets: insert, get, list, patch, update, delete (gcp-api-facts.md §2).
// Names are global: one bucket of a name in the whole emulator, whichever project owns it.
import type { Emulator } from '../emulator.js';
import { storageError } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { checkBucketName, finalizeFields, isObject, mergePatch, resolveLocation, settable } from './storage-bucket-fields.js';
import {
  bucketNotFound,
  bucketPolicyKey,
  buckets,
  checkBucketPreconditions,
  compareNames,
  deleteUploadsOf,
  objectsOf,
  origin,
  required,
  type StoredBucket,
  storageProject,
  versionEtag,
} from './storage-model.js';
import { forgetVersionsOf, noncurrentOf } from './storage-versions.js';

const OPTS = { dialect: 'storage' as const };
const OWN_CONFLICT = 'Your previous request to create the named bucket succeeded and you already own it.';
const TAKEN_CONFLICT =
  'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.';
/** Fields kept across a full update (PUT): they are fixed at creation or have server defaults. */
const KEPT_ON_UPDATE = [
  'location',
  'customPlacementConfig',
  'hierarchicalNamespace',
  'objectRetention',
  'storageClass',
  'iamConfiguration',
  'softDeletePolicy',
  'rpo',
];

export function registerBuckets(emu: Emulator): void {
  const r = emu.router;
  r.post('/storage/v1/b', insertBucket, OPTS);
  r.get('/storage/v1/b', listBuckets, OPTS);
  r.get('/storage/v1/b/{bucket}', getBucket, OPTS);
  r.patch('/storage/v1/b/{bucket}', (req) => changeBucket(req, 'patch'), OPTS);
  r.put('/storage/v1/b/{bucket}', (req) => changeBucket(req, 'update'), OPTS);
  r.delete('/storage/v1/b/{bucket}', deleteBucket, OPTS);
  // managedFolders.list: `gcloud storage rm -r` lists them before deleting a bucket. The emulator
  // holds no managed folders (creating them is not emulated), so a bucket's list is empty.
  r.get(
    '/storage/v1/b/{bucket}/managedFolders',
    (req) => {
      findBucket(req);
      return { body: { kind: 'storage#managedFolders' } };
    },
    OPTS,
  );
  // buckets.getStorageLayout: what `gcloud storage mv` and `rm -r` read first.
  r.get(
    '/storage/v1/b/{bucket}/storageLayout',
    (req) => {
      const b = findBucket(req);
      const { location, locationType } = resolveLocation(b.fields.location);
      const hns = Boolean(b.fields.hierarchicalNamespace?.enabled);
      return {
        body: {
          kind: 'storage#storageLayout',
          bucket: b.name,
          location,
          locationType,
          ...(b.fields.customPlacementConfig ? { customPlacementConfig: b.fields.customPlacementConfig } : {}),
          ...(hns ? { hierarchicalNamespace: { enabled: true } } : {}),
        },
      };
    },
    OPTS,
  );
}

/** The bucket named in the path, or the JSON API's 404 (400 for a name that cannot exist). */
export function findBucket(req: EmuRequest): StoredBucket {
  const name = checkBucketName(req.params.bucket, false);
  const bucket = buckets(req.emu)[name];
  if (!bucket) throw bucketNotFound();
  return bucket;
}

/** Counts a metadata change against the bucket's one-update-per-second limit (quotas on). */
export function chargeBucketUpdate(req: EmuRequest, bucket: StoredBucket): void {
  req.emu.quota.charge('storage.bucketUpdate', bucket.name, bucket.projectNumber);
}

/** A metadata change: new metageneration (and with it a new etag) and update time. */
export function touchBucket(bucket: StoredBucket, now: string): void {
  bucket.metageneration += 1;
  bucket.updated = now;
}

export function renderBucket(req: EmuRequest, b: StoredBucket): Record<string, unknown> {
  const { location, storageClass, acl, defaultObjectAcl, ...rest } = b.fields;
  const full = req.query.get('projection') === 'full';
  return {
    kind: 'storage#bucket',
    selfLink: `${origin(req)}/storage/v1/b/${encodeURIComponent(b.name)}`,
    id: b.name,
    name: b.name,
    projectNumber: b.projectNumber,
    metageneration: String(b.metageneration),
    location,
    storageClass,
    etag: versionEtag(b.metageneration),
    timeCreated: b.timeCreated,
    updated: b.updated,
    ...rest,
    locationType: resolveLocation(location).locationType,
    ...(full ? { owner: { entity: `project-owners-${b.projectNumber}` }, acl: acl ?? [], defaultObjectAcl: defaultObjectAcl ?? [] } : {}),
  };
}

function insertBucket(req: EmuRequest): EmuResponse {
  const projectParam = req.query.get('project');
  if (!projectParam) throw required('project');
  const project = storageProject(req, projectParam, 'storage.buckets.create');
  const body = req.body ?? {};
  if (!isObject(body)) throw storageError(400, 'parseError', 'Parse Error');
  if (body.name === undefined || body.name === '') throw storageError(400, 'required', 'Required');
  const name = checkBucketName(body.name, true);

  const now = req.emu.clock.iso();
  const requested = settable(body, true);
  requested.location = resolveLocation(requested.location).location;
  if (req.query.get('enableObjectRetention') === 'true') requested.objectRetention = { mode: 'Enabled' };
  const fields = finalizeFields(requested, undefined, now, name);

  // About one create or delete per two seconds per project; a refused create counts too.
  req.emu.quota.charge('storage.bucketCreateDelete', project.projectId, project.projectNumber);
  const existing = buckets(req.emu)[name];
  if (existing) throw storageError(409, 'conflict', existing.projectId === project.projectId ? OWN_CONFLICT : TAKEN_CONFLICT);

  const bucket: StoredBucket = {
    name,
    projectId: project.projectId,
    projectNumber: project.projectNumber,
    timeCreated: now,
    updated: now,
    metageneration: 1,
    fields,
  };
  buckets(req.emu)[name] = bucket;
  return { body: renderBucket(req, bucket) };
}

function getBucket(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  if (checkBucketPreconditions(req.query, bucket, true) === 'notModified') return { status: 304 };
  return { body: renderBucket(req, bucket) };
}

function listBuckets(req: EmuRequest): EmuResponse {
  const projectParam = req.query.get('project');
  if (!projectParam) throw required('project');
  const project = storageProject(req, projectParam, 'storage.buckets.list');
  const prefix = req.query.get('prefix') ?? '';
  const all = Object.values(buckets(req.emu))
    .filter((b) => b.projectId === project.projectId && b.name.startsWith(prefix))
    .sort((a, b) => compareNames(a.name, b.name));
  const { page, nextPageToken } = pageByName(all, req.query, (b) => b.name);
  return {
    body: {
      kind: 'storage#buckets',
      ...(nextPageToken ? { nextPageToken } : {}),
      ...(page.length > 0 ? { items: page.map((b) => renderBucket(req, b)) } : {}),
    },
  };
}

/**
 * Pages a name-ordered list with maxResults (default and cap 1000) and an opaque token that
 * remembers the last name answered, so concurrent inserts and deletes do not shift pages.
 */
export function pageByName<T>(items: T[], query: URLSearchParams, nameOf: (item: T) => string): { page: T[]; nextPageToken?: string } {
  const raw = query.get('maxResults');
  const max = raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Math.min(Number(raw), 1000) : 1000;
  const token = query.get('pageToken');
  let start = 0;
  if (token) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after.startsWith('after:')) throw storageError(400, 'invalid', 'Invalid page token.');
    const last = after.slice('after:'.length);
    start = items.findIndex((item) => compareNames(nameOf(item), last) > 0);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return { page, nextPageToken: more ? Buffer.from(`after:${nameOf(page[page.length - 1])}`).toString('base64url') : undefined };
}

function changeBucket(req: EmuRequest, mode: 'patch' | 'update'): EmuResponse {
  const bucket = findBucket(req);
  checkBucketPreconditions(req.query, bucket, false);
  const body = req.body ?? {};
  if (!isObject(body)) throw storageError(400, 'parseError', 'Parse Error');
  const now = req.emu.clock.iso();
  let requested: Record<string, any>;
  if (mode === 'patch') {
    requested = mergePatch(bucket.fields, settable(body, false));
  } else {
    // A full update replaces every settable field; what it leaves out is cleared, except the
    // fields fixed at creation and those the server defaults (they keep their value).
    requested = settable(body, false);
    for (const k of KEPT_ON_UPDATE) if (requested[k] === undefined && bucket.fields[k] !== undefined) requested[k] = bucket.fields[k];
    for (const [k, v] of Object.entries(requested)) if (v === null) delete requested[k];
  }
  const fields = finalizeFields(requested, bucket.fields, now, bucket.name);
  chargeBucketUpdate(req, bucket);
  bucket.fields = fields;
  touchBucket(bucket, now);
  return { body: renderBucket(req, bucket) };
}

function deleteBucket(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  checkBucketPreconditions(req.query, bucket, false);
  // Noncurrent versions count; soft-deleted objects do not (they go with the bucket).
  if (objectsOf(req.emu, bucket.name).length > 0 || noncurrentOf(req.emu, bucket.name).length > 0) {
    throw storageError(409, 'conflict', 'The bucket you tried to delete is not empty.');
  }
  req.emu.quota.charge('storage.bucketCreateDelete', bucket.projectId, bucket.projectNumber);
  delete buckets(req.emu)[bucket.name];
  req.emu.policies.delete(bucketPolicyKey(bucket.name));
  deleteUploadsOf(req.emu, bucket.name);
  forgetVersionsOf(req.emu, bucket.name);
  return { status: 204 };
}
