// Core conformance: state survives a restart on the same stateFile, and the file is replaced
// atomically: a reader running in parallel never sees a torn or empty file, and no temporary file
// is left behind.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { iam } from '@googleapis/iam';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixedTokenAuth, gaxOptions, rawJson } from './helpers.js';

const P = 'core-persist-project';
const running: RunningEmulator[] = [];
let projects: ProjectsClient | undefined;

async function start(stateFile: string) {
  const emu = await startEmulator({ stateFile });
  running.push(emu);
  return emu;
}
afterEach(async () => {
  await projects?.close();
  projects = undefined;
  for (const emu of running.splice(0)) await emu.close();
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'core-persist-'));

describe('core: persistence', () => {
  it('reads back accounts, policies and services after a restart on the same file', async () => {
    const dir = tempDir();
    const stateFile = join(dir, 'nested', 'state.json');
    const first = await start(stateFile);
    const client = iam({ version: 'v1', rootUrl: `${first.url}/`, auth: fixedTokenAuth() as any });
    const sa = (
      await client.projects.serviceAccounts.create({ name: `projects/${P}`, requestBody: { accountId: 'persisted', serviceAccount: { displayName: 'Kept' } } })
    ).data;
    projects = new ProjectsClient(gaxOptions(first));
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    const [set] = await projects.setIamPolicy({
      resource: `projects/${P}`,
      policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/run.invoker', members: [`serviceAccount:${sa.email}`] }] },
    });
    await rawJson(first, 'POST', `/v1/projects/${P}/services/run.googleapis.com:enable`, {});
    const number = (await rawJson(first, 'GET', `/v3/projects/${P}`)).body.name;
    await projects.close();
    projects = undefined;
    await first.close();
    running.splice(0);

    const second = await start(stateFile);
    const client2 = iam({ version: 'v1', rootUrl: `${second.url}/`, auth: fixedTokenAuth() as any });
    expect((await client2.projects.serviceAccounts.get({ name: `projects/-/serviceAccounts/${sa.email}` })).data).toEqual(sa);
    projects = new ProjectsClient(gaxOptions(second));
    const [readBack] = await projects.getIamPolicy({ resource: `projects/${P}` });
    expect(readBack).toEqual(set);
    expect((await rawJson(second, 'GET', `/v1/projects/${P}/services/run.googleapis.com`)).body.state).toBe('ENABLED');
    expect((await rawJson(second, 'GET', `/v3/projects/${P}`)).body.name).toBe(number);
    // Counters are not state: a restarted emulator starts counting afresh.
    expect((await rawJson(second, 'GET', '/_emulator/stats')).body.total).toBe(4);
  });

  it('does not write the file for reads', async () => {
    const stateFile = join(tempDir(), 'state.json');
    const emu = await start(stateFile);
    await rawJson(emu, 'GET', `/v1/projects/${P}/serviceAccounts`);
    expect(readdirSync(join(stateFile, '..'))).toEqual([]);
  });

  it('replaces the file atomically under many concurrent writes, leaving no temporary file', async () => {
    const dir = tempDir();
    const stateFile = join(dir, 'state.json');
    const emu = await start(stateFile);
    // A parallel thread reads and parses the file in a tight loop while the writes go on.
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const reader = new Worker(
      `const { readFileSync } = require('node:fs');
       const { workerData, parentPort } = require('node:worker_threads');
       const stop = new Int32Array(workerData.stop);
       let reads = 0, torn = 0, missing = 0;
       while (Atomics.load(stop, 0) === 0) {
         let text;
         try { text = readFileSync(workerData.file, 'utf8'); } catch { missing++; continue; }
         try { JSON.parse(text); reads++; } catch { torn++; }
       }
       parentPort.postMessage({ reads, torn, missing });`,
      { eval: true, workerData: { file: stateFile, stop: stop.buffer } },
    );
    const result = new Promise<{ reads: number; torn: number }>((resolve, reject) => {
      reader.once('message', resolve);
      reader.once('error', reject);
    });
    // Long descriptions make each write large enough for a non-atomic write to be caught mid-way.
    const description = 'd'.repeat(250);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: `concurrent-${i}`, serviceAccount: { description } }),
      ),
    );
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        rawJson(emu, 'PATCH', `/v1/projects/-/serviceAccounts/concurrent-${i}@${P}.iam.gserviceaccount.com`, {
          serviceAccount: { displayName: `n${i}` },
          updateMask: 'displayName',
        }),
      ),
    );
    Atomics.store(stop, 0, 1);
    const { reads, torn } = await result;
    await reader.terminate();
    expect(torn).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['state.json']);
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const accounts = Object.values(state.collections['iam.serviceAccounts']) as Array<{ displayName?: string }>;
    expect(accounts).toHaveLength(100);
    expect(accounts.every((a) => a.displayName?.startsWith('n'))).toBe(true);
  });

  it('refuses to start on a file that is not an emulator state', async () => {
    const stateFile = join(tempDir(), 'state.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(stateFile, '{"hello": "world"}');
    await expect(startEmulator({ stateFile })).rejects.toThrow(/not an emulator state/);
  });
});
