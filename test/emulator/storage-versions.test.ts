// Object versioning and soft delete (Cloud Storage "Object Versioning", "Soft delete"): noncurrent
// versions kept and listed with versions=true, addressed by generation; soft-deleted objects kept
// for the bucket's retention, listed with softDeleted=true, restorable; gone after the retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { insertBucket, uploadMedia } from './storage-helpers.js';

let emu: RunningEmulator;
const clock = new ManualClock();
const P = 'versions-project';
beforeAll(async () => {
  emu = await startEmulator({ clock });
});
afterAll(async () => emu.close());

const list = async (bucket: string, query = '') =>
  ((await rawJson(emu, 'GET', `/storage/v1/b/${bucket}/o?${query}`)).body.items ?? []).map((o: any) => [
    o.name,
    o.generation,
    o.timeDeleted ? 'noncurrent' : o.softDeleteTime ? 'soft' : 'live',
  ]);

describe('object versioning', () => {
  it('keeps overwritten and deleted generations as noncurrent versions', async () => {
    await insertBucket(emu, P, { name: 'versioned-bucket', versioning: { enabled: true }, softDeletePolicy: { retentionDurationSeconds: '0' } });
    const v1 = (await uploadMedia(emu, 'versioned-bucket', 'doc.txt', 'one')).body;
    clock.advance(1);
    const v2 = (await uploadMedia(emu, 'versioned-bucket', 'doc.txt', 'two')).body;
    expect(await list('versioned-bucket')).toEqual([['doc.txt', v2.generation, 'live']]);
    expect(await list('versioned-bucket', 'versions=true')).toEqual([
      ['doc.txt', v1.generation, 'noncurrent'],
      ['doc.txt', v2.generation, 'live'],
    ]);
    const old = await fetch(`${emu.url}/storage/v1/b/versioned-bucket/o/doc.txt?alt=media&generation=${v1.generation}`);
    expect(await old.text()).toBe('one');

    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/versioned-bucket/o/doc.txt')).status).toBe(204);
    expect(await list('versioned-bucket')).toEqual([]);
    expect((await list('versioned-bucket', 'versions=true')).map((v: string[]) => v[2])).toEqual(['noncurrent', 'noncurrent']);
    // A bucket holding noncurrent versions is not empty; deleting them by generation empties it.
    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/versioned-bucket')).status).toBe(409);
    for (const v of [v1, v2]) expect((await rawJson(emu, 'DELETE', `/storage/v1/b/versioned-bucket/o/doc.txt?generation=${v.generation}`)).status).toBe(204);
    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/versioned-bucket')).status).toBe(204);
  });
});

describe('soft delete', () => {
  it("keeps deleted and overwritten objects for the bucket's retention, lists and restores them", async () => {
    await insertBucket(emu, P, { name: 'soft-bucket' }); // 7 days by default
    const first = (await uploadMedia(emu, 'soft-bucket', 'a.txt', 'first')).body;
    const second = (await uploadMedia(emu, 'soft-bucket', 'a.txt', 'second')).body;
    expect((await rawJson(emu, 'DELETE', '/storage/v1/b/soft-bucket/o/a.txt')).status).toBe(204);
    expect(await list('soft-bucket')).toEqual([]);
    expect(await list('soft-bucket', 'softDeleted=true')).toEqual([
      ['a.txt', first.generation, 'soft'],
      ['a.txt', second.generation, 'soft'],
    ]);
    const meta = await rawJson(emu, 'GET', `/storage/v1/b/soft-bucket/o/a.txt?softDeleted=true&generation=${second.generation}`);
    expect(Date.parse(meta.body.hardDeleteTime) - Date.parse(meta.body.softDeleteTime)).toBe(7 * 86_400_000);
    expect((await rawJson(emu, 'GET', '/storage/v1/b/soft-bucket/o/a.txt')).status).toBe(404);

    const restored = await rawJson(emu, 'POST', `/storage/v1/b/soft-bucket/o/a.txt/restore?generation=${second.generation}`);
    expect(restored.status).toBe(200);
    expect(await (await fetch(`${emu.url}/storage/v1/b/soft-bucket/o/a.txt?alt=media`)).text()).toBe('second');
    expect((await list('soft-bucket', 'softDeleted=true')).map((v: string[]) => v[1])).toEqual([first.generation]);

    clock.advance(7 * 86_400_000);
    expect(await list('soft-bucket', 'softDeleted=true')).toEqual([]);
    expect((await rawJson(emu, 'POST', `/storage/v1/b/soft-bucket/o/a.txt/restore?generation=${first.generation}`)).status).toBe(404);
  });
});
