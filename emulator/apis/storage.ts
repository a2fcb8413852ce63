// Cloud Storage JSON API v1 (gcp-api-facts.md §2): buckets, bucket IAM, objects and uploads.
// Every route answers errors in the storage dialect (errors[{domain, reason, message}], no status).
import type { Emulator } from '../emulator.js';
import { registerBuckets } from './storage-buckets.js';
import { registerBucketIam } from './storage-iam.js';
import { registerObjectCopies } from './storage-object-copy.js';
import { registerObjects } from './storage-objects.js';
import { registerUploads } from './storage-uploads.js';

export function registerStorage(emu: Emulator): void {
  registerBuckets(emu);
  registerBucketIam(emu);
  registerObjects(emu);
  registerObjectCopies(emu);
  registerUploads(emu);
}
