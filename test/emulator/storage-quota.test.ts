// Cloud Storage rate limits with quotas on (gcp-api-facts.md §2): about one bucket create or
// delete per two seconds per project, one metadata update per second per bucket; over them the
// JSON API answers 429 usageLimits/rateLimitExceeded. Off by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { insertBucket } from './storage-helpers.js';

const rateLimited = (message: string) => ({
  error: { code: 429, message, errors: [{ message, domain: 'usageLimits', reason: 'rateLimitExceeded' }] },
});
const CREATE_DELETE = rateLimited('The project exceeded the rate limit for creating and deleting buckets.');
const UPDATE = rateLimited('The bucket exceeded the rate limit for metadata updates. Please reduce your request rate.');

describe('with quotas on', () => {
  let emu: RunningEmulator;
  const clock = new ManualClock();
  beforeAll(async () => {
    emu = await startEmulator({ quotas: true, clock });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('limits bucket creates and deletes per project', async () => {
    expect((await insertBucket(emu, 'quota-project-a', { name: 'quota-a-1' })).status).toBe(200);
    const second = await insertBucket(emu, 'quota-project-a', { name: 'quota-a-2' });
    expect(second.status).toBe(429);
    expect(second.body).toEqual(CREATE_DELETE);
    expect((await rawJson(emu, 'GET', '/storage/v1/b/quota-a-2')).status).toBe(404);
    // Another project has its own budget.
    expect((await insertBucket(emu, 'quota-project-b', { name: 'quota-b-1' })).status).toBe(200);
    // A delete draws on the same budget as a create.
    const del = await rawJson(emu, 'DELETE', '/storage/v1/b/quota-b-1');
    expect(del.status).toBe(429);
    expect(del.body).toEqual(CREATE_DELETE);
  });

  it('limits metadata updates per bucket, and frees up after a second', async () => {
    await insertBucket(emu, 'quota-project-c', { name: 'quota-c-1' });
    await insertBucket(emu, 'quota-project-d', { name: 'quota-d-1' });
    expect((await rawJson(emu, 'PATCH', '/storage/v1/b/quota-c-1', { labels: { n: '1' } })).status).toBe(200);
    const second = await rawJson(emu, 'PATCH', '/storage/v1/b/quota-c-1', { labels: { n: '2' } });
    expect(second.status).toBe(429);
    expect(second.body).toEqual(UPDATE);
    // A policy change is a metadata update of the same bucket.
    const iam = await rawJson(emu, 'PUT', '/storage/v1/b/quota-c-1/iam', { bindings: [] });
    expect(iam.status).toBe(429);
    // Another bucket is not affected.
    expect((await rawJson(emu, 'PATCH', '/storage/v1/b/quota-d-1', { labels: { n: '1' } })).status).toBe(200);
    clock.advance(999);
    expect((await rawJson(emu, 'PATCH', '/storage/v1/b/quota-c-1', { labels: { n: '3' } })).status).toBe(429);
    clock.advance(1);
    const later = await rawJson(emu, 'PATCH', '/storage/v1/b/quota-c-1', { labels: { n: '3' } });
    expect(later.status).toBe(200);
    expect(later.body.labels).toEqual({ n: '3' });
  });
});

describe('with quotas off (the default)', () => {
  it('creates and patches as fast as asked', async () => {
    const emu = await startEmulator();
    try {
      for (const name of ['burst-1', 'burst-2', 'burst-3']) expect((await insertBucket(emu, 'quota-project-e', { name })).status).toBe(200);
      for (const n of ['1', '2', '3']) expect((await rawJson(emu, 'PATCH', '/storage/v1/b/burst-1', { labels: { n } })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
