// Cloud Run v2 rollouts that take time (operationMs > 0), the operations surface, and failing
// rollouts (gcp-api-facts.md §1: reconciling until the operation finishes, then settled).

import { protos, v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

// Long enough that a warm client reads the service before the rollout ends.
const OPERATION_MS = 300;
let emu: RunningEmulator;
let client: InstanceType<typeof v2.ServicesClient>;

const PARENT = 'projects/demo-project/locations/us-central1';
const PATH = `/v2/${PARENT}/services`;
const { CONDITION_SUCCEEDED } = protos.google.cloud.run.v2.Condition.State;
let n = 0;
const uniqueId = () => `roll-${++n}`;

beforeAll(async () => {
  emu = await startEmulator({ operationMs: OPERATION_MS });
  client = new v2.ServicesClient(gaxOptions(emu));
  // Warm up the client and the emulator's codecs so the first test's timing is like the others'.
  const [op] = await client.createService({ parent: PARENT, serviceId: 'warm-up', service: { template: { containers: [{ image: 'img' }] } } });
  await op.promise();
});
afterAll(async () => {
  await client.close();
  await emu.close();
});

const get = async (id: string) => (await rawJson(emu, 'GET', `${PATH}/${id}`)).body;

describe('Cloud Run rollouts with a delay', () => {
  it('is reconciling while the create operation runs, then settled', async () => {
    const id = uniqueId();
    const [op] = await client.createService({ parent: PARENT, serviceId: id, service: { template: { containers: [{ image: 'img' }] } } });
    expect(op.done).toBeFalsy();
    const during = await get(id);
    expect(during.reconciling).toBe(true);
    expect(during.generation).toBe('1');
    expect(during.observedGeneration).toBeUndefined();
    expect(during.terminalCondition).toMatchObject({ type: 'Ready', state: 'CONDITION_RECONCILING' });
    expect(during.latestReadyRevision).toBeUndefined();

    const started = Date.now();
    const polled = await client.checkCreateServiceProgress(op.name!);
    const [svc] = await polled.promise();
    expect(Date.now() - started).toBeGreaterThan(OPERATION_MS / 3);
    expect(svc.reconciling).toBeFalsy();
    expect(String(svc.observedGeneration)).toBe('1');
    expect(svc.terminalCondition!.state).toBe(CONDITION_SUCCEEDED);

    const after = await get(id);
    expect(after.reconciling).toBeUndefined();
    expect(after.observedGeneration).toBe(after.generation);
    expect(after.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
    expect(after.latestReadyRevision).toBe(svc.latestReadyRevision);
  });

  it('lags observedGeneration during an update and polls through checkUpdateServiceProgress', async () => {
    const id = uniqueId();
    const [created] = await client.createService({ parent: PARENT, serviceId: id, service: { template: { containers: [{ image: 'img' }] } } });
    const [first] = await created.promise();
    const [op] = await client.updateService({ service: { name: first.name, template: { containers: [{ image: 'img:2' }] } } });
    const during = await get(id);
    expect(during).toMatchObject({ generation: '2', observedGeneration: '1', reconciling: true });
    expect(during.latestCreatedRevision).toBe(first.latestCreatedRevision);

    const polled = await client.checkUpdateServiceProgress(op.name!);
    const [svc] = await polled.promise();
    expect(String(svc.generation)).toBe('2');
    expect(String(svc.observedGeneration)).toBe('2');
    expect(svc.latestReadyRevision).toMatch(/-00002-[a-z0-9]{3}$/);
  });

  it('serves the operation by name, lists it, waits on it and deletes it', async () => {
    const id = uniqueId();
    const created = await rawJson(emu, 'POST', `${PATH}?serviceId=${id}&$alt=json;enum-encoding=int`, { template: { containers: [{ image: 'img' }] } });
    const name: string = created.body.name;
    expect(created.body.done).toBeUndefined();
    expect(created.body.metadata['@type']).toBe('type.googleapis.com/google.cloud.run.v2.Service');
    expect(created.body.metadata.terminalCondition.state).toBe(2); // CONDITION_RECONCILING as a number
    expect(created.body.response).toBeUndefined();

    const pending = await rawJson(emu, 'GET', `/v2/${name}`);
    expect(pending.body.done).toBeUndefined();
    const listed = await rawJson(emu, 'GET', `/v2/${PARENT}/operations`);
    expect(listed.body.operations.map((o: any) => o.name)).toContain(name);

    const waited = await rawJson(emu, 'POST', `/v2/${name}:wait`, { timeout: '5s' });
    expect(waited.body.done).toBe(true);
    expect(waited.body.response['@type']).toBe('type.googleapis.com/google.cloud.run.v2.Service');
    expect(waited.body.response.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
    expect(waited.body.metadata.reconciling).toBeUndefined();

    // A short wait answers the operation still running.
    const [op2] = await client.updateService({
      service: { name: `${PARENT}/services/${id}`, labels: { a: 'b' }, template: { containers: [{ image: 'img' }] } },
    });
    const short = await rawJson(emu, 'POST', `/v2/${op2.name}:wait`, { timeout: '0.05s' });
    expect(short.body.done).toBeUndefined();

    expect((await rawJson(emu, 'DELETE', `/v2/${name}`)).body).toEqual({});
    const gone = await rawJson(emu, 'GET', `/v2/${name}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.status).toBe('NOT_FOUND');
  });

  it("fails a rollout whose image carries the fail-rollout marker, with code 9 and Google's message", async () => {
    const id = uniqueId();
    const [op] = await client.createService({
      parent: PARENT,
      serviceId: id,
      service: { template: { containers: [{ image: 'us-docker.pkg.dev/p/r/app:fail-rollout' }] } },
    });
    const err = await op.promise().catch((e) => e);
    expect(err.code).toBe(9);
    expect(err.message).toMatch(
      new RegExp(
        `^Revision '${id}-00001-[a-z0-9]{3}' is not ready and cannot serve traffic\\. The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable`,
      ),
    );

    const raw = await rawJson(emu, 'GET', `/v2/${op.name}`);
    expect(raw.body.done).toBe(true);
    expect(raw.body.error.code).toBe(9);
    expect(raw.body.response).toBeUndefined();

    const failed = await get(id);
    expect(failed.reconciling).toBeUndefined();
    expect(failed.observedGeneration).toBe('1');
    expect(failed.terminalCondition).toMatchObject({ type: 'Ready', state: 'CONDITION_FAILED' });
    expect(failed.terminalCondition.message).toBe(raw.body.error.message);
    expect(failed.latestCreatedRevision).toMatch(/-00001-[a-z0-9]{3}$/);
    expect(failed.latestReadyRevision).toBeUndefined();
    expect(failed.trafficStatuses).toBeUndefined();

    // A fixed image rolls out and the service becomes Ready.
    const [fix] = await client.updateService({ service: { name: failed.name, template: { containers: [{ image: 'us-docker.pkg.dev/p/r/app:2' }] } } });
    const [svc] = await fix.promise();
    expect(svc.terminalCondition!.state).toBe(CONDITION_SUCCEEDED);
    expect(svc.latestReadyRevision).toMatch(/-00002-[a-z0-9]{3}$/);
  });

  it('keeps serving the last ready revision when an update fails', async () => {
    const id = uniqueId();
    const [created] = await client.createService({
      parent: PARENT,
      serviceId: id,
      service: { template: { containers: [{ image: 'img', ports: [{ containerPort: 9000 }] }] } },
    });
    const [ok] = await created.promise();
    const [op] = await client.updateService({
      service: { name: ok.name, template: { containers: [{ image: 'img:fail-rollout', ports: [{ containerPort: 9000 }] }] } },
    });
    const err = await op.promise().catch((e) => e);
    expect(err.message).toContain('PORT=9000');
    const after = await get(id);
    expect(after.latestReadyRevision).toBe(ok.latestReadyRevision);
    expect(after.latestCreatedRevision).not.toBe(ok.latestCreatedRevision);
    expect(after.trafficStatuses).toEqual([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);

    // A change that leaves the template alone rolls out the same broken revision: it fails again.
    const [relabel] = await client.updateService({ service: { name: ok.name, labels: { a: 'b' } }, updateMask: { paths: ['labels'] } });
    expect((await relabel.promise().catch((e) => e)).code).toBe(9);
    const still = await get(id);
    expect(still.generation).toBe('3');
    expect(still.terminalCondition.state).toBe('CONDITION_FAILED');
    expect(still.latestReadyRevision).toBe(ok.latestReadyRevision);
  });

  it('settles on the newest generation when an update supersedes a pending rollout', async () => {
    const id = uniqueId();
    const [created] = await client.createService({ parent: PARENT, serviceId: id, service: { template: { containers: [{ image: 'img' }] } } });
    const [first] = await created.promise();
    const [imageOp] = await client.updateService({ service: { name: first.name, template: { containers: [{ image: 'img:2' }] } } });
    const [labelOp] = await client.updateService({ service: { name: first.name, labels: { a: 'b' } }, updateMask: { paths: ['labels'] } });
    expect(await get(id)).toMatchObject({ generation: '3', observedGeneration: '1', reconciling: true });
    await imageOp.promise();
    const [svc] = await labelOp.promise();
    expect(String(svc.observedGeneration)).toBe('3');
    expect(svc.latestReadyRevision).toMatch(/-00002-[a-z0-9]{3}$/);
    expect(svc.labels).toEqual({ a: 'b' });
  });

  it('deletes through an operation that completes after the rollout time', async () => {
    const id = uniqueId();
    const [created] = await client.createService({ parent: PARENT, serviceId: id, service: { template: { containers: [{ image: 'img' }] } } });
    await created.promise();
    const [op] = await client.deleteService({ name: `${PARENT}/services/${id}` });
    expect((await rawJson(emu, 'GET', `${PATH}/${id}`)).status).toBe(404);
    const [deleted] = await op.promise();
    expect(deleted.name).toBe(`${PARENT}/services/${id}`);
  });
});
