// The Cloud Storage surfaces gcloud storage uses beyond what the Node client does: multipart bodies
// as Python's email package writes them, the discovery document's /resumable/upload path,
// buckets.getStorageLayout, objects.copy/rewrite/compose, and the fields= partial response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { insertBucket, uploadMedia } from './storage-helpers.js';

let emu: RunningEmulator;
const P = 'gcloud-surfaces';
beforeAll(async () => {
  emu = await startEmulator();
  await insertBucket(emu, P, { name: 'surface-bucket' });
  await insertBucket(emu, P, { name: 'surface-other', location: 'EUROPE-WEST1' });
});
afterAll(async () => emu.close());

describe('uploads as gcloud sends them', () => {
  it('takes a multipart body with a single-quoted boundary and LF line breaks', async () => {
    const boundary = '===============7330845974216740156==';
    const body = [
      `--${boundary}`,
      'content-type: application/json',
      'MIME-Version: 1.0',
      '',
      JSON.stringify({ name: 'lf.txt', contentType: 'text/plain' }),
      `--${boundary}`,
      'content-type: text/plain',
      'MIME-Version: 1.0',
      'Content-Transfer-Encoding: binary',
      '',
      'hello from gcloud',
      `--${boundary}--`,
      '',
    ].join('\n');
    const res = await fetch(`${emu.url}/upload/storage/v1/b/surface-bucket/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'content-type': `multipart/related; boundary='${boundary}'` },
      body,
    });
    expect(res.status).toBe(200);
    const obj = (await res.json()) as Record<string, unknown>;
    expect(obj).toMatchObject({ name: 'lf.txt', size: '17', contentType: 'text/plain' });
    const content = await fetch(`${emu.url}/storage/v1/b/surface-bucket/o/lf.txt?alt=media`);
    expect(await content.text()).toBe('hello from gcloud');
  });

  it('runs a resumable upload on /resumable/upload/storage/v1/...', async () => {
    const start = await fetch(`${emu.url}/resumable/upload/storage/v1/b/surface-bucket/o?uploadType=resumable&name=big.bin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-type': 'application/octet-stream' },
      body: JSON.stringify({ name: 'big.bin' }),
    });
    expect(start.status).toBe(200);
    const session = start.headers.get('location')!;
    const data = Buffer.alloc(300_000, 7);
    const first = await fetch(session, { method: 'PUT', headers: { 'content-range': `bytes 0-262143/${data.length}` }, body: data.subarray(0, 262_144) });
    expect(first.status).toBe(308);
    const last = await fetch(session, {
      method: 'PUT',
      headers: { 'content-range': `bytes 262144-${data.length - 1}/${data.length}` },
      body: data.subarray(262_144),
    });
    expect(last.status).toBe(200);
    expect(((await last.json()) as { size: string }).size).toBe(String(data.length));
  });
});

describe('bucket layout, copies and partial responses', () => {
  it('answers getStorageLayout', async () => {
    const layout = await rawJson(emu, 'GET', '/storage/v1/b/surface-other/storageLayout');
    expect(layout.body).toEqual({ kind: 'storage#storageLayout', bucket: 'surface-other', location: 'EUROPE-WEST1', locationType: 'region' });
    expect((await rawJson(emu, 'GET', '/storage/v1/b/no-such-bucket-x/storageLayout')).status).toBe(404);
  });

  it('copies, rewrites and composes objects', async () => {
    await uploadMedia(emu, 'surface-bucket', 'a.txt', 'alpha-');
    await uploadMedia(emu, 'surface-bucket', 'b.txt', 'bravo');
    const copied = await rawJson(emu, 'POST', '/storage/v1/b/surface-bucket/o/a.txt/copyTo/b/surface-other/o/a-copy.txt', {});
    expect(copied.body).toMatchObject({ bucket: 'surface-other', name: 'a-copy.txt', size: '6', contentType: 'text/plain' });
    const rewritten = await rawJson(emu, 'POST', '/storage/v1/b/surface-bucket/o/b.txt/rewriteTo/b/surface-other/o/b%2Fmoved.txt', { contentType: 'text/x-b' });
    expect(rewritten.body).toMatchObject({
      kind: 'storage#rewriteResponse',
      done: true,
      objectSize: '5',
      resource: { name: 'b/moved.txt', contentType: 'text/x-b' },
    });
    const composed = await rawJson(emu, 'POST', '/storage/v1/b/surface-bucket/o/ab.txt/compose', {
      sourceObjects: [{ name: 'a.txt' }, { name: 'b.txt' }],
      destination: { contentType: 'text/plain' },
    });
    expect(composed.body).toMatchObject({ name: 'ab.txt', size: '11', componentCount: 2 });
    expect(await (await fetch(`${emu.url}/storage/v1/b/surface-bucket/o/ab.txt?alt=media`)).text()).toBe('alpha-bravo');
    // A precondition on the destination holds as on an upload; a missing source is 404.
    expect((await rawJson(emu, 'POST', '/storage/v1/b/surface-bucket/o/a.txt/copyTo/b/surface-other/o/a-copy.txt?ifGenerationMatch=0', {})).status).toBe(412);
    expect((await rawJson(emu, 'POST', '/storage/v1/b/surface-bucket/o/nope/copyTo/b/surface-other/o/x', {})).status).toBe(404);
  });

  it('keeps only the fields= asked for, on any API', async () => {
    const listed = await rawJson(emu, 'GET', '/storage/v1/b/surface-bucket/o?fields=items(name,size),nextPageToken');
    expect(listed.body.items.every((o: object) => Object.keys(o).sort().join() === 'name,size')).toBe(true);
    expect(Object.keys(listed.body)).toEqual(['items']);
    const bucket = await rawJson(emu, 'GET', '/storage/v1/b/surface-bucket?fields=name,iamConfiguration/publicAccessPrevention');
    expect(bucket.body).toEqual({ name: 'surface-bucket', iamConfiguration: { publicAccessPrevention: 'inherited' } });
    const svc = await rawJson(emu, 'GET', `/v1/projects/${P}/serviceAccounts?fields=accounts.email`);
    expect(svc.status).toBe(200);
    expect((await rawJson(emu, 'GET', '/storage/v1/b/surface-bucket?fields=name(')).status).toBe(400);
  });
});
