// Cloud Storage objects: uploads (media, multipart, resumable), metadata, content, list, delete and
// generation preconditions (gcp-api-facts.md §2).

import type { Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';
import { BUCKET_NOT_FOUND, OBJECT_PRECONDITION_FAILED, storageClient, storageErrorBody, uploadMedia } from './storage-helpers.js';

let emu: RunningEmulator;
let storage: Storage;
let bucket: Bucket;
const B = 'objects-bucket';

beforeAll(async () => {
  emu = await startEmulator();
  storage = storageClient(emu, 'storage-objects-1');
  [bucket] = await storage.createBucket(B);
});
afterAll(async () => {
  await emu.close();
});

describe('uploads and downloads', () => {
  it('takes a multipart upload (file.save with resumable: false) and answers the object resource', async () => {
    const file = bucket.file('docs/hello.txt');
    await file.save('hello world', { resumable: false, contentType: 'text/plain', metadata: { metadata: { owner: 'tests' } } });
    const res = await rawJson(emu, 'GET', `/storage/v1/b/${B}/o/docs%2Fhello.txt`);
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o).toMatchObject({
      kind: 'storage#object',
      id: `${B}/docs/hello.txt/${o.generation}`,
      name: 'docs/hello.txt',
      bucket: B,
      metageneration: '1',
      contentType: 'text/plain',
      size: '11',
      // MD5 and big-endian CRC32C of "hello world", base64.
      md5Hash: 'XrY7u+Ae7tCTyyK7j1rNww==',
      crc32c: 'yZRlqg==',
      storageClass: 'STANDARD',
      metadata: { owner: 'tests' },
      selfLink: `${emu.url}/storage/v1/b/${B}/o/docs%2Fhello.txt`,
    });
    expect(o.generation).toMatch(/^\d{16}$/);
    expect(Math.abs(Number(o.generation) / 1000 - Date.now())).toBeLessThan(60_000);
    expect(o.etag).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(o.timeCreated).toBe(o.updated);
    const [content] = await file.download();
    expect(content.toString()).toBe('hello world');
  });

  it('computes the CRC32C check value of "123456789" (0xE3069283)', async () => {
    const res = await uploadMedia(emu, B, 'check-value', '123456789');
    expect(res.body.crc32c).toBe(Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'));
  });

  it('takes a resumable upload (file.save default) of a larger binary object', async () => {
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
    const file = bucket.file('blobs/large.bin');
    await file.save(data);
    const [meta] = await file.getMetadata();
    expect(meta.size).toBe(String(data.length));
    const [content] = await file.download();
    expect(content.equals(data)).toBe(true);
  });

  it('runs a chunked resumable upload over raw HTTP: 308 with Range until the last chunk', async () => {
    const start = await fetch(`${emu.url}/upload/storage/v1/b/${B}/o?uploadType=resumable&name=chunked.txt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-type': 'text/plain' },
      body: JSON.stringify({ metadata: { via: 'raw' } }),
    });
    expect(start.status).toBe(200);
    const session = start.headers.get('location')!;
    expect(session).toContain('upload_id=');
    const put = (range: string, body: string) => fetch(session, { method: 'PUT', headers: { 'content-range': range }, body });
    const first = await put('bytes 0-4/10', 'hello');
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe('bytes=0-4');
    const status = await put('bytes */10', '');
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe('bytes=0-4');
    const last = await put('bytes 5-9/10', 'world');
    expect(last.status).toBe(200);
    const obj: any = await last.json();
    expect([obj.name, obj.size, obj.contentType, obj.metadata]).toEqual(['chunked.txt', '10', 'text/plain', { via: 'raw' }]);
    const [content] = await bucket.file('chunked.txt').download();
    expect(content.toString()).toBe('helloworld');
  });

  it('takes a media upload whose content looks like broken JSON as plain bytes', async () => {
    const res = await uploadMedia(emu, B, 'not-json.txt', '{"lease": ', '', 'application/json');
    expect(res.status).toBe(200);
    const [content] = await bucket.file('not-json.txt').download();
    expect(content.toString()).toBe('{"lease": ');
  });

  it('serves content with alt=media and the integrity headers the client checks', async () => {
    await uploadMedia(emu, B, 'a/b:c.txt', 'abc');
    const res = await fetch(`${emu.url}/storage/v1/b/${B}/o/a%2Fb%3Ac.txt?alt=media`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('abc');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('x-goog-hash')).toMatch(/^crc32c=[^,]+,md5=.+$/);
    expect(res.headers.get('x-goog-stored-content-encoding')).toBe('identity');
    const ranged = await fetch(`${emu.url}/storage/v1/b/${B}/o/a%2Fb%3Ac.txt?alt=media`, { headers: { range: 'bytes=1-' } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('bc');
  });

  it('answers 404 for a missing object and for an upload into a missing bucket', async () => {
    const missing = await rawJson(emu, 'GET', `/storage/v1/b/${B}/o/nothing%2Fhere`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(storageErrorBody(404, 'notFound', `No such object: ${B}/nothing/here`));
    const [exists] = await bucket.file('nothing/here').exists();
    expect(exists).toBe(false);
    const upload = await uploadMedia(emu, 'no-such-bucket-anywhere', 'x', 'x');
    expect(upload.status).toBe(404);
    expect(upload.body).toEqual(BUCKET_NOT_FOUND);
  });

  it('refuses an upload without uploadType the way Google does', async () => {
    const res = await fetch(`${emu.url}/upload/storage/v1/b/${B}/o?name=x`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body.error.errors[0].reason).toBe('wrongUrlForUpload');
  });
});

describe('generation preconditions', () => {
  it('creates only if absent with ifGenerationMatch=0: the second create is 412', async () => {
    const first = await uploadMedia(emu, B, 'locks/leader', 'holder-1', '&ifGenerationMatch=0');
    expect(first.status).toBe(200);
    const second = await uploadMedia(emu, B, 'locks/leader', 'holder-2', '&ifGenerationMatch=0');
    expect(second.status).toBe(412);
    expect(second.body).toEqual(OBJECT_PRECONDITION_FAILED);
    const [content] = await bucket.file('locks/leader').download();
    expect(content.toString()).toBe('holder-1');

    const viaClient = await bucket
      .file('locks/leader')
      .save('holder-3', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })
      .catch((e) => e);
    expect(viaClient.code).toBe(412);
  });

  it('replaces only the generation named by ifGenerationMatch', async () => {
    const v1 = await uploadMedia(emu, B, 'locks/cas', 'v1');
    const v2 = await uploadMedia(emu, B, 'locks/cas', 'v2', `&ifGenerationMatch=${v1.body.generation}`);
    expect(v2.status).toBe(200);
    expect(BigInt(v2.body.generation)).toBeGreaterThan(BigInt(v1.body.generation));
    expect((await uploadMedia(emu, B, 'locks/cas', 'v3', `&ifGenerationMatch=${v1.body.generation}`)).status).toBe(412);
    expect((await uploadMedia(emu, B, 'locks/absent', 'v1', '&ifGenerationMatch=123')).status).toBe(412);
  });

  it('deletes only the expected generation', async () => {
    const up = await uploadMedia(emu, B, 'locks/release', 'x');
    const wrong = await rawJson(emu, 'DELETE', `/storage/v1/b/${B}/o/locks%2Frelease?ifGenerationMatch=1`);
    expect(wrong.status).toBe(412);
    expect(wrong.body).toEqual(OBJECT_PRECONDITION_FAILED);
    const right = await fetch(`${emu.url}/storage/v1/b/${B}/o/locks%2Frelease?ifGenerationMatch=${up.body.generation}`, { method: 'DELETE' });
    expect(right.status).toBe(204);
    expect(await right.text()).toBe('');
    expect((await rawJson(emu, 'DELETE', `/storage/v1/b/${B}/o/locks%2Frelease`)).status).toBe(404);
  });

  it('answers 304 to a read whose ifGenerationNotMatch still holds the current generation', async () => {
    const up = await uploadMedia(emu, B, 'cached.txt', 'x');
    expect((await fetch(`${emu.url}/storage/v1/b/${B}/o/cached.txt?ifGenerationNotMatch=${up.body.generation}`)).status).toBe(304);
    expect((await fetch(`${emu.url}/storage/v1/b/${B}/o/cached.txt?ifGenerationNotMatch=1`)).status).toBe(200);
  });

  it('patches object metadata with metageneration preconditions', async () => {
    await uploadMedia(emu, B, 'patched.txt', 'x');
    const patched = await rawJson(emu, 'PATCH', `/storage/v1/b/${B}/o/patched.txt?ifMetagenerationMatch=1`, { metadata: { a: '1', b: '2' } });
    expect(patched.body.metageneration).toBe('2');
    const merged = await rawJson(emu, 'PATCH', `/storage/v1/b/${B}/o/patched.txt`, { metadata: { a: null, c: '3' } });
    expect(merged.body.metadata).toEqual({ b: '2', c: '3' });
    const stale = await rawJson(emu, 'PATCH', `/storage/v1/b/${B}/o/patched.txt?ifMetagenerationMatch=1`, { contentType: 'text/html' });
    expect(stale.status).toBe(412);
  });
});

describe('listing and deleting', () => {
  let listBucket: Bucket;
  beforeAll(async () => {
    [listBucket] = await storage.createBucket('objects-list-bucket');
    for (const name of ['d', 'a/1', 'c', 'b/1', 'a/2', 'a/sub/3']) await listBucket.file(name).save(name, { resumable: false });
  });

  it('lists by name, with prefix', async () => {
    const [all] = await listBucket.getFiles();
    expect(all.map((f) => f.name)).toEqual(['a/1', 'a/2', 'a/sub/3', 'b/1', 'c', 'd']);
    const [underA] = await listBucket.getFiles({ prefix: 'a/' });
    expect(underA.map((f) => f.name)).toEqual(['a/1', 'a/2', 'a/sub/3']);
  });

  it('collapses names under a delimiter into prefixes', async () => {
    const res = await rawJson(emu, 'GET', '/storage/v1/b/objects-list-bucket/o?delimiter=/');
    expect(res.body.kind).toBe('storage#objects');
    expect(res.body.prefixes).toEqual(['a/', 'b/']);
    expect(res.body.items.map((o: any) => o.name)).toEqual(['c', 'd']);
    const nested = await rawJson(emu, 'GET', '/storage/v1/b/objects-list-bucket/o?delimiter=/&prefix=a/');
    expect(nested.body.prefixes).toEqual(['a/sub/']);
    expect(nested.body.items.map((o: any) => o.name)).toEqual(['a/1', 'a/2']);
  });

  it('pages with maxResults and pageToken', async () => {
    const names: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const res = await rawJson(emu, 'GET', `/storage/v1/b/objects-list-bucket/o?maxResults=4${token ? `&pageToken=${token}` : ''}`);
      names.push(...res.body.items.map((o: any) => o.name));
      token = res.body.nextPageToken ?? '';
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(names).toEqual(['a/1', 'a/2', 'a/sub/3', 'b/1', 'c', 'd']);
  });

  it('deletes through the client and lists what is left; an empty listing has no items', async () => {
    const [files] = await listBucket.getFiles();
    await Promise.all(files.map((f) => f.delete()));
    const res = await rawJson(emu, 'GET', '/storage/v1/b/objects-list-bucket/o');
    expect(res.body).toEqual({ kind: 'storage#objects' });
  });
});
