// Strict project mode (EmulatorOptions.projects, `musectl emulator --projects a,b`): a request
// naming any other project answers what Google answers for a project the caller cannot see, 403,
// in each API's error dialect; and long-running operations belong to the API that made them.
import { v2 } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';
import { storageClient } from './storage-helpers.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ projects: ['strict-one', 'strict-two'] });
});
afterAll(async () => {
  await emu.close();
});

describe('strict project mode', () => {
  it('serves the listed projects, by id and by number', async () => {
    const number = emu.emulator.projects.resolve('strict-one').projectNumber;
    expect((await rawJson(emu, 'GET', '/v3/projects/strict-one')).status).toBe(200);
    expect((await rawJson(emu, 'GET', `/v3/projects/${number}`)).body.projectId).toBe('strict-one');
    expect((await rawJson(emu, 'GET', '/v2/projects/strict-two/locations/us-central1/services')).status).toBe(200);
  });

  it('answers 403 PERMISSION_DENIED for a typo of a project, in the One Platform dialect', async () => {
    const services = new v2.ServicesClient(gaxOptions(emu));
    const secrets = new SecretManagerServiceClient(gaxOptions(emu));
    try {
      const run = await services.listServices({ parent: 'projects/strict-onee/locations/us-central1' }).catch((e) => e);
      expect(run.code).toBe(403);
      expect(run.message).toContain('Permission denied on resource project strict-onee.');
      const sm = await secrets.listSecrets({ parent: 'projects/strict-onee' }).catch((e) => e);
      expect(sm.code).toBe(403);
    } finally {
      await services.close();
      await secrets.close();
    }
    for (const path of [
      '/v3/projects/strict-onee',
      '/v1/projects/strict-onee/serviceAccounts',
      '/v1/projects/strict-onee/services?filter=state:ENABLED',
      '/v1/projects/strict-onee/locations/us-central1/repositories',
    ]) {
      const res = await rawJson(emu, 'GET', path);
      expect(res.status, path).toBe(403);
      expect(res.body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED', message: 'Permission denied on resource project strict-onee.' });
      expect(res.body.error.details[0]).toMatchObject({ reason: 'CONSUMER_INVALID' });
    }
  });

  it('answers in the Cloud Storage dialect for buckets and in the registry dialect for images', async () => {
    const storage = storageClient(emu, 'strict-onee');
    const err = await storage.createBucket('strict-typo-bucket').catch((e) => e);
    expect(err.code).toBe(403);
    const raw = await rawJson(emu, 'GET', '/storage/v1/b?project=strict-onee');
    expect(raw.body).toEqual({
      error: {
        code: 403,
        message:
          "owner@example.com does not have storage.buckets.list access to the Google Cloud project. Permission 'storage.buckets.list' denied on resource (or it may not exist).",
        errors: [
          {
            message:
              "owner@example.com does not have storage.buckets.list access to the Google Cloud project. Permission 'storage.buckets.list' denied on resource (or it may not exist).",
            domain: 'global',
            reason: 'forbidden',
          },
        ],
      },
    });
    const registry = await rawJson(emu, 'GET', '/v2/strict-onee/repo/app/manifests/latest');
    expect(registry.status).toBe(403);
    expect(registry.body.errors[0].code).toBe('DENIED');
    expect((await rawJson(emu, 'POST', '/_emulator/images', { images: ['us-docker.pkg.dev/strict-onee/r/app:1'] })).status).toBe(400);
  });

  it('keeps the listed projects across a reset', async () => {
    await rawJson(emu, 'POST', '/_emulator/reset');
    const number = emu.emulator.projects.resolve('strict-two').projectNumber;
    expect((await rawJson(emu, 'GET', `/v3/projects/${number}`)).status).toBe(200);
  });
});

describe('operations belong to the API that made them', () => {
  it("keeps Cloud Run's and Artifact Registry's operations apart under the same parent", async () => {
    const open = await startEmulator();
    try {
      open.emulator.operations.hold();
      const parent = 'projects/ops-project/locations/us-central1';
      const repo = await rawJson(open, 'POST', `/v1/${parent}/repositories?repositoryId=apps`, { format: 'DOCKER' });
      const svc = await rawJson(open, 'POST', `/v2/${parent}/services?serviceId=web`, {
        template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/hello' }] },
      });
      const runList = await rawJson(open, 'GET', `/v2/${parent}/operations`);
      expect(runList.body.operations.map((o: { name: string }) => o.name)).toEqual([svc.body.name]);
      expect((await rawJson(open, 'GET', `/v2/${repo.body.name}`)).status).toBe(404);
      expect((await rawJson(open, 'GET', `/v1/${svc.body.name}`)).status).toBe(404);
      expect((await rawJson(open, 'GET', `/v1/${repo.body.name}`)).status).toBe(200);
      expect((await rawJson(open, 'DELETE', `/v2/${repo.body.name}`)).status).toBe(404);
    } finally {
      await open.close();
    }
  });
});
