// Conformance of the emulator's Docker side of Artifact Registry: the Docker Registry v2 API
// (push a manifest, resolve a tag to its digest) and the Artifact Registry API's view of the
// pushed images (dockerImages), through raw HTTP and the official client.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

const PROJECT = 'ar-docker-project';
const PARENT = `projects/${PROJECT}/locations/us-central1`;
const REPO = `${PARENT}/repositories/apps`;
const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

let emu: RunningEmulator;
let ar: ArtifactRegistryClient;

beforeAll(async () => {
  emu = await startEmulator();
  ar = new ArtifactRegistryClient(gaxOptions(emu));
  const [op] = await ar.createRepository({ parent: PARENT, repositoryId: 'apps', repository: { format: 'DOCKER' } });
  await op.promise();
});
afterAll(async () => {
  await ar.close();
  await emu.close();
});

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Raw HTTP with full control of headers (fetch will not send a Host of our choosing). */
function http(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: emu.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Contents of the blobs the test manifests name, by digest, so push() can upload them first. */
const blobContents = new Map<string, string>();

/** A manifest whose bytes differ by `seed`, as a build pushing a new image would. */
function manifest(seed: string, layerSize = 1000): Buffer {
  const digest = (s: string) => {
    const d = `sha256:${createHash('sha256').update(s).digest('hex')}`;
    blobContents.set(d, s);
    return d;
  };
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: digest(`config-${seed}`) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layerSize, digest: digest(`layer-${seed}`) }],
    }),
  );
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** As docker push: the blobs the manifest names (monolithic uploads), then the manifest. */
async function push(image: string, tag: string, bytes: Buffer, repoPath = `${PROJECT}/apps`, headers: Record<string, string> = {}) {
  let parsed: { config?: { digest: string }; layers?: Array<{ digest: string }> } = {};
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    // not a manifest: the registry is to refuse it
  }
  for (const d of [parsed.config?.digest, ...(parsed.layers ?? []).map((l) => l.digest)]) {
    const content = d ? blobContents.get(d) : undefined;
    if (content !== undefined) await http('POST', `/v2/${repoPath}/${image}/blobs/uploads/?digest=${d}`, content, headers);
  }
  return http('PUT', `/v2/${repoPath}/${image}/manifests/${tag}`, bytes, { 'content-type': MANIFEST_TYPE, ...headers });
}

