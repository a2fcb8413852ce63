// Core conformance: the admin routes. GET /_emulator/stats counts every API request exactly, by
// route template; admin calls are never counted; POST /_emulator/reset clears state and counters.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { iam } from '@googleapis/iam';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixedTokenAuth, gaxOptions, rawJson } from './helpers.js';

const P = 'core-admin-project';
let emu: RunningEmulator | undefined;
let projects: ProjectsClient | undefined;

async function start(options: EmulatorOptions = {}) {
  emu = await startEmulator(options);
  projects = new ProjectsClient(gaxOptions(emu));
  return { emu, projects };
}
afterEach(async () => {
  await projects?.close();
  projects = undefined;
  await emu?.close();
  emu = undefined;
});

const stats = async (e: RunningEmulator) => (await rawJson(e, 'GET', '/_emulator/stats')).body;

describe('core: /_emulator/stats', () => {
  it('starts at zero', async () => {
    const { emu } = await start();
    expect(await stats(emu)).toEqual({ total: 0, requests: {}, deliveries: {} });
  });

  it('counts each API request once under "METHOD template", unrouted ones too, and no admin call', async () => {
    const { emu, projects } = await start();
    for (let i = 0; i < 3; i++) await rawJson(emu, 'GET', `/v3/projects/${P}`);
    await projects.getProject({ name: `projects/${P}` });
    await projects.getIamPolicy({ resource: `projects/${P}` });
    await rawJson(emu, 'POST', `/v3/projects/${P}:getIamPolicy`, {});
    await rawJson(emu, 'GET', '/v9/not/a/route');
    await rawJson(emu, 'DELETE', `/v3/projects/${P}`);
    // A refused request still counts.
    await rawJson(emu, 'POST', `/v3/projects/${P}:setIamPolicy`, { nope: 1 });
    for (let i = 0; i < 5; i++) {
      await stats(emu);
      await rawJson(emu, 'GET', '/_emulator/requests');
      await rawJson(emu, 'GET', '/_emulator/state');
    }
    expect(await stats(emu)).toEqual({
      total: 9,
      requests: {
        'GET /v3/projects/{project}': 4,
        'POST /v3/projects/{project}:getIamPolicy': 2,
        'POST /v3/projects/{project}:setIamPolicy': 1,
        'GET (unrouted)': 1,
        'DELETE (unrouted)': 1,
      },
      deliveries: {},
    });
    const log = (await rawJson(emu, 'GET', '/_emulator/requests')).body.requests;
    expect(log).toHaveLength(9);
    expect(log.every((r: { path: string }) => !r.path.startsWith('/_emulator/'))).toBe(true);
  });

  it('counts concurrent requests exactly', async () => {
    const { emu } = await start();
    await Promise.all(Array.from({ length: 250 }, (_, i) => rawJson(emu, 'GET', `/v3/projects/${P}-${i % 7}`)));
    expect(await stats(emu)).toEqual({ total: 250, requests: { 'GET /v3/projects/{project}': 250 }, deliveries: {} });
  });
});

describe('core: /_emulator/reset', () => {
  it('clears resources, policies, counters and the request log', async () => {
    const { emu, projects } = await start();
    const client = iam({ version: 'v1', rootUrl: `${emu.url}/`, auth: fixedTokenAuth() as any });
    const sa = (await client.projects.serviceAccounts.create({ name: `projects/${P}`, requestBody: { accountId: 'reset-me' } })).data;
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    await projects.setIamPolicy({
      resource: `projects/${P}`,
      policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/viewer', members: ['user:r@example.com'] }] },
    });

    const reset = await rawJson(emu, 'POST', '/_emulator/reset');
    expect(reset.status).toBe(200);
    expect(await stats(emu)).toEqual({ total: 0, requests: {}, deliveries: {} });
    expect((await rawJson(emu, 'GET', '/_emulator/requests')).body.requests).toEqual([]);
    expect((await rawJson(emu, 'GET', '/_emulator/state')).body).toEqual({ seq: 0, collections: {} });

    const gone = await rawJson(emu, 'GET', `/v1/projects/${P}/serviceAccounts/${sa.email}`);
    expect(gone.status).toBe(404);
    const [fresh] = await projects.getIamPolicy({ resource: `projects/${P}` });
    expect(fresh.bindings!.map((b) => b.role)).not.toContain('roles/viewer');
    expect(await stats(emu)).toEqual({
      total: 2,
      requests: { 'GET /v1/projects/{project}/serviceAccounts/{account}': 1, 'POST /v3/projects/{project}:getIamPolicy': 1 },
      deliveries: {},
    });
  });

  it('rewrites the state file empty', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'core-reset-')), 'state.json');
    const { emu } = await start({ stateFile });
    await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'on-disk' });
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).collections['iam.serviceAccounts']).toBeDefined();
    await rawJson(emu, 'POST', '/_emulator/reset');
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ seq: 0, collections: {} });
  });

  it('answers 404 for an unknown admin route, without counting it', async () => {
    const { emu } = await start();
    const res = await rawJson(emu, 'GET', '/_emulator/nothing');
    expect(res.status).toBe(404);
    expect(await stats(emu)).toEqual({ total: 0, requests: {}, deliveries: {} });
  });
});
