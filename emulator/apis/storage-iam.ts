// Bucket IAM policies (gcp-api-facts.md §2, §4): GET and PUT /storage/v1/b/B/iam with the bare
// Policy as body, answered as kind storage#policy with resourceId projects/_/buckets/B.
// A new bucket's policy grants the project's owners and editors legacyBucketOwner and its viewers
// legacyBucketReader; a stale etag is 412 conditionNotMet (the shared store's storage dialect).
import type { Emulator } from '../emulator.js';
import { storageError } from '../errors.js';
import type { Policy } from '../iam-policy.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { isObject } from './storage-bucket-fields.js';
import { chargeBucketUpdate, findBucket, touchBucket } from './storage-buckets.js';
import { bucketPolicyKey, int64Param, type StoredBucket, versionEtag } from './storage-model.js';

const OPTS = { dialect: 'storage' as const };

export function registerBucketIam(emu: Emulator): void {
  const r = emu.router;
  r.get('/storage/v1/b/{bucket}/iam', getBucketPolicy, OPTS);
  r.put('/storage/v1/b/{bucket}/iam', setBucketPolicy, OPTS);
  r.get('/storage/v1/b/{bucket}/iam/testPermissions', testPermissions, OPTS);
}

/** The policy every bucket starts with; its etag is the bucket's first one ("CAE="), as Google's is. */
function initialPolicy(bucket: StoredBucket): () => Policy {
  return () => ({
    version: 1,
    etag: versionEtag(1),
    bindings: [
      { role: 'roles/storage.legacyBucketOwner', members: [`projectEditor:${bucket.projectId}`, `projectOwner:${bucket.projectId}`] },
      { role: 'roles/storage.legacyBucketReader', members: [`projectViewer:${bucket.projectId}`] },
    ],
  });
}

function render(bucket: StoredBucket, policy: Policy, requestedVersion: number): Record<string, unknown> {
  // A policy is answered in the version the caller can read: a read that asks for no version
  // gets version 1 (conditional bindings need 3).
  const version = Math.min(policy.version ?? 1, requestedVersion);
  return {
    kind: 'storage#policy',
    resourceId: bucketPolicyKey(bucket.name),
    version,
    etag: policy.etag,
    bindings: policy.bindings ?? [],
  };
}

function getBucketPolicy(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const requested = int64Param(req.query, 'optionsRequestedPolicyVersion');
  if (requested !== undefined && (requested < 1n || requested > 3n)) {
    throw storageError(400, 'invalid', `Invalid requested policy version: ${requested}.`);
  }
  const policy = req.emu.policies.get(bucketPolicyKey(bucket.name), initialPolicy(bucket));
  return { body: render(bucket, policy, Number(requested ?? 1n)) };
}

function setBucketPolicy(req: EmuRequest): EmuResponse {
  const bucket = findBucket(req);
  const body = req.body ?? {};
  if (!isObject(body)) throw storageError(400, 'parseError', 'Parse Error');
  // kind and resourceId come back from the client's read; they are not part of what is set.
  const policy: Policy = { etag: body.etag, version: body.version, bindings: body.bindings };
  // Public access prevention forbids the public members outright, whatever the role: [V] "The member
  // bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is
  // enforced." (412 conditionNotMet, as client libraries report it).
  if (bucket.fields.iamConfiguration?.publicAccessPrevention === 'enforced') {
    const publicMember = (policy.bindings ?? []).some((b) => (b.members ?? []).some((m) => m === 'allUsers' || m === 'allAuthenticatedUsers'));
    if (publicMember) {
      throw storageError(
        412,
        'conditionNotMet',
        'The member bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is enforced.',
        {
          locationType: 'header',
          location: 'If-Match',
        },
      );
    }
  }
  // The policy is bucket metadata: changing it counts against the bucket's update rate and moves
  // the bucket's metageneration. [G]
  chargeBucketUpdate(req, bucket);
  const stored = req.emu.policies.set(bucketPolicyKey(bucket.name), policy, { dialect: 'storage', initial: initialPolicy(bucket) });
  touchBucket(bucket, req.emu.clock.iso());
  return { body: render(bucket, stored, 3) };
}

/** Which of the asked permissions the caller holds: the emulator has one all-powerful caller. */
function testPermissions(req: EmuRequest): EmuResponse {
  findBucket(req);
  const permissions = req.query.getAll('permissions');
  return { body: { kind: 'storage#testIamPermissionsResponse', ...(permissions.length > 0 ? { permissions } : {}) } };
}
