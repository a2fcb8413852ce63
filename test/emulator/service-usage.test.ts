// Service Usage v1 through @google-cloud/service-usage in REST mode (gcp-api-facts.md §7), raw HTTP
// for enum names vs numbers and exact error bodies.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

const P = 'su-test-project';
let emu: RunningEmulator | undefined;
let client: ServiceUsageClient | undefined;

async function start(options: EmulatorOptions = {}) {
  emu = await startEmulator(options);
  client = new ServiceUsageClient(gaxOptions(emu));
  return { emu, client };
}
afterEach(async () => {
  await client?.close();
  client = undefined;
  await emu?.close();
  emu = undefined;
});

/** google.api.serviceusage.v1.State numbers. */
const DISABLED = 1;
const ENABLED = 2;
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e) => e,
  );
const number = async (e: RunningEmulator) => (await rawJson(e, 'GET', `/v1/projects/${P}`)).body.projectNumber as string;

describe('Service Usage: reading', () => {
  it('answers a service by project id with the project NUMBER in name and parent', async () => {
    const { emu, client } = await start();
    const n = await number(emu);
    const [svc] = await client.getService({ name: `projects/${P}/services/run.googleapis.com` });
    expect(svc.name).toBe(`projects/${n}/services/run.googleapis.com`);
    expect(svc.parent).toBe(`projects/${n}`);
    expect(svc.state).toBe('DISABLED');
    expect(svc.config).toMatchObject({ name: 'run.googleapis.com', title: 'Cloud Run Admin API' });
    const [byNumber] = await client.getService({ name: `projects/${n}/services/run.googleapis.com` });
    expect(byNumber.name).toBe(svc.name);
  });

  it("starts a project with Google's default services enabled (and run, iam, secretmanager disabled)", async () => {
    const { client } = await start();
    const enabled: string[] = [];
    for await (const s of client.listServicesAsync({ parent: `projects/${P}`, filter: 'state:ENABLED' })) enabled.push(s.config!.name!);
    expect(enabled).toContain('serviceusage.googleapis.com');
    expect(enabled).toContain('storage.googleapis.com');
    expect(enabled).toContain('logging.googleapis.com');
    expect(enabled).toHaveLength(20);
    for (const s of [
      'run.googleapis.com',
      'iam.googleapis.com',
      'secretmanager.googleapis.com',
      'artifactregistry.googleapis.com',
      'cloudresourcemanager.googleapis.com',
    ]) {
      expect(enabled).not.toContain(s);
    }
  });

  it('filters the list by state and pages it with pageSize/nextPageToken', async () => {
    const { emu } = await start();
    const disabled = await rawJson(emu, 'GET', `/v1/projects/${P}/services?filter=state:DISABLED&pageSize=200`);
    expect(disabled.body.services.every((s: any) => s.state === 'DISABLED')).toBe(true);
    expect(disabled.body.services.map((s: any) => s.config.name)).toContain('run.googleapis.com');
    const first = await rawJson(emu, 'GET', `/v1/projects/${P}/services?filter=state:ENABLED&pageSize=7`);
    expect(first.body.services).toHaveLength(7);
    expect(first.body.nextPageToken).toBeTruthy();
    const names: string[] = first.body.services.map((s: any) => s.config.name);
    let token = first.body.nextPageToken;
    while (token) {
      const next = await rawJson(emu, 'GET', `/v1/projects/${P}/services?filter=state:ENABLED&pageSize=7&pageToken=${token}`);
      names.push(...next.body.services.map((s: any) => s.config.name));
      token = next.body.nextPageToken;
    }
    expect(new Set(names).size).toBe(20);
    const bad = await rawJson(emu, 'GET', `/v1/projects/${P}/services?filter=state:RUNNING`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.status).toBe('INVALID_ARGUMENT');
  });

  it('sends state as a name, or as a number when the client asks for enum-encoding=int', async () => {
    const { emu } = await start();
    const byName = await rawJson(emu, 'GET', `/v1/projects/${P}/services/serviceusage.googleapis.com`);
    expect(byName.body.state).toBe('ENABLED');
    const byNumber = await rawJson(emu, 'GET', `/v1/projects/${P}/services/serviceusage.googleapis.com?$alt=json;enum-encoding=int`);
    expect(byNumber.body.state).toBe(2);
    const disabled = await rawJson(emu, 'GET', `/v1/projects/${P}/services/run.googleapis.com?$alt=json;enum-encoding=int`);
    expect(disabled.body.state).toBe(1);
  });

  it('batch-gets services by full name', async () => {
    const { emu, client } = await start();
    const n = await number(emu);
    const [res] = await client.batchGetServices({
      parent: `projects/${P}`,
      names: [`projects/${n}/services/run.googleapis.com`, `projects/${P}/services/storage.googleapis.com`],
    });
    expect(res.services!.map((s) => [s.config!.name, s.state])).toEqual([
      ['run.googleapis.com', 'DISABLED'],
      ['storage.googleapis.com', 'ENABLED'],
    ]);
  });

  it('answers 403 for a service that does not exist', async () => {
    const { emu, client } = await start();
    const err = await fail(client.getService({ name: `projects/${P}/services/nope.googleapis.com` }));
    expect(err.code).toBe(403);
    const raw = await rawJson(emu, 'GET', `/v1/projects/${P}/services/nope.googleapis.com`);
    expect(raw.body.error.status).toBe('PERMISSION_DENIED');
    expect(raw.body.error.message).toBe('Permission denied to get service [nope.googleapis.com]');
  });
});

