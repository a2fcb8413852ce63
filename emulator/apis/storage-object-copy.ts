// Cloud Storage objects made from other objects (gcp-api-facts.md §2; the JSON API reference of
// objects.copy, objects.rewrite and objects.compose): copy and rewrite write the source's content
// (and, unless the body gives new metadata, its metadata) under the destination name; rewrite
// answers a storage#rewriteResponse, done in one call here (Google may need several calls for big
// objects across locations or classes, which a client handles by looping on rewriteToken); compose
// concatenates up to 32 objects of one bucket. `gcloud storage cp` and `mv` between bucket paths use
// rewrite. Preconditions on the destination work as on an upload.

import type { Emulator } from '../emulator.js';
import { storageError } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { isObject } from './storage-bucket-fields.js';
import { findBucket } from './storage-buckets.js';
import { checkObjectPreconditions, objectKey, objectNotFound, objects, type StoredBucket, type StoredObject } from './storage-model.js';
import { checkObjectName, renderObject, storeObject } from './storage-objects.js';

const OPTS = { dialect: 'storage' as const };
/** "You can compose between 1 and 32 source objects in a single request" (objects.compose). */
const MAX_COMPOSE_SOURCES = 32;

export function registerObjectCopies(emu: Emulator): void {
  const source = '/storage/v1/b/{sourceBucket}/o/{sourceObject}';
  const destination = 'b/{destinationBucket}/o/{destinationObject}';
  emu.router.post(`${source}/copyTo/${destination}`, (req) => ({ body: renderObject(req, copy(req)) }), OPTS);
  emu.router.post(
    `${source}/rewriteTo/${destination}`,
    (req) => {
      const obj = copy(req);
      return {
        body: {
          kind: 'storage#rewriteResponse',
          totalBytesRewritten: String(obj.size),
          objectSize: String(obj.size),
          done: true,
          resource: renderObject(req, obj),
        },
      };
    },
    OPTS,
  );
  emu.router.post('/storage/v1/b/{bucket}/o/{object}/compose', compose, OPTS);
}

const bucketNamed = (req: EmuRequest, name: string): StoredBucket => findBucket({ ...req, params: { ...req.params, bucket: name } });

function sourceObject(req: EmuRequest, bucket: StoredBucket, name: string, generation: string | null): StoredObject {
  const obj = objects(req.emu)[objectKey(bucket.name, name)];
  if (!obj || (generation && generation !== obj.generation)) throw objectNotFound(bucket.name, name);
  return obj;
}

function copy(req: EmuRequest): StoredObject {
  const src = sourceObject(req, bucketNamed(req, req.params.sourceBucket), req.params.sourceObject, req.query.get('sourceGeneration'));
  const dstBucket = bucketNamed(req, req.params.destinationBucket);
  const name = checkObjectName(req.params.destinationObject);
  checkObjectPreconditions(req.query, objects(req.emu)[objectKey(dstBucket.name, name)], false);
  const body = isObject(req.body) ? req.body : {};
  // Metadata in the body replaces the source's; without a body the copy keeps the source's.
  const metadata = Object.keys(body).length > 0 ? body : src.fields;
  return storeObject(req.emu, dstBucket, name, Buffer.from(src.data, 'base64'), {
    ...metadata,
    storageClass: metadata.storageClass ?? src.fields.storageClass,
  });
}

function compose(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const body = isObject(req.body) ? req.body : {};
  const sources: unknown[] = Array.isArray(body.sourceObjects) ? body.sourceObjects : [];
  if (sources.length === 0) throw storageError(400, 'required', 'Required');
  if (sources.length > MAX_COMPOSE_SOURCES)
    throw storageError(400, 'invalid', `The number of source components provided (${sources.length}) exceeds the maximum (${MAX_COMPOSE_SOURCES}).`); // [G]
  const parts = sources.map((s) => {
    if (!isObject(s) || typeof s.name !== 'string') throw storageError(400, 'required', 'Required');
    return Buffer.from(sourceObject(req, bucket, s.name, s.generation ? String(s.generation) : null).data, 'base64');
  });
  const name = checkObjectName(req.params.object);
  checkObjectPreconditions(req.query, objects(req.emu)[objectKey(bucket.name, name)], false);
  const destination = isObject(body.destination) ? body.destination : {};
  const obj = storeObject(req.emu, bucket, name, Buffer.concat(parts), destination);
  obj.fields.componentCount = parts.length;
  return { body: renderObject(req, obj) };
}