describe('Artifact Registry Docker images', () => {
  it('pushes a manifest and resolves its tag to the sha256 of the pushed bytes', async () => {
    const bytes = manifest('web-1');
    const pushed = await push('web', 'latest', bytes);
    expect(pushed.status).toBe(201);
    expect(pushed.headers['docker-content-digest']).toBe(sha256(bytes));
    expect(pushed.headers.location).toBe(`/v2/${PROJECT}/apps/web/manifests/${sha256(bytes)}`);

    const head = await http('HEAD', `/v2/${PROJECT}/apps/web/manifests/latest`);
    expect(head.status).toBe(200);
    expect(head.headers['docker-content-digest']).toBe(sha256(bytes));
    expect(head.headers['content-type']).toBe(MANIFEST_TYPE);
    expect(head.body.length).toBe(0);

    const get = await http('GET', `/v2/${PROJECT}/apps/web/manifests/latest`);
    expect(get.body.equals(bytes)).toBe(true);
    const byDigest = await http('GET', `/v2/${PROJECT}/apps/web/manifests/${sha256(bytes)}`);
    expect(byDigest.headers['docker-content-digest']).toBe(sha256(bytes));
  });

  it('moves the tag when a new manifest is pushed under it, and lists both images with their tags', async () => {
    const first = manifest('api-1', 2000);
    const second = manifest('api-2', 3000);
    await push('api', 'v1', first);
    await push('api', 'prod', first);
    const before = await http('HEAD', `/v2/${PROJECT}/apps/api/manifests/prod`);
    expect(before.headers['docker-content-digest']).toBe(sha256(first));

    await push('api', 'prod', second);
    const after = await http('HEAD', `/v2/${PROJECT}/apps/api/manifests/prod`);
    expect(after.headers['docker-content-digest']).toBe(sha256(second));
    expect(after.headers['docker-content-digest']).not.toBe(before.headers['docker-content-digest']);

    const [images] = await ar.listDockerImages({ parent: REPO });
    const api = images.filter((i) => i.uri!.includes('/api@'));
    const byDigest = Object.fromEntries(api.map((i) => [i.name!.split('@')[1], i]));
    expect(byDigest[sha256(first)].tags).toEqual(['v1']);
    expect(byDigest[sha256(second)].tags).toEqual(['prod']);
    const img = byDigest[sha256(second)];
    expect(img.name).toBe(`${REPO}/dockerImages/api@${sha256(second)}`);
    expect(img.uri).toBe(`us-central1-docker.pkg.dev/${PROJECT}/apps/api@${sha256(second)}`);
    expect(Number(img.imageSizeBytes)).toBe(3100);
    expect(img.mediaType).toBe(MANIFEST_TYPE);
    expect(Number(img.uploadTime?.seconds)).toBeGreaterThan(0);
    expect(Number(img.updateTime?.seconds)).toBeGreaterThan(0);

    const [one] = await ar.getDockerImage({ name: img.name! });
    expect(one.tags).toEqual(['prod']);
    const tags = await rawJson(emu, 'GET', `/v2/${PROJECT}/apps/api/tags/list`);
    expect(tags.body).toEqual({ name: `${PROJECT}/apps/api`, tags: ['prod', 'v1'] });
  });

  it('keeps nested image paths, escaping their slashes in the image name only', async () => {
    const bytes = manifest('nested');
    expect((await push('team/svc/worker', '1.0', bytes)).status).toBe(201);
    const head = await http('HEAD', `/v2/${PROJECT}/apps/team/svc/worker/manifests/1.0`);
    expect(head.headers['docker-content-digest']).toBe(sha256(bytes));

    const [images] = await ar.listDockerImages({ parent: REPO });
    const nested = images.find((i) => i.tags?.includes('1.0'))!;
    expect(nested.name).toBe(`${REPO}/dockerImages/team%2Fsvc%2Fworker@${sha256(bytes)}`);
    expect(nested.uri).toBe(`us-central1-docker.pkg.dev/${PROJECT}/apps/team/svc/worker@${sha256(bytes)}`);
    const [got] = await ar.getDockerImage({ name: nested.name! });
    expect(got.uri).toBe(nested.uri);
  });

  it('answers unknown tags, repositories and images in the registry error shape', async () => {
    const tag = await http('GET', `/v2/${PROJECT}/apps/web/manifests/nope`);
    expect(tag.status).toBe(404);
    expect(JSON.parse(tag.body.toString()).errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect((await http('HEAD', `/v2/${PROJECT}/apps/web/manifests/nope`)).status).toBe(404);
    const repo = await http('GET', `/v2/${PROJECT}/no-such-repo/web/manifests/latest`);
    expect(repo.status).toBe(404);
    expect(JSON.parse(repo.body.toString()).errors[0].code).toBe('NAME_UNKNOWN');
    const missing = await ar.getDockerImage({ name: `${REPO}/dockerImages/web@sha256:${'0'.repeat(64)}` }).catch((e) => e);
    expect(missing.code === 404 || missing.code === 5).toBe(true);
  });

  it('refuses a manifest pushed by a digest that is not its own, an invalid tag and a non-manifest', async () => {
    const bytes = manifest('strict');
    const wrongDigest = await push('strict', `sha256:${'a'.repeat(64)}`, bytes);
    expect(wrongDigest.status).toBe(400);
    expect(JSON.parse(wrongDigest.body.toString()).errors[0].code).toBe('DIGEST_INVALID');
    const rightDigest = await push('strict', sha256(bytes), bytes);
    expect(rightDigest.status).toBe(201);
    expect((await push('strict', '-bad-tag', bytes)).status).toBe(400);
    expect((await push('strict', 'ok', Buffer.from('not json'))).status).toBe(400);
    expect((await push('Upper', 'ok', bytes)).status).toBe(400);
  });

  it('counts pushed images in the repository size and drops them with the repository', async () => {
    const [op] = await ar.createRepository({ parent: PARENT, repositoryId: 'sized', repository: { format: 'DOCKER' } });
    await op.promise();
    await push('one', 'a', manifest('s1', 400), `${PROJECT}/sized`);
    await push('two', 'b', manifest('s2', 500), `${PROJECT}/sized`);
    const [repo] = await ar.getRepository({ name: `${PARENT}/repositories/sized` });
    expect(Number(repo.sizeBytes)).toBe(1100);

    const [del] = await ar.deleteRepository({ name: repo.name! });
    await del.promise();
    const [again] = await ar.createRepository({ parent: PARENT, repositoryId: 'sized', repository: { format: 'DOCKER' } });
    await again.promise();
    const [images] = await ar.listDockerImages({ parent: repo.name! });
    expect(images).toEqual([]);
  });

  it('picks the repository location from a LOCATION-docker.pkg.dev Host header', async () => {
    const eu = `projects/${PROJECT}/locations/europe-west1`;
    const [op] = await ar.createRepository({ parent: eu, repositoryId: 'apps', repository: { format: 'DOCKER' } });
    await op.promise();
    const bytes = manifest('eu-only');
    const pushed = await push('eu-app', 'v1', bytes, `${PROJECT}/apps`, { host: 'europe-west1-docker.pkg.dev' });
    expect(pushed.status).toBe(201);
    const [euImages] = await ar.listDockerImages({ parent: `${eu}/repositories/apps` });
    expect(euImages.map((i) => i.tags)).toEqual([['v1']]);
    const usHead = await http('HEAD', `/v2/${PROJECT}/apps/eu-app/manifests/v1`, undefined, { host: 'us-central1-docker.pkg.dev' });
    expect(usHead.status).toBe(404);
  });

  it('deletes a tag or a whole image through the registry API', async () => {
    const bytes = manifest('deletable');
    await push('gone', 'x', bytes);
    await push('gone', 'y', bytes);
    expect((await http('DELETE', `/v2/${PROJECT}/apps/gone/manifests/x`)).status).toBe(202);
    expect((await http('HEAD', `/v2/${PROJECT}/apps/gone/manifests/x`)).status).toBe(404);
    expect((await http('HEAD', `/v2/${PROJECT}/apps/gone/manifests/y`)).status).toBe(200);
    expect((await http('DELETE', `/v2/${PROJECT}/apps/gone/manifests/${sha256(bytes)}`)).status).toBe(202);
    expect((await http('HEAD', `/v2/${PROJECT}/apps/gone/manifests/y`)).status).toBe(404);
  });

  it('answers the registry version check and leaves Cloud Run v2 paths alone', async () => {
    const base = await http('GET', '/v2/');
    expect(base.status).toBe(200);
    expect(base.headers['docker-distribution-api-version']).toBe('registry/2.0');
    for (const path of [`/v2/projects/${PROJECT}/locations/us-central1/services`, `/v2/projects/${PROJECT}/locations/us-central1/services/svc`]) {
      const run = await rawJson(emu, 'GET', path);
      expect(run.body?.errors, path).toBeUndefined();
      expect(emu.emulator.log.since(0).at(-1)?.route).not.toContain('/manifests/');
    }
  });
});

describe('Docker Registry v2 blob uploads', () => {
  const base = `/v2/${PROJECT}/apps/pushed`;
  const layer = Buffer.from('a layer of bytes, pushed in two chunks');

  it('uploads monolithically and in chunks, serves the blob, and refuses a wrong digest', async () => {
    const config = Buffer.from('{"architecture":"amd64"}');
    const mono = await http('POST', `${base}/blobs/uploads/?digest=${sha256(config)}`, config);
    expect(mono.status).toBe(201);
    expect(mono.headers['docker-content-digest']).toBe(sha256(config));
    expect(mono.headers.location).toBe(`${base}/blobs/${sha256(config)}`);

    const started = await http('POST', `${base}/blobs/uploads/`);
    expect(started.status).toBe(202);
    const session = String(started.headers.location);
    expect(session).toMatch(new RegExp(`^${base}/blobs/uploads/[0-9a-f-]{36}$`));
    const first = await http('PATCH', session, layer.subarray(0, 10), { 'content-range': '0-9' });
    expect(first.status).toBe(202);
    expect(first.headers.range).toBe('0-9');
    expect((await http('PATCH', session, layer.subarray(5), { 'content-range': '5-40' })).status).toBe(416);
    expect((await http('GET', session)).headers.range).toBe('0-9');
    expect((await http('PUT', `${session}?digest=sha256:${'b'.repeat(64)}`, layer.subarray(10))).status).toBe(400);
    const done = await http('PUT', `${session}?digest=${sha256(layer)}`, layer.subarray(10));
    expect(done.status).toBe(201);
    const got = await http('GET', `${base}/blobs/${sha256(layer)}`);
    expect(got.body.equals(layer)).toBe(true);
    expect((await http('HEAD', `${base}/blobs/sha256:${'c'.repeat(64)}`)).status).toBe(404);

    // A manifest naming these blobs is taken; one naming a blob never uploaded is BLOB_UNKNOWN.
    const good = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST_TYPE,
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
        layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) }],
      }),
    );
    expect((await http('PUT', `${base}/manifests/v1`, good, { 'content-type': MANIFEST_TYPE })).status).toBe(201);
    const missing = `sha256:${'d'.repeat(64)}`;
    const bad = Buffer.from(good.toString().replace(sha256(layer), missing));
    const refused = await http('PUT', `${base}/manifests/v2`, bad, { 'content-type': MANIFEST_TYPE });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body.toString())).toEqual({
      errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: missing } }],
    });
  });

  it('refuses a push to a repository that does not exist, as Artifact Registry does', async () => {
    const res = await http('POST', `/v2/${PROJECT}/no-such-repo/app/blobs/uploads/`);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString())).toEqual({ errors: [{ code: 'NAME_UNKNOWN', message: 'Repository "no-such-repo" not found' }] });
  });
});
