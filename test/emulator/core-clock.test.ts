// The emulator's clock and its test hooks: time moves by advance (programmatic or
// POST /_emulator/clock/advance), timers fire when the clock reaches them, and a long-running
// operation can be held in progress and released, so no test sleeps on real time.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type RunningEmulator, SystemClock, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const SERVICES = '/v2/projects/clock-project/locations/us-central1/services';

describe('clocks', () => {
  it('fires timers in order when a manual clock is advanced past them, and not before', () => {
    const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
    const fired: string[] = [];
    clock.setTimer(2000, () => fired.push('b'));
    clock.setTimer(1000, () => fired.push('a'));
    const cancelled = clock.setTimer(1500, () => fired.push('never'));
    cancelled.cancel();
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(1001);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.iso()).toBe('2030-01-01T00:00:02.000Z');
  });

  it('moves a system clock ahead of the wall clock and fires its timers on advance', async () => {
    const clock = new SystemClock();
    const before = Date.now();
    const slept = clock.sleep(3_600_000);
    clock.advance(3_600_000);
    await slept;
    expect(clock.now() - before).toBeGreaterThanOrEqual(3_600_000);
    expect(() => clock.advance(-1)).toThrow(/cannot advance/);
  });
});

describe('admin hooks', () => {
  it('advances the clock over HTTP: timestamps move and a pending operation completes', async () => {
    emu = await startEmulator({ operationMs: 60_000 });
    const created = await rawJson(emu, 'POST', `${SERVICES}?serviceId=slow`, {
      template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/hello' }] },
    });
    expect(created.body.done).toBeUndefined();
    const t0 = Date.parse(created.body.metadata.createTime);

    const advanced = await rawJson(emu, 'POST', '/_emulator/clock/advance', { seconds: 60 });
    expect(advanced.status).toBe(200);
    expect(Date.parse(advanced.body.now) - t0).toBeGreaterThanOrEqual(60_000);
    // The operation settled on the clock's timer, before this read arrived.
    expect(emu.emulator.operations.get(created.body.name)?.done).toBe(true);
    const op = await rawJson(emu, 'GET', `/v2/${created.body.name}`);
    expect(op.body.done).toBe(true);
    expect(op.body.response.terminalCondition.state).toBe('CONDITION_SUCCEEDED');

    const clock = await rawJson(emu, 'GET', '/_emulator/clock');
    expect(Date.parse(clock.body.now)).toBeGreaterThanOrEqual(Date.parse(advanced.body.now));
    expect((await rawJson(emu, 'POST', '/_emulator/clock/advance', { seconds: -5 })).status).toBe(400);
    expect((await rawJson(emu, 'POST', '/_emulator/clock/advance', 'not json')).status).toBe(400);
  });

  it('holds operations in progress until released, one by name or all', async () => {
    emu = await startEmulator();
    expect((await rawJson(emu, 'POST', '/_emulator/operations/hold', { match: 'run.service.rollout' })).status).toBe(200);
    const image = 'us-docker.pkg.dev/cloudrun/container/hello';
    const a = await rawJson(emu, 'POST', `${SERVICES}?serviceId=held-a`, { template: { containers: [{ image }] } });
    const b = await rawJson(emu, 'POST', `${SERVICES}?serviceId=held-b`, { template: { containers: [{ image }] } });
    expect(a.body.done).toBeUndefined();
    expect((await rawJson(emu, 'GET', `${SERVICES}/held-a`)).body).toMatchObject({ reconciling: true, terminalCondition: { state: 'CONDITION_RECONCILING' } });
    expect((await rawJson(emu, 'GET', '/_emulator/operations/held')).body.held.sort()).toEqual([a.body.name, b.body.name].sort());

    const one = await rawJson(emu, 'POST', '/_emulator/operations/release', { name: a.body.name });
    expect(one.body.released).toEqual([a.body.name]);
    expect((await rawJson(emu, 'GET', `/v2/${a.body.name}`)).body.done).toBe(true);
    expect((await rawJson(emu, 'GET', `/v2/${b.body.name}`)).body.done).toBeUndefined();
    // A hold only catches what it matches.
    const job = await rawJson(emu, 'POST', '/v2/projects/clock-project/locations/us-central1/jobs?jobId=not-held', {
      template: { template: { containers: [{ image }] } },
    });
    expect(job.body.done).toBe(true);

    const rest = await rawJson(emu, 'POST', '/_emulator/operations/release', {});
    expect(rest.body.released).toEqual([b.body.name]);
    expect((await rawJson(emu, 'GET', `${SERVICES}/held-b`)).body.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
    // Released for good: a new rollout completes at once.
    const c = await rawJson(emu, 'POST', `${SERVICES}?serviceId=held-c`, { template: { containers: [{ image }] } });
    expect(c.body.done).toBe(true);
  });

  it('wakes a waiting :wait when the operation it waits on is released', async () => {
    emu = await startEmulator();
    emu.emulator.operations.hold();
    const created = await rawJson(emu, 'POST', `${SERVICES}?serviceId=waited`, {
      template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/hello' }] },
    });
    const started = Date.now();
    const waiting = rawJson(emu, 'POST', `/v2/${created.body.name}:wait`, { timeout: '30s' });
    await new Promise((r) => setImmediate(r));
    // The release comes over HTTP after the wait is in flight; the wait answers the finished operation.
    await rawJson(emu, 'POST', '/_emulator/operations/release', {});
    expect((await waiting).body.done).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
