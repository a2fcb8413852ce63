// Object versioning and soft delete (Cloud Storage "Object Versioning" and "Soft delete"): with
// versioning on, an overwritten or deleted live object becomes noncurrent (timeDeleted set), kept,
// listed with versions=true and addressable by generation. Without it, an overwritten or deleted
// object is soft-deleted when the bucket's soft-delete retention is above 0 (the default, 7 days):
// kept until hardDeleteTime, listed with softDeleted=true, readable by generation with
// softDeleted=true, and restorable (objects.restore). Deleting a noncurrent version soft-deletes it.
import type { Emulator } from '../emulator.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { objectKey, objectNotFound, objects, type StoredBucket, type StoredObject } from './storage-model.js';

const NONCURRENT = 'storage.noncurrentObjects';
const SOFT_DELETED = 'storage.softDeletedObjects';

export type VersionedObject = StoredObject & { timeDeleted?: string; softDeleteTime?: string; hardDeleteTime?: string };

const versionKey = (o: StoredObject) => `${o.bucket}/${o.name}#${o.generation}`;
export const noncurrent = (emu: Emulator): Record<string, VersionedObject> => emu.store.collection<VersionedObject>(NONCURRENT);
const softDeleted = (emu: Emulator): Record<string, VersionedObject> => emu.store.collection<VersionedObject>(SOFT_DELETED);

/** What happens to a live or noncurrent object that is overwritten or deleted. */
export function retire(emu: Emulator, bucket: StoredBucket, obj: StoredObject, live: boolean): void {
  const now = emu.clock.iso();
  if (live && bucket.fields.versioning?.enabled) {
    noncurrent(emu)[versionKey(obj)] = { ...obj, timeDeleted: now };
    return;
  }
  delete noncurrent(emu)[versionKey(obj)];
  const seconds = Number(bucket.fields.softDeletePolicy?.retentionDurationSeconds ?? 0);
  if (seconds > 0) {
    const { timeDeleted: _t, ...rest } = obj as VersionedObject;
    softDeleted(emu)[versionKey(obj)] = { ...rest, softDeleteTime: now, hardDeleteTime: new Date(emu.clock.now() + seconds * 1000).toISOString() };
  }
}

/** Soft-deleted objects of a bucket still inside their retention (the rest are gone for good). */
export function softDeletedOf(emu: Emulator, bucket: string): VersionedObject[] {
  const all = softDeleted(emu);
  const now = emu.clock.now();
  for (const [k, o] of Object.entries(all)) if (Date.parse(o.hardDeleteTime ?? '') <= now) delete all[k];
  return Object.values(all).filter((o) => o.bucket === bucket);
}

/** A deleted bucket takes its soft-deleted objects with it. */
export function forgetVersionsOf(emu: Emulator, bucket: string): void {
  for (const all of [noncurrent(emu), softDeleted(emu)]) for (const [k, o] of Object.entries(all)) if (o.bucket === bucket) delete all[k];
}

export const noncurrentOf = (emu: Emulator, bucket: string): VersionedObject[] => Object.values(noncurrent(emu)).filter((o) => o.bucket === bucket);

/** A generation of an object: the live one, a noncurrent one, or (softDeleted=true) a soft-deleted one. */
export function objectGeneration(req: EmuRequest, bucket: StoredBucket, name: string, generation: string | null): { obj: VersionedObject; live: boolean } {
  if (req.query.get('softDeleted') === 'true') {
    const found = softDeletedOf(req.emu, bucket.name).find((o) => o.name === name && o.generation === generation);
    if (!found) throw objectNotFound(bucket.name, name);
    return { obj: found, live: false };
  }
  const live = objects(req.emu)[objectKey(bucket.name, name)];
  if (live && (!generation || generation === live.generation)) return { obj: live, live: true };
  const old = generation ? noncurrent(req.emu)[`${bucket.name}/${name}#${generation}`] : undefined;
  if (!old) throw objectNotFound(bucket.name, name);
  return { obj: old, live: false };
}

/** objects.restore: a soft-deleted generation becomes the live object again, with a new generation. [G: new generation] */
export function restoreObject(req: EmuRequest, bucket: StoredBucket, store: (data: Buffer, fields: Record<string, any>) => StoredObject): EmuResponse {
  const generation = req.query.get('generation');
  const found = softDeletedOf(req.emu, bucket.name).find((o) => o.name === req.params.object && o.generation === generation);
  if (!found) throw objectNotFound(bucket.name, req.params.object);
  delete softDeleted(req.emu)[versionKey(found)];
  return { body: store(Buffer.from(found.data, 'base64'), found.fields) };
}
