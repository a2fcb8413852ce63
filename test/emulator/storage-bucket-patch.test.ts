// Cloud Storage bucket changes: PATCH semantics, PUT, preconditions, labels, lifecycle,
// uniform bucket-level access (gcp-api-facts.md §2).

import type { LifecycleRule, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { INVALID_ARGUMENT, insertBucket, PRECONDITION_FAILED, storageClient } from './storage-helpers.js';

let emu: RunningEmulator;
let storage: Storage;
const PROJECT = 'storage-patch-1';

beforeAll(async () => {
  emu = await startEmulator();
  storage = storageClient(emu, PROJECT);
});
afterAll(async () => {
  await emu.close();
});

const patch = (bucket: string, body: unknown, query = '') => rawJson(emu, 'PATCH', `/storage/v1/b/${bucket}${query}`, body);

describe('metageneration and preconditions', () => {
  it('moves metageneration and etag on every patch', async () => {
    const created = await insertBucket(emu, PROJECT, { name: 'meta-bucket' });
    const first = await patch('meta-bucket', { labels: { step: 'one' } });
    const second = await patch('meta-bucket', { labels: { step: 'two' } });
    expect([created.body.metageneration, first.body.metageneration, second.body.metageneration]).toEqual(['1', '2', '3']);
    expect([created.body.etag, first.body.etag, second.body.etag]).toEqual(['CAE=', 'CAI=', 'CAM=']);
    expect(second.body.timeCreated).toBe(created.body.timeCreated);
    expect(Date.parse(second.body.updated)).toBeGreaterThanOrEqual(Date.parse(created.body.updated));
  });

  it('refuses a stale ifMetagenerationMatch with 412 conditionNotMet, exactly', async () => {
    await insertBucket(emu, PROJECT, { name: 'cas-bucket' });
    expect((await patch('cas-bucket', { labels: { a: 'b' } }, '?ifMetagenerationMatch=1')).status).toBe(200);
    const stale = await patch('cas-bucket', { labels: { a: 'c' } }, '?ifMetagenerationMatch=1');
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual(PRECONDITION_FAILED);
    expect(stale.body.error.status).toBeUndefined();
    const [meta] = await storage.bucket('cas-bucket').getMetadata();
    expect(meta.labels).toEqual({ a: 'b' });

    const viaClient = await storage
      .bucket('cas-bucket')
      .setMetadata({ labels: { a: 'd' } }, { ifMetagenerationMatch: 1 })
      .catch((e) => e);
    expect(viaClient.code).toBe(412);
    const [ok] = await storage.bucket('cas-bucket').setMetadata({ labels: { a: 'd' } }, { ifMetagenerationMatch: 2 });
    expect(ok.metageneration).toBe('3');
  });

  it('honours ifMetagenerationNotMatch: 412 on a change, 304 on a read', async () => {
    await insertBucket(emu, PROJECT, { name: 'notmatch-bucket' });
    expect((await patch('notmatch-bucket', { labels: { x: 'y' } }, '?ifMetagenerationNotMatch=1')).status).toBe(412);
    expect((await patch('notmatch-bucket', { labels: { x: 'y' } }, '?ifMetagenerationNotMatch=7')).status).toBe(200);
    const unchanged = await fetch(`${emu.url}/storage/v1/b/notmatch-bucket?ifMetagenerationNotMatch=2`);
    expect(unchanged.status).toBe(304);
    expect((await rawJson(emu, 'GET', '/storage/v1/b/notmatch-bucket?ifMetagenerationMatch=1')).status).toBe(412);
  });
});

describe('patch semantics', () => {
  it('merges label keys, removes a key set to null, and drops labels emptied that way', async () => {
    await insertBucket(emu, PROJECT, { name: 'labels-bucket', labels: { a: '1', b: '2' } });
    const merged = await patch('labels-bucket', { labels: { b: null, c: '3' } });
    expect(merged.body.labels).toEqual({ a: '1', c: '3' });
    const untouched = await patch('labels-bucket', { versioning: { enabled: true } });
    expect(untouched.body.labels).toEqual({ a: '1', c: '3' });
    const emptied = await patch('labels-bucket', { labels: { a: null, c: null } });
    expect(emptied.body.labels).toBeUndefined();
  });

  it('clears a field set to null and restores server defaults', async () => {
    await insertBucket(emu, PROJECT, { name: 'nulls-bucket', storageClass: 'NEARLINE', versioning: { enabled: true } });
    const cleared = await patch('nulls-bucket', { versioning: null, storageClass: null });
    expect(cleared.body.versioning).toBeUndefined();
    expect(cleared.body.storageClass).toBe('STANDARD');
  });

  it('keeps fields fixed at creation: a location in a patch is ignored', async () => {
    await insertBucket(emu, PROJECT, { name: 'fixed-bucket', location: 'us-east1' });
    const res = await patch('fixed-bucket', { location: 'EU', labels: { k: 'v' } });
    expect(res.body.location).toBe('US-EAST1');
  });

  it('replaces every settable field on PUT (update)', async () => {
    await insertBucket(emu, PROJECT, { name: 'put-bucket', location: 'asia', labels: { old: 'yes' }, versioning: { enabled: true } });
    const res = await rawJson(emu, 'PUT', '/storage/v1/b/put-bucket', { name: 'put-bucket', labels: { fresh: 'yes' } });
    expect(res.status).toBe(200);
    expect(res.body.labels).toEqual({ fresh: 'yes' });
    expect(res.body.versioning).toBeUndefined();
    expect(res.body.location).toBe('ASIA');
    expect(res.body.metageneration).toBe('2');
  });

  it('turns on uniform bucket-level access under both its names, with a lock time', async () => {
    await insertBucket(emu, PROJECT, { name: 'ubla-bucket' });
    const [meta] = await storage.bucket('ubla-bucket').setMetadata({ iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } });
    // The client's type predates bucketPolicyOnly; the wire still carries it.
    const iam = meta.iamConfiguration as any;
    expect(iam.uniformBucketLevelAccess.enabled).toBe(true);
    expect(iam.bucketPolicyOnly.enabled).toBe(true);
    expect(Date.parse(iam.uniformBucketLevelAccess.lockedTime)).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(iam.publicAccessPrevention).toBe('inherited');
    const enforced = await patch('ubla-bucket', { iamConfiguration: { publicAccessPrevention: 'enforced' } });
    expect(enforced.body.iamConfiguration.uniformBucketLevelAccess.enabled).toBe(true);
    expect(enforced.body.iamConfiguration.publicAccessPrevention).toBe('enforced');
  });

  it('restarts the soft-delete effective time when the retention changes', async () => {
    const created = await insertBucket(emu, PROJECT, { name: 'softdelete-bucket' });
    emu.emulator.clock.advance(5);
    const off = await patch('softdelete-bucket', { softDeletePolicy: { retentionDurationSeconds: '0' } });
    expect(off.body.softDeletePolicy.retentionDurationSeconds).toBe('0');
    expect(off.body.softDeletePolicy.effectiveTime).not.toBe(created.body.softDeletePolicy.effectiveTime);
    const tooShort = await patch('softdelete-bucket', { softDeletePolicy: { retentionDurationSeconds: '3600' } });
    expect(tooShort.body).toEqual(INVALID_ARGUMENT);
  });
});

