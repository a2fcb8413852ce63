// Conformance of the emulator's Artifact Registry repositories, operations and IAM to
// ../shared/gcp-api-facts.md §6, through the official client in REST mode and raw HTTP.

import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

const PROJECT = 'ar-repos-project';
const PARENT = `projects/${PROJECT}/locations/us-central1`;

let emu: RunningEmulator;
let ar: ArtifactRegistryClient;

beforeAll(async () => {
  emu = await startEmulator();
  ar = new ArtifactRegistryClient(gaxOptions(emu));
});
afterAll(async () => {
  await ar.close();
  await emu.close();
});

async function createRepo(repositoryId: string, repository: Record<string, unknown> = { format: 'DOCKER' }, client = ar, parent = PARENT) {
  const [op] = await client.createRepository({ parent, repositoryId, repository });
  const [repo] = await op.promise();
  return repo;
}

describe('Artifact Registry repositories', () => {
  it('creates a repository through a long-running operation the client waits on', async () => {
    const repo = await createRepo('images', { format: 'DOCKER', description: 'app images', labels: { app: 'muse' } });
    expect(repo.name).toBe(`${PARENT}/repositories/images`);
    // op.promise() decodes the Any response as a protobuf message: enums come back as numbers.
    expect(repo.format).toBe(1); // DOCKER
    expect(repo.description).toBe('app images');
    expect(repo.labels).toEqual({ app: 'muse' });
    expect(repo.mode).toBe(1); // STANDARD_REPOSITORY
    expect(repo.registryUri).toBe(`us-central1-docker.pkg.dev/${PROJECT}/images`);
    expect(Number(repo.createTime?.seconds)).toBeGreaterThan(0);
    expect(Number(repo.updateTime?.seconds)).toBeGreaterThan(0);

    const [got] = await ar.getRepository({ name: repo.name! });
    expect(got.name).toBe(repo.name);
    expect(got.format).toBe('DOCKER');
    expect(got.mode).toBe('STANDARD_REPOSITORY');
  });

  it('answers create with an Operation carrying typed metadata and the Repository as response', async () => {
    const raw = await rawJson(emu, 'POST', `/v1/${PARENT}/repositories?repositoryId=raw-op`, { format: 'DOCKER' });
    expect(raw.status).toBe(200);
    expect(raw.body.name).toMatch(new RegExp(`^${PARENT}/operations/[0-9a-f-]+$`));
    expect(raw.body.metadata).toEqual({ '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata' });
    expect(raw.body.done).toBe(true);
    expect(raw.body.response['@type']).toBe('type.googleapis.com/google.devtools.artifactregistry.v1.Repository');
    expect(raw.body.response.format).toBe('DOCKER');
    const polled = await rawJson(emu, 'GET', `/v1/${raw.body.name}`);
    expect(polled.body).toEqual(raw.body);
    const asInts = await rawJson(emu, 'GET', `/v1/${raw.body.name}?$alt=json;enum-encoding=int`);
    expect(asInts.body.response.format).toBe(1);
    const missing = await rawJson(emu, 'GET', `/v1/${PARENT}/operations/does-not-exist`);
    expect(missing.status).toBe(404);
  });

  it('makes the repository visible only when a slow creation completes, and reserves its id meanwhile', async () => {
    const slow = await startEmulator();
    const client = new ArtifactRegistryClient(gaxOptions(slow));
    try {
      slow.emulator.operations.hold('artifactregistry.createRepository');
      const [op] = await client.createRepository({ parent: PARENT, repositoryId: 'slow', repository: { format: 'DOCKER' } });
      expect(op.done).toBeFalsy();
      expect((await rawJson(slow, 'GET', `/v1/${PARENT}/repositories/slow`)).status).toBe(404);
      const dup = await rawJson(slow, 'POST', `/v1/${PARENT}/repositories?repositoryId=slow`, { format: 'DOCKER' });
      expect(dup.status).toBe(409);
      expect(slow.emulator.operations.release()).toEqual([op.name]);
      const [repo] = await op.promise();
      expect(repo.name).toBe(`${PARENT}/repositories/slow`);
      expect((await rawJson(slow, 'GET', `/v1/${PARENT}/repositories/slow`)).status).toBe(200);
    } finally {
      await client.close();
      await slow.close();
    }
  });

  it('answers 409 and 404 in Google words with a status', async () => {
    await createRepo('twice');
    const err = await createRepo('twice').catch((e) => e);
    expect(err.code === 409 || err.code === 6).toBe(true);
    const dup = await rawJson(emu, 'POST', `/v1/${PARENT}/repositories?repositoryId=twice`, { format: 'DOCKER' });
    expect(dup.body.error).toEqual({ code: 409, message: 'the repository already exists', status: 'ALREADY_EXISTS' });

    const missing = await rawJson(emu, 'GET', `/v1/${PARENT}/repositories/nope`);
    expect(missing.body.error).toEqual({ code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' });
    const notFound = await ar.getRepository({ name: `${PARENT}/repositories/nope` }).catch((e) => e);
    expect(notFound.code === 404 || notFound.code === 5).toBe(true);
  });

  it('refuses a bad repository id and a missing format', async () => {
    for (const bad of ['Upper', '1starts-with-digit', 'ends-', 'under_score', 'x'.repeat(64)]) {
      const raw = await rawJson(emu, 'POST', `/v1/${PARENT}/repositories?repositoryId=${bad}`, { format: 'DOCKER' });
      expect(raw.status, bad).toBe(400);
      expect(raw.body.error.status).toBe('INVALID_ARGUMENT');
    }
    const noFormat = await rawJson(emu, 'POST', `/v1/${PARENT}/repositories?repositoryId=no-format`, { description: 'x' });
    expect(noFormat.status).toBe(400);
    const unknown = await rawJson(emu, 'POST', `/v1/${PARENT}/repositories?repositoryId=unknown-field`, { format: 'DOCKER', shape: 'round' });
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "shape" at 'repository': Cannot find field.`);
  });

  it('lists the repositories of one location by page and by name filter', async () => {
    const parent = `projects/${PROJECT}/locations/europe-west1`;
    for (const id of ['alpha', 'beta', 'gamma']) await createRepo(id, { format: id === 'beta' ? 'NPM' : 'DOCKER' }, ar, parent);
    const [all] = await ar.listRepositories({ parent });
    expect(all.map((r) => r.name!.split('/').pop())).toEqual(['alpha', 'beta', 'gamma']);
    expect(all[1].format).toBe('NPM');
    const page = await rawJson(emu, 'GET', `/v1/${parent}/repositories?pageSize=2`);
    expect(page.body.repositories).toHaveLength(2);
    const rest = await rawJson(emu, 'GET', `/v1/${parent}/repositories?pageSize=2&pageToken=${page.body.nextPageToken}`);
    expect(rest.body.repositories.map((r: { name: string }) => r.name)).toEqual([`${parent}/repositories/gamma`]);
    const [filtered] = await ar.listRepositories({ parent, filter: `name="${parent}/repositories/g*"` });
    expect(filtered.map((r) => r.name!.split('/').pop())).toEqual(['gamma']);
  });

  it('patches synchronously by update mask and keeps format immutable', async () => {
    const repo = await createRepo('patched', { format: 'DOCKER', description: 'before', labels: { a: '1' } });
    emu.emulator.clock.advance(5);
    const [updated] = await ar.updateRepository({
      repository: { name: repo.name, description: 'after', labels: { b: '2' } },
      updateMask: { paths: ['description'] },
    });
    expect(updated.description).toBe('after');
    expect(updated.labels).toEqual({ a: '1' }); // not in the mask
    expect(Number(updated.updateTime!.seconds) * 1e9 + updated.updateTime!.nanos!).toBeGreaterThan(
      Number(repo.updateTime!.seconds) * 1e9 + repo.updateTime!.nanos!,
    );

    const format = await ar.updateRepository({ repository: { name: repo.name, format: 'NPM' }, updateMask: { paths: ['format'] } }).catch((e) => e);
    expect(format.code === 400 || format.code === 3).toBe(true);
    const raw = await rawJson(emu, 'PATCH', `/v1/${repo.name}?updateMask=format`, { format: 'MAVEN' });
    expect(raw.status).toBe(400);
    expect(raw.body.error.status).toBe('INVALID_ARGUMENT');
    const same = await rawJson(emu, 'PATCH', `/v1/${repo.name}?updateMask=format,labels`, { format: 'DOCKER', labels: { c: '3' } });
    expect(same.status).toBe(200);
    expect(same.body.labels).toEqual({ c: '3' });
    const [after] = await ar.getRepository({ name: repo.name! });
    expect(after.format).toBe('DOCKER');

    // No mask: the fields the body populates.
    const implied = await rawJson(emu, 'PATCH', `/v1/${repo.name}`, { description: 'implied' });
    expect(implied.body.description).toBe('implied');
    expect(implied.body.labels).toEqual({ c: '3' });
    expect((await rawJson(emu, 'PATCH', `/v1/${repo.name}?updateMask=colour`, {})).status).toBe(400);
  });

  it('deletes through an operation whose response is Empty', async () => {
    const repo = await createRepo('doomed');
    const [op] = await ar.deleteRepository({ name: repo.name! });
    await op.promise();
    expect((await rawJson(emu, 'GET', `/v1/${repo.name}`)).status).toBe(404);
    await createRepo('doomed-raw');
    const raw = await rawJson(emu, 'DELETE', `/v1/${PARENT}/repositories/doomed-raw`);
    expect(raw.body.done).toBe(true);
    expect(raw.body.response).toEqual({ '@type': 'type.googleapis.com/google.protobuf.Empty' });
    expect(raw.body.metadata['@type']).toBe('type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata');
    const again = await rawJson(emu, 'DELETE', `/v1/${PARENT}/repositories/doomed-raw`);
    expect(again.status).toBe(404);
  });

  it('runs an etag-checked IAM read-modify-write and refuses a stale etag with 409 ABORTED', async () => {
    const repo = await createRepo('guarded');
    const [empty] = await ar.getIamPolicy({ resource: repo.name! });
    const [set] = await ar.setIamPolicy({
      resource: repo.name!,
      policy: { etag: empty.etag, bindings: [{ role: 'roles/artifactregistry.reader', members: ['user:deployer@example.com'] }] },
    });
    expect(set.bindings?.[0].members).toEqual(['user:deployer@example.com']);
    const [read] = await ar.getIamPolicy({ resource: repo.name! });
    expect(read.bindings?.[0].role).toBe('roles/artifactregistry.reader');

    const err = await ar.setIamPolicy({ resource: repo.name!, policy: { etag: empty.etag, bindings: [] } }).catch((e) => e);
    expect(err.code === 409 || err.code === 10).toBe(true);
    const stale = Buffer.from(empty.etag as Uint8Array).toString('base64');
    const raw = await rawJson(emu, 'POST', `/v1/${repo.name}:setIamPolicy`, { policy: { etag: stale } });
    expect(raw.body.error.status).toBe('ABORTED');
    expect((await rawJson(emu, 'GET', `/v1/${PARENT}/repositories/nope:getIamPolicy`)).status).toBe(404);

    // A repository deleted and created again starts with no grants.
    const [op] = await ar.deleteRepository({ name: repo.name! });
    await op.promise();
    await createRepo('guarded');
    const [fresh] = await ar.getIamPolicy({ resource: repo.name! });
    expect(fresh.bindings ?? []).toEqual([]);
  });
});
