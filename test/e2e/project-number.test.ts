// ${PROJECT_NUMBER} without a round of its own: apply records the project's number in the
// inventory; the next plan loads the manifests with it at once and checks it against Resource
// Manager in the same round as its other reads. A recorded number that is not the project's (an
// edited inventory) is caught by that check, and the plan is made again with the real one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaxOptions } from '../emulator/helpers.js';
import { PROJECT, type Stage, stage } from './harness.js';

const ENV = { GEMINI_API_KEY: 'e2e-number-key' };
// Long enough that a second round of calls cannot hide inside the first.
const LATENCY_MS = 150;

describe('the project number, recorded in the inventory', () => {
  let s: Stage;
  let inventoryFile: string;
  let realNumber: string;
  beforeAll(async () => {
    s = await stage({ latencyMs: LATENCY_MS, operationMs: 50 });
    inventoryFile = join(s.dir, '.state', `${PROJECT}.sessionmuse.inventory.json`);
    const [project] = await new ProjectsClient(gaxOptions(s.emu)).getProject({ name: `projects/${PROJECT}` });
    realNumber = /^projects\/(\d+)$/.exec(project.name ?? '')![1];
  }, 60_000);
  afterAll(async () => s.close());

  // The local state store keeps each file in an envelope: { generation, data (base64) }.
  const envelope = () => JSON.parse(readFileSync(inventoryFile, 'utf8')) as { generation: string; data: string };
  const inventory = () => JSON.parse(Buffer.from(envelope().data, 'base64').toString()) as { projectNumber?: string };
  /** The calls the emulator received during fn, with when each started and ended. */
  async function callsDuring(fn: () => Promise<void>) {
    const before = (await s.requests()).at(-1)?.seq ?? 0;
    await fn();
    return (await s.requests()).filter((r) => r.seq > before && !r.path.startsWith('/_emulator'));
  }

  it('is written by apply: the one Resource Manager gives', async () => {
    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: ENV, timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(inventory().projectNumber).toBe(realNumber);
  }, 300_000);

  it('lets the next plan read everything in one round, the project lookup included', async () => {
    const calls = await callsDuring(async () => {
      const r = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env: ENV });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });
    expect(calls.filter((c) => c.route === 'GET /v3/projects/{project}')).toHaveLength(1);
    // One round: every call started before the first answer arrived.
    const firstAnswer = Math.min(...calls.map((c) => c.end));
    expect(calls.filter((c) => c.start >= firstAnswer).map((c) => c.route)).toEqual([]);
    expect(calls.length).toBeGreaterThan(15);
  }, 60_000);

  it('is checked: a wrong recorded number costs a second round, not a wrong plan, and apply puts the real one back', async () => {
    const edited = { ...inventory(), projectNumber: '999999999999' };
    writeFileSync(inventoryFile, JSON.stringify({ ...envelope(), data: Buffer.from(JSON.stringify(edited)).toString('base64') }));
    const calls = await callsDuring(async () => {
      const r = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env: ENV });
      // The front end's URL uses the number: planned with 999999999999 it would be a change.
      expect(r.stdout).toContain('No changes.');
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });
    const firstAnswer = Math.min(...calls.map((c) => c.end));
    expect(calls.some((c) => c.start >= firstAnswer)).toBe(true);
    expect(inventory().projectNumber).toBe('999999999999'); // plan writes nothing

    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(inventory().projectNumber).toBe(realNumber);
  }, 120_000);
});