describe('labels', () => {
  it.each([
    ['an upper-case key', { Env: 'dev' }],
    ['a key with a dot', { 'app.kubernetes.io': 'x' }],
    ['a 64-character key', { ['k'.repeat(64)]: 'v' }],
    ['an empty key', { '': 'v' }],
    ['an upper-case value', { env: 'Dev' }],
    ['a 64-character value', { env: 'v'.repeat(64) }],
    ['a value that is not a string', { env: 5 }],
  ])('refuses %s with a bare 400 Invalid argument.', async (_why, labels) => {
    const res = await insertBucket(emu, PROJECT, { name: 'bad-labels-bucket', labels });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_ARGUMENT);
  });

  it('accepts 63-character keys, digits, dashes, underscores, international letters and empty values', async () => {
    const labels = { ['k'.repeat(63)]: 'v'.repeat(63), 'team_1-a': '', ключ: 'значение' };
    const res = await insertBucket(emu, PROJECT, { name: 'good-labels-bucket', labels });
    expect(res.status).toBe(200);
    expect(res.body.labels).toEqual(labels);
  });

  it('refuses more than 64 labels', async () => {
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect((await insertBucket(emu, PROJECT, { name: 'many-labels-bucket', labels })).status).toBe(400);
  });
});

describe('lifecycle', () => {
  const rules: LifecycleRule[] = [
    { action: { type: 'Delete' }, condition: { age: 30 } },
    { action: { type: 'SetStorageClass', storageClass: 'NEARLINE' }, condition: { age: 10, matchesStorageClass: ['STANDARD'] } },
    { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 7 } },
    { action: { type: 'Delete' }, condition: { isLive: false, numNewerVersions: 3, createdBefore: '2024-01-31' } },
  ];

  it('round-trips rules through the client and clears them with null', async () => {
    const [bucket] = await storage.createBucket('lifecycle-bucket', { lifecycle: { rule: rules } });
    const [meta] = await bucket.getMetadata();
    expect(meta.lifecycle).toEqual({ rule: rules });
    const [cleared] = await bucket.setMetadata({ lifecycle: null });
    expect(cleared.lifecycle).toBeUndefined();
    const [added] = await bucket.setMetadata({ lifecycle: { rule: [rules[0]] } });
    expect(added.lifecycle).toEqual({ rule: [rules[0]] });
    const [emptied] = await bucket.setMetadata({ lifecycle: { rule: [] } });
    expect(emptied.lifecycle).toBeUndefined();
  });

  it.each([
    ['an unknown action type', { action: { type: 'Archive' }, condition: { age: 1 } }],
    ['SetStorageClass without a class', { action: { type: 'SetStorageClass' }, condition: { age: 1 } }],
    ['Delete with a storage class', { action: { type: 'Delete', storageClass: 'STANDARD' }, condition: { age: 1 } }],
    ['no condition', { action: { type: 'Delete' }, condition: {} }],
    ['a negative age', { action: { type: 'Delete' }, condition: { age: -1 } }],
    ['a malformed date', { action: { type: 'Delete' }, condition: { createdBefore: '31/01/2024' } }],
  ])('refuses %s', async (_why, rule) => {
    const res = await insertBucket(emu, PROJECT, { name: 'bad-lifecycle-bucket', lifecycle: { rule: [rule] } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_ARGUMENT);
    expect((await rawJson(emu, 'GET', '/storage/v1/b/bad-lifecycle-bucket')).status).toBe(404);
  });
});
