// ${PROJECT_NUMBER} without a round of its own: apply records the project's number in the
// inventory; the next plan loads the manifests with it at once and checks it against Resource
// Manager in the same round as its other reads. A recorded number that is not the project's (an
// edited inventory) is caught by that check, and the plan is made again with the real one.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { Storage } from '@google-cloud/storage';
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
      expect(r.stderr).toContain(`records project number 999999999999, but Resource Manager says ${realNumber}: planned with ${realNumber}`);
    });
    const firstAnswer = Math.min(...calls.map((c) => c.end));
    expect(calls.some((c) => c.start >= firstAnswer)).toBe(true);
    expect(inventory().projectNumber).toBe('999999999999'); // plan writes nothing

    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(inventory().projectNumber).toBe(realNumber);
  }, 120_000);
});

// A plan reads a local inventory's number before it loads the manifests (to load them once, with
// it). That read changes nothing the user sees: invalid manifests are reported before anything
// else, and nothing is sent to Google for them; a gs:// inventory is not read before they are valid.
describe('the number read before the manifests are loaded', () => {
  let s: Stage;
  let dir: string;
  const bucketDoc = (name: string) => `apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata:\n  name: ${name}\nspec:\n  location: ASIA-NORTHEAST1\n`;
  const invalid = () => writeFileSync(join(dir, 'broken.yaml'), bucketDoc('Not_A_Bucket_Name'));
  const valid = () => rmSync(join(dir, 'broken.yaml'), { force: true });
  /** The calls the emulator received during fn. */
  async function callsDuring(fn: () => Promise<void>) {
    const before = (await s.requests()).at(-1)?.seq ?? 0;
    await fn();
    return (await s.requests()).filter((r) => r.seq > before && !r.path.startsWith('/_emulator'));
  }
  beforeAll(async () => {
    s = await stage({ operationMs: 50 });
    dir = join(s.dir, 'early');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: early\n');
    writeFileSync(join(dir, 'bucket.yaml'), bucketDoc('musectl-e2e-early-${PROJECT_NUMBER}'));
  }, 60_000);
  afterAll(async () => s.close());

  it('from a local inventory: invalid manifests are reported, and nothing is called', async () => {
    const state = join(s.dir, 'early-state');
    expect((await s.cli(['apply', '-f', dir, '--yes', '--state', state])).code).toBe(0);
    const file = join(state, `${PROJECT}.early.inventory.json`);
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    expect(JSON.parse(Buffer.from(envelope.data, 'base64').toString()).projectNumber).toMatch(/^\d{12}$/);
    invalid();
    const calls = await callsDuring(async () => {
      const r = await s.cli(['plan', '-f', dir, '--state', state]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/broken\.yaml:4:\d+: Bucket\/Not_A_Bucket_Name: metadata\.name: .* is not valid/);
    });
    expect(calls.map((c) => c.route)).toEqual([]);
    // An inventory that cannot be read does not come before the manifests' errors either.
    writeFileSync(file, '{ not json');
    const r = await s.cli(['plan', '-f', dir, '--state', state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Not_A_Bucket_Name');
    expect(r.stderr).not.toContain('inventory');
    valid();
    const unreadable = await s.cli(['plan', '-f', dir, '--state', state]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain(file);
    writeFileSync(file, JSON.stringify(envelope));
    const planned = await s.cli(['plan', '-f', dir, '--detailed-exitcode', '--state', state]);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
  }, 120_000);

  it('edited to a number of another length: manifests invalid with a real one are refused before any call', async () => {
    // The review's case: valid with 11 digits, not with 12 (a name of 63 characters with 11).
    const state = join(s.dir, 'early-state');
    const file = join(state, `${PROJECT}.early.inventory.json`);
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    const recorded = JSON.parse(Buffer.from(envelope.data, 'base64').toString());
    writeFileSync(file, JSON.stringify({ ...envelope, data: Buffer.from(JSON.stringify({ ...recorded, projectNumber: '12345678901' })).toString('base64') }));
    writeFileSync(join(dir, 'long.yaml'), bucketDoc(`${'a'.repeat(51)}-\${PROJECT_NUMBER}`));
    try {
      const calls = await callsDuring(async () => {
        const r = await s.cli(['plan', '-f', dir, '--state', state]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/long\.yaml:4:\d+: Bucket\/a{51}-123456789012: metadata\.name: /);
        expect(r.stderr).toContain('nothing was sent to Google Cloud');
        expect(r.stderr).not.toContain('internal error');
      });
      expect(calls.map((c) => c.route)).toEqual([]);
    } finally {
      rmSync(join(dir, 'long.yaml'));
      writeFileSync(file, JSON.stringify(envelope));
    }
  }, 60_000);

  it('from a gs:// inventory: not read until the manifests are valid', async () => {
    valid();
    // Another stack, with its own bucket: the first one's is in the local inventory above.
    writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: early-gs\n');
    writeFileSync(join(dir, 'bucket.yaml'), bucketDoc('musectl-e2e-early-gs-${PROJECT_NUMBER}'));
    await new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT }).createBucket('musectl-e2e-early-state');
    const state = 'gs://musectl-e2e-early-state/musectl';
    const applied = await s.cli(['apply', '-f', dir, '--yes', '--state', state]);
    expect(applied.code, applied.stderr).toBe(0);
    invalid();
    const calls = await callsDuring(async () => {
      const r = await s.cli(['plan', '-f', dir, '--state', state]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Not_A_Bucket_Name');
    });
    expect(calls.map((c) => c.route)).toEqual([]);
    valid();
    const planned = await s.cli(['plan', '-f', dir, '--detailed-exitcode', '--state', state]);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
  }, 120_000);
});

describe('a recorded project number the manifests are not valid with', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({ operationMs: 50 });
  }, 60_000);
  afterAll(async () => s.close());

  it('is not used: Resource Manager is asked, and the plan is the real one', async () => {
    const dir = join(s.dir, 'small');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: numbered\n');
    // 49 characters: with a 12-digit number 61, within Google's 63; with a 19-digit one, too long.
    const name = 'musectl-e2e-bucket-named-with-the-project-number-${PROJECT_NUMBER}';
    writeFileSync(join(dir, 'bucket.yaml'), `apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata:\n  name: ${name}\nspec:\n  location: ASIA-NORTHEAST1\n`);
    const state = join(s.dir, 'small-state');
    expect((await s.cli(['apply', '-f', dir, '--yes', '--state', state])).code).toBe(0);
    const file = join(state, `${PROJECT}.numbered.inventory.json`);
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    const inventory = JSON.parse(Buffer.from(envelope.data, 'base64').toString());
    expect(inventory.projectNumber).toMatch(/^\d{12}$/);
    for (const wrong of ['1234567890123456789', 'not a number']) {
      const edited = { ...inventory, projectNumber: wrong };
      writeFileSync(file, JSON.stringify({ ...envelope, data: Buffer.from(JSON.stringify(edited)).toString('base64') }));
      const r = await s.cli(['plan', '-f', dir, '--detailed-exitcode', '--state', state]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('No changes.');
    }
  }, 120_000);
});

