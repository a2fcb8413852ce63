// Core conformance: quotas. With quotas on, the call past a limit fails as Google fails it (429
// RESOURCE_EXHAUSTED, the real message format, ErrorInfo RATE_LIMIT_EXCEEDED); with quotas off no
// call ever does. Service Usage mutations (180 per minute per project) are the subject: the
// smallest One Platform limit, so a test can cross it quickly.

import { ProjectsClient } from '@google-cloud/resource-manager';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

const P = 'core-quota-project';
let emu: RunningEmulator | undefined;
let projects: ProjectsClient | undefined;

async function start(options: EmulatorOptions) {
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

/** Enabling an already-enabled service: a cheap mutation (a no-op operation) charged to serviceusage.write. */
const enable = (e: RunningEmulator, project = P) => rawJson(e, 'POST', `/v1/projects/${project}/services/storage.googleapis.com:enable`, {});
const burst = (e: RunningEmulator, n: number) => Promise.all(Array.from({ length: n }, () => enable(e).then((r) => r.status)));

describe('core: quotas', () => {
  it("answers the call past the limit with 429 RESOURCE_EXHAUSTED in Google's words", async () => {
    const { emu } = await start({ quotas: true });
    const number = (await rawJson(emu, 'GET', `/v1/projects/${P}`)).body.projectNumber;
    const statuses = await burst(emu, 180);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await enable(emu);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe(429);
    expect(over.body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(over.body.error.message).toBe(
      `Quota exceeded for quota metric 'serviceusage.googleapis.com/mutate_requests' and limit 'MutateRequestsPerMinute' of service 'serviceusage.googleapis.com' for consumer 'project_number:${number}'.`,
    );
    expect(over.body.error.details).toEqual([
      expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' }),
    ]);
    // Reads are a separate quota.
    expect((await rawJson(emu, 'GET', `/v1/projects/${P}/services/storage.googleapis.com`)).status).toBe(200);
  });

  it("reaches the official client as a 429 carrying Google's message and reason", async () => {
    const { emu } = await start({ quotas: true });
    const client = new ServiceUsageClient(gaxOptions(emu));
    try {
      await burst(emu, 180);
      const err = await client.enableService({ name: `projects/${P}/services/storage.googleapis.com` }).catch((e) => e);
      expect(err.code === 429 || err.code === 8).toBe(true);
      expect(err.message).toContain("Quota exceeded for quota metric 'serviceusage.googleapis.com/mutate_requests'");
      expect(err.message).toContain('RATE_LIMIT_EXCEEDED');
    } finally {
      await client.close();
    }
  });

  it('counts per project: another project keeps its own allowance', async () => {
    const { emu } = await start({ quotas: true });
    await burst(emu, 180);
    expect((await enable(emu)).status).toBe(429);
    expect((await enable(emu, `${P}-other`)).status).toBe(200);
  });

  it('starts counting afresh after /_emulator/reset', async () => {
    const { emu } = await start({ quotas: true });
    await burst(emu, 180);
    expect((await enable(emu)).status).toBe(429);
    await rawJson(emu, 'POST', '/_emulator/reset');
    expect((await enable(emu)).status).toBe(200);
  });

  it('never answers 429 with quotas off', async () => {
    const { emu } = await start({});
    const statuses = await burst(emu, 250);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});
