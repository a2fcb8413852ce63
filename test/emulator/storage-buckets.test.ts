// Cloud Storage buckets: insert, get, list, delete, names and conflicts (gcp-api-facts.md §2).

import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { BUCKET_NOT_FOUND, insertBucket, storageClient, storageErrorBody, uploadMedia } from './storage-helpers.js';

let emu: RunningEmulator;
let storage: Storage;
const PROJECT = 'storage-buckets-1';

beforeAll(async () => {
  emu = await startEmulator();
  storage = storageClient(emu, PROJECT);
});
afterAll(async () => {
  await emu.close();
});

describe('bucket insert and get', () => {
  it('answers a new bucket with every default output field and nothing else', async () => {
    const [bucket] = await storage.createBucket('defaults-bucket');
    expect(bucket.metadata.name).toBe('defaults-bucket');
    const res = await rawJson(emu, 'GET', '/storage/v1/b/defaults-bucket');
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b).toEqual({
      kind: 'storage#bucket',
      selfLink: `${emu.url}/storage/v1/b/defaults-bucket`,
      id: 'defaults-bucket',
      name: 'defaults-bucket',
      projectNumber: expect.stringMatching(/^[1-9]\d{11}$/),
      metageneration: '1',
      location: 'US',
      locationType: 'multi-region',
      rpo: 'DEFAULT',
      storageClass: 'STANDARD',
      etag: 'CAE=',
      timeCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated: b.timeCreated,
      softDeletePolicy: { retentionDurationSeconds: '604800', effectiveTime: b.timeCreated },
      iamConfiguration: {
        bucketPolicyOnly: { enabled: false },
        uniformBucketLevelAccess: { enabled: false },
        publicAccessPrevention: 'inherited',
      },
    });
    const project = await rawJson(emu, 'GET', `/v1/projects/${PROJECT}`);
    expect(b.projectNumber).toBe(project.body.projectNumber);
  });

  it('stores the location upper-case and names its type', async () => {
    const [regional] = await storage.createBucket('regional-bucket', { location: 'europe-west1' });
    expect(regional.metadata.location).toBe('EUROPE-WEST1');
    expect(regional.metadata.locationType).toBe('region');
    expect(regional.metadata.rpo).toBeUndefined();
    const dual = await insertBucket(emu, PROJECT, { name: 'dual-bucket', location: 'eur4' });
    expect([dual.body.location, dual.body.locationType, dual.body.rpo]).toEqual(['EUR4', 'dual-region', 'DEFAULT']);
    const bad = await insertBucket(emu, PROJECT, { name: 'nowhere-bucket', location: 'mars-north1' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(storageErrorBody(400, 'invalid', 'The specified location constraint is not valid.'));
  });

  it('takes a storage class and refuses an unknown one', async () => {
    const [cold] = await storage.createBucket('cold-bucket', { storageClass: 'COLDLINE' });
    expect(cold.metadata.storageClass).toBe('COLDLINE');
    const bad = await insertBucket(emu, PROJECT, { name: 'lukewarm-bucket', storageClass: 'LUKEWARM' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.errors[0].reason).toBe('invalid');
  });

  it('ignores unknown and output-only fields instead of refusing them', async () => {
    const res = await insertBucket(emu, PROJECT, { name: 'lenient-bucket', colour: 'blue', metageneration: '7', projectNumber: '1', kind: 'x' });
    expect(res.status).toBe(200);
    expect(res.body.colour).toBeUndefined();
    expect(res.body.metageneration).toBe('1');
    expect(res.body.kind).toBe('storage#bucket');
    expect(res.body.projectNumber).not.toBe('1');
  });

  it('answers a GET right after the create (no eventual-consistency window by default)', async () => {
    await insertBucket(emu, PROJECT, { name: 'instant-bucket' });
    const res = await rawJson(emu, 'GET', '/storage/v1/b/instant-bucket');
    expect(res.status).toBe(200);
  });

  it('answers 404 for a missing bucket in the storage dialect (no status field)', async () => {
    const res = await rawJson(emu, 'GET', '/storage/v1/b/no-such-bucket-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(BUCKET_NOT_FOUND);
    const [exists] = await storage.bucket('no-such-bucket-here').exists();
    expect(exists).toBe(false);
  });

  it('needs the project parameter', async () => {
    const res = await rawJson(emu, 'POST', '/storage/v1/b', { name: 'orphan-bucket' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(storageErrorBody(400, 'required', 'Required parameter: project', { locationType: 'parameter', location: 'project' }));
  });
});

describe('bucket names', () => {
  const long63 = 'a'.repeat(63);
  const dotted222 = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(30)].join('.');

  it.each(['abc', 'a-b_c.d9', '0bucket1', long63, dotted222])('accepts %s', async (name) => {
    const res = await insertBucket(emu, PROJECT, { name });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(64)],
    ['upper case', 'Upper-bucket'],
    ['starts with a dash', '-bucket'],
    ['ends with an underscore', 'bucket_'],
    ['a space', 'my bucket'],
    ['empty dot component', 'a..b'],
    ['dot component over 63', `${'a'.repeat(64)}.com`],
    ['dotted over 222', `${dotted222}x`],
    ['an IP address', '192.168.5.4'],
    ['the goog prefix', 'goog-bucket'],
    ['google inside', 'my-google-bucket'],
    ['a close misspelling of google', 'my-g00gle-bucket'],
  ])('refuses %s', async (_why, name) => {
    const res = await insertBucket(emu, PROJECT, { name });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(storageErrorBody(400, 'invalid', `Invalid bucket name: '${name}'`));
  });
});

describe('bucket name conflicts', () => {
  it('answers 409 with "you already own it" to the owner and "not available" to anyone else', async () => {
    expect((await insertBucket(emu, PROJECT, { name: 'contested-bucket' })).status).toBe(200);
    const again = await insertBucket(emu, PROJECT, { name: 'contested-bucket' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(storageErrorBody(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.'));
    const foreign = await insertBucket(emu, 'storage-buckets-other', { name: 'contested-bucket' });
    expect(foreign.status).toBe(409);
    expect(foreign.body).toEqual(
      storageErrorBody(
        409,
        'conflict',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      ),
    );
    const viaClient = await storage.createBucket('contested-bucket').catch((e) => e);
    expect(viaClient.code).toBe(409);
  });
});

describe('bucket list', () => {
  it("lists the project's buckets by name, filtered by prefix, in pages", async () => {
    const project = 'storage-buckets-list';
    for (const name of ['list-c', 'list-a', 'list-b', 'other-x']) await insertBucket(emu, project, { name });
    await insertBucket(emu, 'storage-buckets-list2', { name: 'list-d' });
    const [all] = await storageClient(emu, project).getBuckets({ prefix: 'list-' });
    expect(all.map((b) => b.name)).toEqual(['list-a', 'list-b', 'list-c']);

    const first = await rawJson(emu, 'GET', `/storage/v1/b?project=${project}&maxResults=2`);
    expect(first.body.kind).toBe('storage#buckets');
    expect(first.body.items.map((b: any) => b.name)).toEqual(['list-a', 'list-b']);
    expect(first.body.nextPageToken).toBeTruthy();
    const second = await rawJson(emu, 'GET', `/storage/v1/b?project=${project}&maxResults=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body.items.map((b: any) => b.name)).toEqual(['list-c', 'other-x']);
    expect(second.body.nextPageToken).toBeUndefined();

    const none = await rawJson(emu, 'GET', `/storage/v1/b?project=${project}&prefix=zzz`);
    expect(none.body).toEqual({ kind: 'storage#buckets' });
  });
});

describe('bucket delete', () => {
  it('refuses a bucket that still holds objects, then deletes it with 204 and an empty body', async () => {
    await insertBucket(emu, PROJECT, { name: 'full-bucket' });
    expect((await uploadMedia(emu, 'full-bucket', 'left/behind.txt', 'x')).status).toBe(200);
    const refused = await rawJson(emu, 'DELETE', '/storage/v1/b/full-bucket');
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual(storageErrorBody(409, 'conflict', 'The bucket you tried to delete is not empty.'));

    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/full-bucket/o/left%2Fbehind.txt')).status).toBe(204);
    const res = await fetch(`${emu.url}/storage/v1/b/full-bucket`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await rawJson(emu, 'GET', '/storage/v1/b/full-bucket')).body).toEqual(BUCKET_NOT_FOUND);
    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/full-bucket')).status).toBe(404);
  });

  it('deletes through the client, and the name is free again', async () => {
    const [bucket] = await storage.createBucket('short-lived-bucket');
    await bucket.delete();
    const [exists] = await bucket.exists();
    expect(exists).toBe(false);
    expect((await insertBucket(emu, 'storage-buckets-other', { name: 'short-lived-bucket' })).status).toBe(200);
  });

  it('checks ifMetagenerationMatch on delete', async () => {
    await insertBucket(emu, PROJECT, { name: 'guarded-bucket' });
    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/guarded-bucket?ifMetagenerationMatch=5')).status).toBe(412);
    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/guarded-bucket?ifMetagenerationMatch=1')).status).toBe(204);
  });
});
