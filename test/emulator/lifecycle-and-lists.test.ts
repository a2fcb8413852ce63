// Surfaces Google's tools call that musectl itself does not: Resource Manager's projects list
// (v1 and v3 search), Artifact Registry's locations list (v1 and the v1beta2 gcloud asks), and IAM's
// service account PUT update, undelete and keys list.
import { ProjectsClient } from '@google-cloud/resource-manager';
import { iam } from '@googleapis/iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixedTokenAuth, gaxOptions, rawJson } from './helpers.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ projects: ['lists-alpha', 'lists-bravo'] });
});
afterAll(async () => emu.close());

describe('Resource Manager: the projects the caller can see', () => {
  it('lists them in v1 and searches them in v3', async () => {
    const v1 = await rawJson(emu, 'GET', '/v1/projects');
    expect(v1.body.projects.map((p: { projectId: string }) => p.projectId)).toEqual(['lists-alpha', 'lists-bravo']);
    expect(v1.body.projects[0]).toMatchObject({ lifecycleState: 'ACTIVE', projectNumber: expect.stringMatching(/^\d{12}$/) });
    const client = new ProjectsClient(gaxOptions(emu));
    try {
      const [found] = await client.searchProjects({});
      expect(found.map((p) => p.projectId)).toEqual(['lists-alpha', 'lists-bravo']);
    } finally {
      await client.close();
    }
  });
});

describe('Artifact Registry: locations', () => {
  it('lists where repositories can be, in v1 and v1beta2', async () => {
    for (const version of ['v1', 'v1beta2']) {
      const res = await rawJson(emu, 'GET', `/${version}/projects/lists-alpha/locations`);
      const ids = res.body.locations.map((l: { locationId: string }) => l.locationId);
      expect(ids).toEqual(expect.arrayContaining(['us', 'europe', 'asia', 'us-central1', 'asia-northeast1']));
      expect(res.body.locations[0].name).toBe(`projects/lists-alpha/locations/${ids[0]}`);
    }
    expect((await rawJson(emu, 'GET', '/v1/projects/lists-typo/locations')).status).toBe(403);
  });
});

describe('IAM: update, undelete, keys', () => {
  it('updates by PUT, lists no keys, and undeletes a deleted account with its grants', async () => {
    const client = iam({ version: 'v1', rootUrl: `${emu.url}/`, auth: fixedTokenAuth() as any });
    const sa = (await client.projects.serviceAccounts.create({ name: 'projects/lists-alpha', requestBody: { accountId: 'comes-back' } })).data;
    const name = `projects/lists-alpha/serviceAccounts/${sa.email}`;
    const updated = await client.projects.serviceAccounts.update({ name, requestBody: { displayName: 'Comes back', description: 'again' } });
    expect(updated.data).toMatchObject({ displayName: 'Comes back', description: 'again', email: sa.email });
    expect((await client.projects.serviceAccounts.keys.list({ name })).data).toEqual({});

    await rawJson(emu, 'POST', '/v1/projects/lists-alpha:setIamPolicy', {
      policy: { bindings: [{ role: 'roles/viewer', members: [`serviceAccount:${sa.email}`] }] },
    });
    await client.projects.serviceAccounts.delete({ name });
    const restored = await client.projects.serviceAccounts.undelete({ name: `projects/-/serviceAccounts/${sa.uniqueId}`, requestBody: {} });
    expect(restored.data.restoredAccount).toMatchObject({ email: sa.email, uniqueId: sa.uniqueId, displayName: 'Comes back' });
    const policy = (await rawJson(emu, 'POST', '/v1/projects/lists-alpha:getIamPolicy', {})).body;
    expect(policy.bindings.find((b: { role: string }) => b.role === 'roles/viewer').members).toEqual([`serviceAccount:${sa.email}`]);
    // Not deleted (any more): undelete refuses; an id never seen is 404.
    expect((await rawJson(emu, 'POST', `/v1/projects/-/serviceAccounts/${sa.uniqueId}:undelete`, {})).status).toBe(400);
    expect((await rawJson(emu, 'POST', '/v1/projects/-/serviceAccounts/100000000000000000001:undelete', {})).status).toBe(404);
  });

  it('keeps a deleted account for 30 days only', async () => {
    const client = iam({ version: 'v1', rootUrl: `${emu.url}/`, auth: fixedTokenAuth() as any });
    const sa = (await client.projects.serviceAccounts.create({ name: 'projects/lists-bravo', requestBody: { accountId: 'gone-for-good' } })).data;
    await client.projects.serviceAccounts.delete({ name: `projects/lists-bravo/serviceAccounts/${sa.email}` });
    await rawJson(emu, 'POST', '/_emulator/clock/advance', { seconds: 30 * 86_400 + 1 });
    expect((await rawJson(emu, 'POST', `/v1/projects/-/serviceAccounts/${sa.uniqueId}:undelete`, {})).status).toBe(404);
  });
});
