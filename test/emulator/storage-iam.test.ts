// Cloud Storage bucket IAM policies (gcp-api-facts.md §2 and §4).

import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { BUCKET_NOT_FOUND, PRECONDITION_FAILED, storageClient, storageErrorBody } from './storage-helpers.js';

let emu: RunningEmulator;
let storage: Storage;
const PROJECT = 'storage-iam-1';

beforeAll(async () => {
  emu = await startEmulator();
  storage = storageClient(emu, PROJECT);
});
afterAll(async () => {
  await emu.close();
});

const DEFAULT_BINDINGS = [
  { role: 'roles/storage.legacyBucketOwner', members: [`projectEditor:${PROJECT}`, `projectOwner:${PROJECT}`] },
  { role: 'roles/storage.legacyBucketReader', members: [`projectViewer:${PROJECT}`] },
];

describe('bucket IAM policy', () => {
  it('starts with the legacy owner and reader bindings of the project, as storage#policy version 1', async () => {
    const [bucket] = await storage.createBucket('iam-default-bucket');
    const [policy] = await bucket.iam.getPolicy();
    expect(policy.bindings).toEqual(DEFAULT_BINDINGS);
    const raw = await rawJson(emu, 'GET', '/storage/v1/b/iam-default-bucket/iam');
    expect(raw.status).toBe(200);
    expect(raw.body).toEqual({
      kind: 'storage#policy',
      resourceId: 'projects/_/buckets/iam-default-bucket',
      version: 1,
      etag: 'CAE=',
      bindings: DEFAULT_BINDINGS,
    });
    const v3 = await rawJson(emu, 'GET', '/storage/v1/b/iam-default-bucket/iam?optionsRequestedPolicyVersion=3');
    expect(v3.body.version).toBe(1);
  });

  it('sets a policy from the bare Policy body and answers the new etag', async () => {
    const [bucket] = await storage.createBucket('iam-set-bucket');
    const [policy] = await bucket.iam.getPolicy({ requestedPolicyVersion: 3 });
    const [updated] = await bucket.iam.setPolicy({
      ...policy,
      bindings: [...policy.bindings, { role: 'roles/storage.objectViewer', members: ['user:alice@example.com'] }],
    });
    expect(updated.bindings).toContainEqual({ role: 'roles/storage.objectViewer', members: ['user:alice@example.com'] });
    expect(updated.etag).not.toBe(policy.etag);
    const [reread] = await bucket.iam.getPolicy();
    expect(reread.etag).toBe(updated.etag);
    expect(reread.bindings).toHaveLength(3);
  });

  it('refuses allUsers and allAuthenticatedUsers on a bucket whose public access prevention is enforced', async () => {
    await storage.createBucket('iam-pap-bucket', {
      iamConfiguration: { publicAccessPrevention: 'enforced', uniformBucketLevelAccess: { enabled: true } },
    } as any);
    const bucket = storage.bucket('iam-pap-bucket');
    const [policy] = await bucket.iam.getPolicy();
    for (const member of ['allUsers', 'allAuthenticatedUsers']) {
      const err = await bucket.iam
        .setPolicy({ ...policy, bindings: [...policy.bindings, { role: 'roles/storage.objectViewer', members: [member] }] })
        .catch((e) => e);
      expect(err.code).toBe(412);
      expect(err.message).toBe('The member bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is enforced.');
    }
    // Inherited prevention takes them.
    await storage.createBucket('iam-open-bucket');
    const open = storage.bucket('iam-open-bucket');
    const [openPolicy] = await open.iam.getPolicy();
    const [set] = await open.iam.setPolicy({
      ...openPolicy,
      bindings: [...openPolicy.bindings, { role: 'roles/storage.objectViewer', members: ['allUsers'] }],
    });
    expect(set.bindings).toContainEqual({ role: 'roles/storage.objectViewer', members: ['allUsers'] });
  });

  it('refuses a stale etag with 412 conditionNotMet, not 409', async () => {
    await storage.createBucket('iam-stale-bucket');
    const first = await rawJson(emu, 'GET', '/storage/v1/b/iam-stale-bucket/iam');
    const grant = (member: string) => ({
      etag: first.body.etag,
      bindings: [...first.body.bindings, { role: 'roles/storage.objectAdmin', members: [member] }],
    });
    expect((await rawJson(emu, 'PUT', '/storage/v1/b/iam-stale-bucket/iam', grant('user:a@example.com'))).status).toBe(200);
    const stale = await rawJson(emu, 'PUT', '/storage/v1/b/iam-stale-bucket/iam', grant('user:b@example.com'));
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual(PRECONDITION_FAILED);
    const [policy] = await storage.bucket('iam-stale-bucket').iam.getPolicy();
    expect(policy.bindings.find((b) => b.role === 'roles/storage.objectAdmin')?.members).toEqual(['user:a@example.com']);
  });

  it('counts a policy change as a bucket metadata change', async () => {
    await storage.createBucket('iam-meta-bucket');
    await rawJson(emu, 'PUT', '/storage/v1/b/iam-meta-bucket/iam', { bindings: DEFAULT_BINDINGS });
    const bucket = await rawJson(emu, 'GET', '/storage/v1/b/iam-meta-bucket');
    expect(bucket.body.metageneration).toBe('2');
  });

  it('refuses a malformed member in the storage dialect', async () => {
    await storage.createBucket('iam-invalid-bucket');
    const res = await rawJson(emu, 'PUT', '/storage/v1/b/iam-invalid-bucket/iam', {
      bindings: [{ role: 'roles/storage.objectViewer', members: ['alice@example.com'] }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(storageErrorBody(400, 'invalid', 'Invalid member: alice@example.com'));
  });

  it('answers 404 for the policy of a missing bucket', async () => {
    const res = await rawJson(emu, 'GET', '/storage/v1/b/iam-missing-bucket/iam');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(BUCKET_NOT_FOUND);
  });

  it('starts a recreated bucket from the default policy again', async () => {
    const [bucket] = await storage.createBucket('iam-recreated-bucket');
    await bucket.iam.setPolicy({ bindings: [{ role: 'roles/storage.admin', members: ['user:x@example.com'] }] });
    await bucket.delete();
    await storage.createBucket('iam-recreated-bucket');
    const [policy] = await storage.bucket('iam-recreated-bucket').iam.getPolicy();
    expect(policy.bindings).toEqual(DEFAULT_BINDINGS);
  });

  it('answers testPermissions with the permissions asked', async () => {
    const [bucket] = await storage.createBucket('iam-test-bucket');
    const [perms] = await bucket.iam.testPermissions(['storage.buckets.get', 'storage.objects.create']);
    expect(perms).toEqual({ 'storage.buckets.get': true, 'storage.objects.create': true });
  });
});
