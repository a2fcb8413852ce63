// Conformance of the emulator's Secret Manager secrets (create, get, list, patch, delete, IAM) to
// ../shared/gcp-api-facts.md §5, through the official client in REST mode and raw HTTP.

import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { projectNumberFor } from '../../emulator/projects.js';
import { gaxOptions, rawJson } from './helpers.js';

const PROJECT = 'sm-secrets-project';
const NUMBER = projectNumberFor(PROJECT);
const AUTOMATIC = { automatic: {} };

let emu: RunningEmulator;
let sm: SecretManagerServiceClient;

beforeAll(async () => {
  emu = await startEmulator();
  sm = new SecretManagerServiceClient(gaxOptions(emu));
});
afterAll(async () => {
  await sm.close();
  await emu.close();
});

async function create(secretId: string, secret: Record<string, unknown> = { replication: AUTOMATIC }) {
  const [created] = await sm.createSecret({ parent: `projects/${PROJECT}`, secretId, secret });
  return created;
}

describe('Secret Manager secrets', () => {
  it('names a secret with the project number though it was created by project id, and finds it by either', async () => {
    const created = await create('gemini-api-key', { replication: AUTOMATIC, labels: { app: 'muse' } });
    expect(created.name).toBe(`projects/${NUMBER}/secrets/gemini-api-key`);
    expect(created.replication?.automatic).toBeTruthy();
    expect(created.labels).toEqual({ app: 'muse' });
    expect(Number(created.createTime?.seconds)).toBeGreaterThan(0);
    expect(created.etag).toMatch(/^"[0-9a-f]+"$/);

    const [byId] = await sm.getSecret({ name: `projects/${PROJECT}/secrets/gemini-api-key` });
    const [byNumber] = await sm.getSecret({ name: `projects/${NUMBER}/secrets/gemini-api-key` });
    expect(byId.name).toBe(created.name);
    expect(byNumber.etag).toBe(created.etag);
  });

  it('keeps user-managed replication as sent', async () => {
    const created = await create('regional', { replication: { userManaged: { replicas: [{ location: 'europe-west1' }, { location: 'us-east1' }] } } });
    expect(created.replication?.userManaged?.replicas?.map((r) => r.location)).toEqual(['europe-west1', 'us-east1']);
  });

  it('answers a duplicate create with 409 ALREADY_EXISTS in Google words', async () => {
    await create('dup');
    const err = await create('dup').catch((e) => e);
    expect(err.code === 409 || err.code === 6).toBe(true);
    const raw = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=dup`, { replication: AUTOMATIC });
    expect(raw.status).toBe(409);
    expect(raw.body.error).toEqual({ code: 409, status: 'ALREADY_EXISTS', message: `Secret [projects/${NUMBER}/secrets/dup] already exists.` });
  });

  it('answers a missing secret with 404 NOT_FOUND', async () => {
    const raw = await rawJson(emu, 'GET', `/v1/projects/${PROJECT}/secrets/nope`);
    expect(raw.status).toBe(404);
    expect(raw.body.error.status).toBe('NOT_FOUND');
    expect(raw.body.error.message).toBe(`Secret [projects/${NUMBER}/secrets/nope] not found.`);
    const err = await sm.getSecret({ name: `projects/${PROJECT}/secrets/nope` }).catch((e) => e);
    expect(err.code === 404 || err.code === 5).toBe(true);
  });

  it('refuses a secret without replication, a bad secret id and an unknown field', async () => {
    const noReplication = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=norep`, { labels: { a: 'b' } });
    expect(noReplication.status).toBe(400);
    expect(noReplication.body.error.status).toBe('INVALID_ARGUMENT');
    expect(noReplication.body.error.message).toContain('replication');

    const emptyReplicas = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=norep`, { replication: { userManaged: { replicas: [] } } });
    expect(emptyReplicas.status).toBe(400);

    for (const bad of ['has.dot', 'has space', 'x'.repeat(256), 'ünïcode']) {
      const raw = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=${encodeURIComponent(bad)}`, { replication: AUTOMATIC });
      expect(raw.status, bad).toBe(400);
    }
    const longest = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=${'A_b-9'.repeat(51)}`, { replication: AUTOMATIC });
    expect(longest.status).toBe(200);

    const unknown = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=unknown-field`, { replication: AUTOMATIC, colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "colour" at 'secret': Cannot find field.`);
    expect(await rawJson(emu, 'GET', `/v1/projects/${PROJECT}/secrets/norep`).then((r) => r.status)).toBe(404);
  });

  it('lists secrets of one project by page, and by label filter', async () => {
    const project = 'sm-list-project';
    for (const id of ['a-one', 'b-two', 'c-three']) {
      await sm.createSecret({
        parent: `projects/${project}`,
        secretId: id,
        secret: { replication: AUTOMATIC, labels: { tier: id === 'b-two' ? 'gold' : 'tin' } },
      });
    }
    const [all] = await sm.listSecrets({ parent: `projects/${project}` });
    expect(all.map((s) => s.name!.split('/').pop())).toEqual(['a-one', 'b-two', 'c-three']);

    const first = await rawJson(emu, 'GET', `/v1/projects/${project}/secrets?pageSize=2`);
    expect(first.body.secrets).toHaveLength(2);
    expect(first.body.totalSize).toBe(3);
    const second = await rawJson(emu, 'GET', `/v1/projects/${project}/secrets?pageSize=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body.secrets.map((s: { name: string }) => s.name)).toEqual([`projects/${projectNumberFor(project)}/secrets/c-three`]);
    expect(second.body.nextPageToken).toBeUndefined();

    const [gold] = await sm.listSecrets({ parent: `projects/${project}`, filter: 'labels.tier=gold' });
    expect(gold.map((s) => s.name!.split('/').pop())).toEqual(['b-two']);
    const [named] = await sm.listSecrets({ parent: `projects/${project}`, filter: 'name:three' });
    expect(named).toHaveLength(1);
    const badFilter = await rawJson(emu, 'GET', `/v1/projects/${project}/secrets?filter=${encodeURIComponent('colour=red')}`);
    expect(badFilter.status).toBe(400);
  });

  it('requires an update mask on patch and applies only the masked fields', async () => {
    const created = await create('patchme', { replication: AUTOMATIC, labels: { a: '1' }, annotations: { note: 'x' } });
    const noMask = await rawJson(emu, 'PATCH', `/v1/projects/${PROJECT}/secrets/patchme`, { labels: { a: '2' } });
    expect(noMask.status).toBe(400);
    expect(noMask.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'Field [update_mask] is required.' });

    const [updated] = await sm.updateSecret({
      secret: { name: created.name, labels: { a: '2', b: '3' }, annotations: { ignored: 'y' } },
      updateMask: { paths: ['labels'] },
    });
    expect(updated.labels).toEqual({ a: '2', b: '3' });
    expect(updated.annotations).toEqual({ note: 'x' }); // not in the mask
    expect(updated.etag).not.toBe(created.etag);

    const [cleared] = await sm.updateSecret({ secret: { name: created.name }, updateMask: { paths: ['annotations'] } });
    expect(cleared.annotations ?? {}).toEqual({});
    expect(cleared.labels).toEqual({ a: '2', b: '3' });

    const mapKey = await rawJson(emu, 'PATCH', `/v1/projects/${PROJECT}/secrets/patchme?updateMask=labels.a`, { labels: { a: '9' } });
    expect(mapKey.status).toBe(400);
  });

  it('keeps replication immutable: a patch that changes it is refused, one that repeats it is not', async () => {
    await create('immutable');
    const change = await rawJson(emu, 'PATCH', `/v1/projects/${PROJECT}/secrets/immutable?updateMask=replication`, {
      replication: { userManaged: { replicas: [{ location: 'us-east1' }] } },
    });
    expect(change.status).toBe(400);
    expect(change.body.error.status).toBe('INVALID_ARGUMENT');
    expect(change.body.error.message).toContain('Updating secret replication is not supported.');
    const same = await rawJson(emu, 'PATCH', `/v1/projects/${PROJECT}/secrets/immutable?updateMask=replication,labels`, {
      replication: AUTOMATIC,
      labels: { k: 'v' },
    });
    expect(same.status).toBe(200);
    expect(same.body.replication).toEqual(AUTOMATIC);
    expect(same.body.labels).toEqual({ k: 'v' });
  });

  it('checks etags on patch and delete with 400 FAILED_PRECONDITION', async () => {
    const created = await create('etagged');
    const [moved] = await sm.updateSecret({ secret: { name: created.name, labels: { x: 'y' }, etag: created.etag }, updateMask: { paths: ['labels'] } });
    const stalePatch = await rawJson(emu, 'PATCH', `/v1/projects/${PROJECT}/secrets/etagged?updateMask=labels`, { labels: {}, etag: created.etag });
    expect(stalePatch.status).toBe(400);
    expect(stalePatch.body.error.status).toBe('FAILED_PRECONDITION');

    const staleDelete = await sm.deleteSecret({ name: created.name, etag: created.etag! }).catch((e) => e);
    expect(staleDelete.code === 400 || staleDelete.code === 9).toBe(true);
    await sm.getSecret({ name: created.name }); // still there

    await sm.deleteSecret({ name: created.name, etag: moved.etag! });
    const gone = await rawJson(emu, 'GET', `/v1/projects/${PROJECT}/secrets/etagged`);
    expect(gone.status).toBe(404);
  });

  it('deletes without an etag, answering {}, and a deleted id can be created again', async () => {
    await create('again');
    const del = await rawJson(emu, 'DELETE', `/v1/projects/${PROJECT}/secrets/again`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    const missing = await rawJson(emu, 'DELETE', `/v1/projects/${PROJECT}/secrets/again`);
    expect(missing.status).toBe(404);
    await create('again');
  });

  it('runs an etag-checked IAM read-modify-write and refuses a stale etag with 409 ABORTED', async () => {
    const created = await create('iam');
    const [empty] = await sm.getIamPolicy({ resource: created.name! });
    expect(empty.bindings ?? []).toEqual([]);
    const [set] = await sm.setIamPolicy({
      resource: created.name!,
      policy: { etag: empty.etag, bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['user:muse-admin@example.com'] }] },
    });
    expect(set.bindings?.[0].role).toBe('roles/secretmanager.secretAccessor');
    const [read] = await sm.getIamPolicy({ resource: `projects/${PROJECT}/secrets/iam` });
    expect(Buffer.from(read.etag as Uint8Array).toString('base64')).toBe(Buffer.from(set.etag as Uint8Array).toString('base64'));

    const stale = Buffer.from(empty.etag as Uint8Array).toString('base64');
    const raw = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets/iam:setIamPolicy`, { policy: { etag: stale, bindings: [] } });
    expect(raw.status).toBe(409);
    expect(raw.body.error.status).toBe('ABORTED');
    const err = await sm.setIamPolicy({ resource: created.name!, policy: { etag: empty.etag, bindings: [] } }).catch((e) => e);
    expect(err.code === 409 || err.code === 10).toBe(true);

    const missing = await rawJson(emu, 'GET', `/v1/projects/${PROJECT}/secrets/no-such:getIamPolicy`);
    expect(missing.status).toBe(404);
  });

  it('charges secret reads to the 600-per-minute read quota when quotas are on', async () => {
    const quotaEmu = await startEmulator({ quotas: true });
    try {
      await rawJson(quotaEmu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=q`, { replication: AUTOMATIC });
      for (let batch = 0; batch < 12; batch++) {
        const answers = await Promise.all(Array.from({ length: 50 }, () => rawJson(quotaEmu, 'GET', `/v1/projects/${PROJECT}/secrets/q`)));
        expect(answers.every((a) => a.status === 200)).toBe(true);
      }
      const over = await rawJson(quotaEmu, 'GET', `/v1/projects/${PROJECT}/secrets/q`);
      expect(over.status).toBe(429);
      expect(over.body.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(over.body.error.message).toContain("'secretmanager.googleapis.com/read_requests'");
      expect(over.body.error.message).toContain(`project_number:${NUMBER}`);
      // Writes have their own bucket.
      const write = await rawJson(quotaEmu, 'POST', `/v1/projects/${PROJECT}/secrets/q:addVersion`, { payload: { data: 'eA==' } });
      expect(write.status).toBe(200);
    } finally {
      await quotaEmu.close();
    }
  });
});