describe('Service Usage: enabling and disabling', () => {
  it('enables a service through a long-running operation named operations/acf.p2-NUMBER-UUID', async () => {
    const { emu, client } = await start();
    const n = await number(emu);
    const [op] = await client.enableService({ name: `projects/${P}/services/run.googleapis.com` });
    expect(op.name).toMatch(new RegExp(`^operations/acf\\.p2-${n}-[0-9a-f-]{36}$`));
    const [response] = await op.promise();
    // The client decodes operation results with protobufjs: enums arrive as numbers (ENABLED = 2).
    expect(response.service!.state).toBe(ENABLED);
    expect(response.service!.name).toBe(`projects/${n}/services/run.googleapis.com`);
    const [svc] = await client.getService({ name: `projects/${P}/services/run.googleapis.com` });
    expect(svc.state).toBe('ENABLED');
    // The operation stays readable at /v1/operations/ID.
    const raw = await rawJson(emu, 'GET', `/v1/${op.name}`);
    expect(raw.body.done).toBe(true);
    expect(raw.body.response['@type']).toBe('type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse');
    expect(raw.body.metadata).toEqual({
      '@type': 'type.googleapis.com/google.api.serviceusage.v1.OperationMetadata',
      resourceNames: [`services/run.googleapis.com/projectSettings/${n}`],
    });
  });

  it('keeps the service DISABLED until the operation finishes (operationMs), while the client polls', async () => {
    const { emu, client } = await start({ operationMs: 300 });
    const [op] = await client.enableService({ name: `projects/${P}/services/secretmanager.googleapis.com` });
    expect(op.done).toBe(false);
    const during = await rawJson(emu, 'GET', `/v1/projects/${P}/services/secretmanager.googleapis.com`);
    expect(during.body.state).toBe('DISABLED');
    const [response] = await op.promise();
    expect(response.service!.state).toBe(ENABLED);
    expect((await rawJson(emu, 'GET', `/v1/projects/${P}/services/secretmanager.googleapis.com`)).body.state).toBe('ENABLED');
  });

  it('answers operations/noop.DONE_OPERATION, already done, when nothing changes; polling it 404s', async () => {
    const { emu, client } = await start();
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/services/storage.googleapis.com:enable`, {});
    expect(raw.body.name).toBe('operations/noop.DONE_OPERATION');
    expect(raw.body.done).toBe(true);
    expect(raw.body.response.service.state).toBe('ENABLED');
    expect((await rawJson(emu, 'GET', '/v1/operations/noop.DONE_OPERATION')).status).toBe(404);
    const [op] = await client.disableService({ name: `projects/${P}/services/run.googleapis.com` });
    expect(op.name).toBe('operations/noop.DONE_OPERATION');
    const [res] = await op.promise();
    expect(res.service!.state).toBe(DISABLED);
  });

  it('disables an enabled service (operations/acat...), accepting checkIfServiceHasUsage by name or number', async () => {
    const { emu, client } = await start();
    const [enable] = await client.enableService({ name: `projects/${P}/services/iam.googleapis.com` });
    await enable.promise();
    const [op] = await client.disableService({ name: `projects/${P}/services/iam.googleapis.com`, checkIfServiceHasUsage: 'SKIP' });
    expect(op.name).toMatch(/^operations\/acat\.p2-\d{12}-/);
    const [res] = await op.promise();
    expect(res.service!.state).toBe(DISABLED);
    const byName = await rawJson(emu, 'POST', `/v1/projects/${P}/services/logging.googleapis.com:disable`, { checkIfServiceHasUsage: 'SKIP' });
    expect(byName.status).toBe(200);
    const bogus = await rawJson(emu, 'POST', `/v1/projects/${P}/services/monitoring.googleapis.com:disable`, { checkIfServiceHasUsage: 'SOMETIMES' });
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.message).toBe(
      `Invalid value at 'check_if_service_has_usage' (type.googleapis.com/google.api.serviceusage.v1.DisableServiceRequest.CheckIfServiceHasUsage), "SOMETIMES"`,
    );
    expect((await rawJson(emu, 'GET', `/v1/projects/${P}/services/monitoring.googleapis.com`)).body.state).toBe('ENABLED');
  });

  it('refuses to enable a service that does not exist with 403 and ErrorInfo SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED', async () => {
    const { emu, client } = await start();
    const err = await fail(client.enableService({ name: `projects/${P}/services/gmail-api.googleapis.com` }));
    expect(err.code).toBe(403);
    expect(err.message).toContain('SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED');
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/services/gmail-api.googleapis.com:enable`, {});
    expect(raw.body.error.message).toBe('Not found or permission denied for service(s): gmail-api.googleapis.com.');
    expect(raw.body.error.status).toBe('PERMISSION_DENIED');
    expect(raw.body.error.details[0]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED',
      domain: 'serviceusage.googleapis.com',
      metadata: { services: 'gmail-api.googleapis.com' },
    });
  });

  it('batch-enables services atomically: one unknown id fails the whole batch', async () => {
    const { emu, client } = await start();
    const refused = await rawJson(emu, 'POST', `/v1/projects/${P}/services:batchEnable`, { serviceIds: ['run.googleapis.com', 'nope.googleapis.com'] });
    expect(refused.status).toBe(403);
    expect((await rawJson(emu, 'GET', `/v1/projects/${P}/services/run.googleapis.com`)).body.state).toBe('DISABLED');
    const [op] = await client.batchEnableServices({
      parent: `projects/${P}`,
      serviceIds: ['run.googleapis.com', 'artifactregistry.googleapis.com', 'storage.googleapis.com'],
    });
    const [res] = await op.promise();
    expect(res.services!.map((s) => s.config!.name)).toEqual(['run.googleapis.com', 'artifactregistry.googleapis.com', 'storage.googleapis.com']);
    expect(res.services!.every((s) => s.state === ENABLED)).toBe(true);
    const tooMany = await rawJson(emu, 'POST', `/v1/projects/${P}/services:batchEnable`, {
      serviceIds: Array.from({ length: 21 }, () => 'run.googleapis.com'),
    });
    expect(tooMany.status).toBe(400);
  });

  it('keeps enabled services per project, across a state-file restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'su-state-')), 'state.json');
    const first = await start({ stateFile });
    const [op] = await first.client.enableService({ name: `projects/${P}/services/run.googleapis.com` });
    await op.promise();
    expect((await rawJson(first.emu, 'GET', '/v1/projects/su-other-project/services/run.googleapis.com')).body.state).toBe('DISABLED');
    await first.client.close();
    await first.emu.close();
    const second = await start({ stateFile });
    expect((await rawJson(second.emu, 'GET', `/v1/projects/${P}/services/run.googleapis.com`)).body.state).toBe('ENABLED');
    expect((await rawJson(second.emu, 'GET', `/v1/${op.name}`)).body.done).toBe(true);
  });

  it('rejects an unknown field in a request body', async () => {
    const { emu } = await start();
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/services/run.googleapis.com:enable`, { force: true });
    expect(raw.status).toBe(400);
    expect(raw.body.error.message).toBe('Invalid JSON payload received. Unknown name "force": Cannot find field.');
  });

  it('charges mutations to serviceusage.write with quotas on', async () => {
    const { emu } = await start({ quotas: true });
    const path = `/v1/projects/${P}/services/storage.googleapis.com:enable`;
    const statuses = await Promise.all(Array.from({ length: 180 }, () => rawJson(emu, 'POST', path, {}).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const over = await rawJson(emu, 'POST', path, {});
    expect(over.status).toBe(429);
    expect(over.body.error.message).toContain("of service 'serviceusage.googleapis.com'");
    expect((await rawJson(emu, 'GET', `/v1/projects/${P}/services/storage.googleapis.com`)).status).toBe(200);
  });
});
