// Core conformance: injected latency and seeded faults. The same seed and the same requests give
// the same faults in two fresh emulators; rates are roughly honoured; a dropped connection really
// drops; injected 429/500/503 bodies speak the API's error dialect.

import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';

const running: RunningEmulator[] = [];
async function start(options: EmulatorOptions): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  running.push(emu);
  return emu;
}
afterEach(async () => {
  for (const emu of running.splice(0)) await emu.close();
});

type Outcome = { status: number; body: any } | { error: string };

/** One request on a fresh connection (no keep-alive, no client retries): a drop shows as an error. */
function send(emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${emu.url}${path}`, { method, agent: false, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(payload);
  });
}

const label = (o: Outcome): string => ('error' in o ? 'drop' : String(o.status));

async function sequence(emu: RunningEmulator, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(label(await send(emu, 'GET', `/v3/projects/core-faults-${i % 10}`)));
  return out;
}

describe('core: latency', () => {
  it('delays every API request by latencyMs (admin calls are not delayed)', async () => {
    const slow = await start({ latencyMs: 150 });
    const fast = await start({});
    const time = async (emu: RunningEmulator, path: string) => {
      const t0 = performance.now();
      await rawJson(emu, 'GET', path);
      return performance.now() - t0;
    };
    // Minimums of three tries, so a busy machine does not make the fast cases look slow.
    const min = async (emu: RunningEmulator, path: string) => Math.min(await time(emu, path), await time(emu, path), await time(emu, path));
    const slowest = Math.max(await time(slow, '/v3/projects/core-latency'), await time(slow, '/v3/projects/core-latency'));
    expect(await min(slow, '/v3/projects/core-latency')).toBeGreaterThanOrEqual(145);
    expect(slowest).toBeGreaterThanOrEqual(145);
    expect(await min(fast, '/v3/projects/core-latency')).toBeLessThan(100);
    expect(await min(slow, '/_emulator/stats')).toBeLessThan(100);
    // Concurrent requests are delayed side by side, not queued one after another.
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => rawJson(slow, 'GET', '/v3/projects/core-latency')));
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('core: fault injection', () => {
  const rates = { r429: 0.1, r500: 0.1, r503: 0.1, drop: 0.1 };

  it('repeats the same faults for the same seed and requests in two fresh emulators', async () => {
    const a = await sequence(await start({ faults: { ...rates, seed: 42 } }), 150);
    const b = await sequence(await start({ faults: { ...rates, seed: 42 } }), 150);
    expect(b).toEqual(a);
    for (const kind of ['200', '429', '500', '503', 'drop']) expect(a).toContain(kind);
    const other = await sequence(await start({ faults: { ...rates, seed: 43 } }), 150);
    expect(other).not.toEqual(a);
  });

  it('honours the rates roughly', async () => {
    const emu = await start({ faults: { r500: 0.25, seed: 7 } });
    const outcomes = await sequence(emu, 400);
    const failures = outcomes.filter((o) => o === '500').length;
    expect(failures).toBeGreaterThan(60);
    expect(failures).toBeLessThan(140);
    expect(outcomes.filter((o) => o !== '500' && o !== '200')).toEqual([]);
  });

  it('never injects a fault with all rates at zero', async () => {
    const emu = await start({ faults: { r429: 0, r500: 0, r503: 0, drop: 0, seed: 1 } });
    expect(new Set(await sequence(emu, 100))).toEqual(new Set(['200']));
  });

  it('drops the connection: the client sees a socket error, and the fetch API rejects', async () => {
    const emu = await start({ faults: { drop: 1, seed: 3 } });
    const outcome = await send(emu, 'GET', '/v3/projects/core-drop');
    expect(outcome).toEqual({ error: 'ECONNRESET' });
    await expect(fetch(`${emu.url}/v3/projects/core-drop`)).rejects.toThrow(TypeError);
    // Admin routes are not subject to faults.
    expect((await rawJson(emu, 'GET', '/_emulator/stats')).status).toBe(200);
  });

  it('applies about half of the dropped mutations before dropping the answer', async () => {
    const emu = await start({ faults: { drop: 1, seed: 11 } });
    for (let i = 0; i < 40; i++) {
      const outcome = await send(emu, 'POST', '/v1/projects/core-drop-project/serviceAccounts', { accountId: `dropped-${i}` });
      expect('error' in outcome).toBe(true);
    }
    const state = (await rawJson(emu, 'GET', '/_emulator/state')).body;
    const created = Object.keys(state.collections['iam.serviceAccounts'] ?? {}).length;
    expect(created).toBeGreaterThan(8);
    expect(created).toBeLessThan(32);
  });

  it('sends injected 429/500/503 in the One Platform dialect: status, and ErrorInfo on a 429', async () => {
    const expected: Record<number, string> = { 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
    for (const code of [429, 500, 503] as const) {
      const emu = await start({ faults: { [`r${code}`]: 1, seed: 5 } });
      const res = await rawJson(emu, 'GET', '/v3/projects/core-dialect');
      expect(res.status).toBe(code);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.status).toBe(expected[code]);
      expect(res.body.error.message).toBeTruthy();
      expect(res.body.error.errors).toBeUndefined();
      if (code === 429) {
        expect(res.body.error.details).toEqual([
          expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' }),
        ]);
      }
    }
  });

  it('sends injected 429/500/503 in the Cloud Storage dialect on a storage route: errors[], no status', async () => {
    const reasons: Record<number, string> = { 429: 'rateLimitExceeded', 500: 'backendError', 503: 'backendError' };
    for (const code of [429, 500, 503] as const) {
      const emu = await start({ faults: { [`r${code}`]: 1, seed: 5 } });
      // A route of the core's own, so the test does not depend on the Cloud Storage module.
      emu.emulator.router.get('/storage/v1/core-dialect-test/{name}', () => ({ body: {} }), { dialect: 'storage' });
      const res = await rawJson(emu, 'GET', '/storage/v1/core-dialect-test/x');
      expect(res.status).toBe(code);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.status).toBeUndefined();
      expect(res.body.error.errors).toEqual([{ message: res.body.error.message, domain: 'global', reason: reasons[code] }]);
    }
  });

  it('counts faulted and dropped requests in the stats like any other', async () => {
    const emu = await start({ faults: { r503: 0.5, drop: 0.5, seed: 9 } });
    await sequence(emu, 20);
    expect((await rawJson(emu, 'GET', '/_emulator/stats')).body).toEqual({ total: 20, requests: { 'GET /v3/projects/{project}': 20 }, deliveries: {} });
  });
});
