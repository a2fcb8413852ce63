// Conformance of Cloud Run v2 service updates, IAM and quotas (gcp-api-facts.md §1, §4): update
// masks, allowMissing, generations and revisions, the named-revision conflict, etag-checked policies.

import { v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

let emu: RunningEmulator;
let client: InstanceType<typeof v2.ServicesClient>;

const PARENT = 'projects/demo-project/locations/europe-west1';
const PATH = `/v2/${PARENT}/services`;
let n = 0;
const uniqueId = () => `upd-${++n}`;
const container = (image = 'img:1', extra: Record<string, any> = {}) => ({ image, ...extra });

beforeAll(async () => {
  emu = await startEmulator();
  client = new v2.ServicesClient(gaxOptions(emu));
});
afterAll(async () => {
  await client.close();
  await emu.close();
});

async function createRaw(id: string, body: Record<string, any>) {
  const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${id}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const { '@type': _type, ...service } = res.body.response;
  return service;
}
const get = async (id: string) => (await rawJson(emu, 'GET', `${PATH}/${id}`)).body;
const patch = (id: string, query: string, body: unknown) => rawJson(emu, 'PATCH', `${PATH}/${id}${query}`, body);

describe('Cloud Run services: updates', () => {
  it('changes only the masked paths when an updateMask is given', async () => {
    const id = uniqueId();
    await createRaw(id, { labels: { a: '1' }, description: 'first', template: { containers: [container()] } });
    const res = await patch(id, '?updateMask=labels', { labels: { b: '2' }, description: 'ignored', template: { containers: [container('img:2')] } });
    expect(res.status).toBe(200);
    const after = await get(id);
    expect(after.labels).toEqual({ b: '2' });
    expect(after.description).toBe('first');
    expect(after.template.containers[0].image).toBe('img:1');
    expect(after.generation).toBe('2');
    // A masked field absent from the body is cleared; snake_case paths are accepted.
    await patch(id, '?updateMask=description,template.max_instance_request_concurrency', { template: { maxInstanceRequestConcurrency: 5 } });
    const cleared = await get(id);
    expect(cleared.description).toBeUndefined();
    expect(cleared.template.maxInstanceRequestConcurrency).toBe(5);
    expect(cleared.labels).toEqual({ b: '2' });
    // The client sends its FieldMask as the updateMask query parameter.
    const [op] = await client.updateService({ service: { name: `${PARENT}/services/${id}`, labels: { via: 'client' } }, updateMask: { paths: ['labels'] } });
    const [svc] = await op.promise();
    expect(svc.labels).toEqual({ via: 'client' });
    expect(svc.template!.containers![0].image).toBe('img:1');
    // Output-only fields cannot be masked.
    expect((await patch(id, '?updateMask=uid', { uid: 'x' })).status).toBe(400);
  });

  it('replaces the whole service without a mask, filling defaults again', async () => {
    const id = uniqueId();
    await createRaw(id, { labels: { a: '1' }, ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY', template: { timeout: '60s', containers: [container()] } });
    await patch(id, '', { template: { containers: [container('img:2')] } });
    const after = await get(id);
    expect(after.labels).toBeUndefined();
    expect(after.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(after.template.timeout).toBe('300s');
    expect(after.template.containers[0].image).toBe('img:2');
  });

  it('bumps the generation on a spec change, makes a revision only for template changes, and ignores no-op updates', async () => {
    const id = uniqueId();
    const created = await createRaw(id, { template: { containers: [container()] } });
    const rev1 = created.latestCreatedRevision;
    expect(rev1).toMatch(new RegExp(`/revisions/${id}-00001-[a-z0-9]{3}$`));

    // Read-modify-write echoing everything back changes nothing.
    const same = await patch(id, '', created);
    expect(same.body.done).toBe(true);
    const unchanged = await get(id);
    expect(unchanged.generation).toBe('1');
    expect(unchanged.etag).toBe(created.etag);

    await patch(id, '?updateMask=labels', { labels: { team: 'x' } });
    const labelled = await get(id);
    expect(labelled.generation).toBe('2');
    expect(labelled.observedGeneration).toBe('2');
    expect(labelled.latestCreatedRevision).toBe(rev1);
    expect(labelled.etag).not.toBe(created.etag);
    expect(labelled.etag).toMatch(/^".+"$/);
    expect(labelled.updateTime >= created.updateTime).toBe(true);

    // The same read-modify-write through the client: whatever it echoes back, only the image changes.
    const [current] = await client.getService({ name: labelled.name });
    const [op] = await client.updateService({ service: { ...current, template: { ...current.template, containers: [container('img:2')] } } });
    const [svc] = await op.promise();
    expect(String(svc.generation)).toBe('3');
    expect(svc.latestCreatedRevision).toMatch(new RegExp(`/revisions/${id}-00002-[a-z0-9]{3}$`));
    expect(svc.latestReadyRevision).toBe(svc.latestCreatedRevision);
    expect(svc.createTime).toEqual(expect.objectContaining({ seconds: expect.anything() }));
    expect(svc.uid).toBe(created.uid);
  });

  it('creates the service on update with allowMissing, and 404s without it', async () => {
    const id = uniqueId();
    const missing = await patch(id, '', { template: { containers: [container()] } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`Resource '${id}' of kind 'SERVICE' in region 'europe-west1' in project 'demo-project' does not exist.`);
    const [op] = await client.updateService({ service: { name: `${PARENT}/services/${id}`, template: { containers: [container()] } }, allowMissing: true });
    const [svc] = await op.promise();
    expect(String(svc.generation)).toBe('1');
    expect((await get(id)).name).toBe(`${PARENT}/services/${id}`);
  });

  it('refuses an update whose etag is stale', async () => {
    const id = uniqueId();
    const created = await createRaw(id, { template: { containers: [container()] } });
    await patch(id, '?updateMask=labels', { labels: { a: 'b' } });
    const stale = await patch(id, '?updateMask=labels', { labels: { c: 'd' }, etag: created.etag });
    expect(stale.status).toBe(409);
    expect(stale.body.error.status).toBe('ABORTED');
    const current = await get(id);
    expect((await patch(id, '?updateMask=labels', { labels: { c: 'd' }, etag: current.etag })).status).toBe(200);
  });

  it('refuses a template.revision that names an existing revision with another configuration', async () => {
    const id = uniqueId();
    await createRaw(id, { template: { revision: `${id}-blue`, containers: [container()] } });
    const service = await get(id);
    expect(service.latestReadyRevision).toBe(`${PARENT}/services/${id}/revisions/${id}-blue`);
    // Read-modify-write that keeps template.revision but changes the template:
    const conflict = await patch(id, '', { ...service, template: { ...service.template, containers: [container('img:2')] } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({
      status: 'ALREADY_EXISTS',
      message: `Revision named '${id}-blue' with different configuration already exists.`,
    });
    // Clearing template.revision lets the server name the new revision.
    const { revision: _drop, ...template } = service.template;
    const ok = await patch(id, '', { ...service, template: { ...template, containers: [container('img:2')] } });
    expect(ok.status).toBe(200);
    expect((await get(id)).latestCreatedRevision).toMatch(new RegExp(`/revisions/${id}-00002-[a-z0-9]{3}$`));
    // A revision name must carry the service's prefix.
    const prefix = await patch(id, '', { template: { revision: 'other-name', containers: [container('img:3')] } });
    expect(prefix.status).toBe(400);
  });

  it('routes traffic to named revisions and reports tags with their URLs', async () => {
    const id = uniqueId();
    const first = await createRaw(id, { template: { containers: [container()] } });
    const rev1 = first.latestReadyRevision.split('/').at(-1);
    const res = await patch(id, '', {
      template: { containers: [container('img:2')] },
      traffic: [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: rev1, percent: 90 },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 10, tag: 'canary' },
      ],
    });
    expect(res.status).toBe(200);
    const after = await get(id);
    expect(after.trafficStatuses).toEqual([
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: rev1, percent: 90 },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 10, tag: 'canary', uri: after.uri.replace('https://', 'https://canary---') },
    ]);
    const bad = await patch(id, '', {
      template: { containers: [container('img:2')] },
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 50 }],
    });
    expect(bad.status).toBe(400);
    const unknown = await patch(id, '', {
      template: { containers: [container('img:2')] },
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: `${id}-99999-zzz`, percent: 100 }],
    });
    expect(unknown.status).toBe(400);
  });
});

