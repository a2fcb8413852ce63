import { ProjectsClient } from '@google-cloud/resource-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

let emu: RunningEmulator;
let projects: ProjectsClient;

beforeAll(async () => {
  emu = await startEmulator();
  projects = new ProjectsClient(gaxOptions(emu));
});
afterAll(async () => {
  await projects.close();
  await emu.close();
});

describe('Resource Manager', () => {
  it('answers a project by id with its number in the name (v3)', async () => {
    const [p] = await projects.getProject({ name: 'projects/demo-project' });
    expect(p.projectId).toBe('demo-project');
    expect(p.name).toMatch(/^projects\/[1-9]\d{11}$/);
    expect(p.state).toBe('ACTIVE');
    const [again] = await projects.getProject({ name: p.name! });
    expect(again.projectId).toBe('demo-project');
  });

  it('answers v1 with projectNumber and lifecycleState', async () => {
    const res = await rawJson(emu, 'GET', '/v1/projects/demo-project');
    expect(res.status).toBe(200);
    expect(res.body.lifecycleState).toBe('ACTIVE');
    expect(res.body.projectNumber).toMatch(/^\d{12}$/);
  });

  it('runs an etag-checked read-modify-write of the project policy and refuses a stale etag with 409 ABORTED', async () => {
    const [policy] = await projects.getIamPolicy({ resource: 'projects/demo-project' });
    expect(policy.etag).toBeTruthy();
    const roles = policy.bindings!.map((b) => b.role);
    expect(roles).toContain('roles/owner');
    const [updated] = await projects.setIamPolicy({
      resource: 'projects/demo-project',
      policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/aiplatform.user', members: ['user:a@example.com'] }] },
    });
    expect(updated.bindings!.map((b) => b.role)).toContain('roles/aiplatform.user');
    const err = await projects.setIamPolicy({ resource: 'projects/demo-project', policy }).catch((e) => e);
    expect(err.code === 409 || err.code === 10).toBe(true);
    expect(err.message).toContain('There were concurrent policy changes');
    // The etag is proto bytes: base64 on the wire.
    const stale = Buffer.from(policy.etag as Uint8Array).toString('base64');
    const raw = await rawJson(emu, 'POST', '/v3/projects/demo-project:setIamPolicy', { policy: { etag: stale, bindings: [] } });
    expect(raw.status).toBe(409);
    expect(raw.body.error.status).toBe('ABORTED');
  });
});