// --target and --exclude name resources as the manifests name them with the project's real number.
// A set loaded with a recorded number that is not the project's has other keys until the check in
// the plan's round: a key it lacks is checked against the real number before it is refused.
describe('a --target named with the real number, while the inventory records a wrong one', () => {
  let s: Stage;
  let dir: string;
  let state: string;
  let realNumber: string;
  const bucketDoc = (name: string) => `apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata:\n  name: ${name}\nspec:\n  location: ASIA-NORTHEAST1\n`;
  beforeAll(async () => {
    s = await stage({ operationMs: 50 });
    const [project] = await new ProjectsClient(gaxOptions(s.emu)).getProject({ name: `projects/${PROJECT}` });
    realNumber = /^projects\/(\d+)$/.exec(project.name ?? '')![1];
    dir = join(s.dir, 'targeted');
    state = join(s.dir, 'targeted-state');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: targeted\n');
    writeFileSync(join(dir, 'data.yaml'), bucketDoc('musectl-e2e-data-${PROJECT_NUMBER}'));
    expect((await s.cli(['apply', '-f', dir, '--yes', '--state', state])).code).toBe(0);
    // A new manifest, not yet applied (so not in the inventory), and a wrong recorded number.
    writeFileSync(join(dir, 'new.yaml'), bucketDoc('musectl-e2e-new-${PROJECT_NUMBER}'));
    const file = join(state, `${PROJECT}.targeted.inventory.json`);
    const envelope = JSON.parse(readFileSync(file, 'utf8'));
    const recorded = JSON.parse(Buffer.from(envelope.data, 'base64').toString());
    writeFileSync(file, JSON.stringify({ ...envelope, data: Buffer.from(JSON.stringify({ ...recorded, projectNumber: '999999999999' })).toString('base64') }));
  }, 60_000);
  afterAll(async () => s.close());

  it('plans the target, and warns that the recorded number is not the project', async () => {
    const r = await s.cli(['plan', '-f', dir, '--state', state, '--target', `Bucket/musectl-e2e-new-${realNumber}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`+ Bucket/musectl-e2e-new-${realNumber}`);
    expect(r.stdout).toContain('Plan: 1 to create, 0 to update, 0 to delete');
    expect(r.stdout).toContain(`skipped: Bucket/musectl-e2e-data-${realNumber}`);
    expect(r.stderr).toContain(`records project number 999999999999, but Resource Manager says ${realNumber}: planned with ${realNumber}`);
  }, 60_000);

  it('--exclude too', async () => {
    const r = await s.cli(['plan', '-f', dir, '--state', state, '--exclude', `Bucket/musectl-e2e-new-${realNumber}`, '--detailed-exitcode']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes');
  }, 60_000);

  it('a key that names nothing with the real number either is refused, with only the number asked of Google', async () => {
    const before = (await s.requests()).at(-1)?.seq ?? 0;
    const r = await s.cli(['plan', '-f', dir, '--state', state, '--target', 'Bucket/musectl-e2e-nothing']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--target Bucket/musectl-e2e-nothing: no such resource in the manifests');
    const calls = (await s.requests()).filter((c) => c.seq > before && !c.path.startsWith('/_emulator'));
    expect(calls.map((c) => c.route)).toEqual(['GET /v3/projects/{project}']);
  }, 60_000);
});