describe('Cloud Run services: IAM', () => {
  it('answers {"etag":"ACAB"} for a service that never had a policy, and 404 for a missing service', async () => {
    const id = uniqueId();
    await createRaw(id, { template: { containers: [container()] } });
    const res = await rawJson(emu, 'GET', `${PATH}/${id}:getIamPolicy?options.requestedPolicyVersion=3`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ etag: 'ACAB' });
    const missing = await rawJson(emu, 'GET', `${PATH}/nobody:getIamPolicy`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`Resource 'nobody' of kind 'SERVICE' in region 'europe-west1' in project 'demo-project' does not exist.`);
  });

  it('runs an etag-checked read-modify-write and refuses a stale etag with 409 ABORTED', async () => {
    const id = uniqueId();
    await createRaw(id, { template: { containers: [container()] } });
    const resource = `${PARENT}/services/${id}`;
    const [policy] = await client.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } });
    const [updated] = await client.setIamPolicy({ resource, policy: { ...policy, bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } });
    expect(updated.bindings).toEqual([expect.objectContaining({ role: 'roles/run.invoker', members: ['allUsers'] })]);
    const err = await client.setIamPolicy({ resource, policy: { ...policy, bindings: [] } }).catch((e) => e);
    expect(err.code === 409 || err.code === 10).toBe(true);
    expect(err.message).toContain('There were concurrent policy changes');
    const raw = await rawJson(emu, 'POST', `${PATH}/${id}:setIamPolicy`, { policy: { etag: 'ACAB', bindings: [] } });
    expect(raw.status).toBe(409);
    expect(raw.body.error.status).toBe('ABORTED');
    const [again] = await client.getIamPolicy({ resource });
    expect(again.bindings![0].role).toBe('roles/run.invoker');
    const [perms] = await client.testIamPermissions({ resource, permissions: ['run.routes.invoke', 'run.services.get'] });
    expect(perms.permissions).toEqual(['run.routes.invoke', 'run.services.get']);
  });

  it('forgets the policy of a deleted service', async () => {
    const id = uniqueId();
    await createRaw(id, { template: { containers: [container()] } });
    await rawJson(emu, 'POST', `${PATH}/${id}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } });
    await rawJson(emu, 'DELETE', `${PATH}/${id}`);
    await createRaw(id, { template: { containers: [container()] } });
    expect((await rawJson(emu, 'GET', `${PATH}/${id}:getIamPolicy`)).body).toEqual({ etag: 'ACAB' });
  });
});

describe('Cloud Run services: quotas', () => {
  it('charges writes per project and region and answers 429 over the limit', async () => {
    const limited = await startEmulator({ quotas: true });
    try {
      const path = '/v2/projects/quota-project/locations/us-central1/services/x';
      for (let i = 0; i < 60; i++) expect((await rawJson(limited, 'DELETE', path)).status).toBe(404);
      const over = await rawJson(limited, 'DELETE', path);
      expect(over.status).toBe(429);
      expect(over.body.error.status).toBe('RESOURCE_EXHAUSTED');
      expect(over.body.error.message).toContain("quota metric 'run.googleapis.com/write_regional'");
      // Another region has its own budget; reads have theirs.
      expect((await rawJson(limited, 'DELETE', '/v2/projects/quota-project/locations/europe-west1/services/x')).status).toBe(404);
      expect((await rawJson(limited, 'GET', path)).status).toBe(404);
    } finally {
      await limited.close();
    }
  });
});
