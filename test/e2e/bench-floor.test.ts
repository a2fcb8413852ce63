// The bench's floor (bench/floor.ts) sends a no-op plan's reads with the official clients alone:
// it is a floor only if it makes the very calls the plan makes (method, path and answer), each
// answered (a wrong name would be a 404 and a cheaper call). For SessionMUSE and for the bench's generated stack (every kind it
// makes), the floor makes as many calls a run as `musectl plan` does, and none fails.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStack } from '../../bench/generate.js';
import { idealPlan } from '../../bench/ideal.js';
import { allControllers } from '../../controllers/index.js';
import { type RunningEmulator, seedImages, startEmulator } from '../../emulator/index.js';
import { artifactRegistryImages } from '../../src/cli/stack-images.js';
import { addImplicitDependencies } from '../../src/engine/graph.js';
import { loadManifestSet } from '../../src/manifest/index.js';
import { ROOT, runCli } from './cli.js';

const FLOOR = join(ROOT, 'dist', 'bench', 'floor.js');
const RUNS = 2;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({});
});
afterAll(async () => {
  await emu?.close();
});

/** What the emulator answered since `seq`: method, path and status of each request, sorted. */
const answeredSince = (seq: number): string[] =>
  emu.emulator.log
    .since(seq)
    .map((e) => `${e.method} ${e.path} ${e.status}`)
    .sort();
const lastSeq = (): number => emu.emulator.log.since(0).at(-1)?.seq ?? 0;

/** Applies the stack, then records the requests of a no-op plan and of the floor's runs. */
async function compare(dir: string, project: string, env: Record<string, string>) {
  seedImages(emu.emulator, artifactRegistryImages([dir], { PROJECT_ID: project }));
  const target = ['--emulator', emu.url, '--project', project, '--state', join(dir, '.state')];
  const apply = await runCli(['apply', '-f', dir, ...target, '--yes'], { env });
  expect(apply.code, apply.stderr).toBe(0);

  const beforePlan = emu.emulator.stats.total;
  const planSeq = lastSeq();
  const plan = await runCli(['plan', '-f', dir, ...target, '--detailed-exitcode'], { env });
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  const planCalls = emu.emulator.stats.total - beforePlan;
  const planRequests = answeredSince(planSeq);

  const set = loadManifestSet([dir], { variables: { PROJECT_ID: project }, allowPlaceholders: true });
  const controllers = allControllers();
  addImplicitDependencies(set.resources, (kind) => controllers.get(kind)?.facts.requiresApi);
  const ideal = idealPlan(set.resources, {
    controllers,
    project,
    latencyMs: 50,
    operationMs: 500,
    projectNumberUsed: set.variablesUsed.includes('PROJECT_NUMBER'),
  });
  const reads = join(dir, 'floor-reads.json');
  writeFileSync(reads, JSON.stringify(ideal.reads));
  const beforeFloor = emu.emulator.stats.total;
  const floorSeq = lastSeq();
  const floor = await promisify(execFile)(process.execPath, [FLOOR, reads, project, emu.url, String(RUNS)], { encoding: 'utf8' });
  const runs = floor.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ms: number; calls: number });
  const floorRequests = answeredSince(floorSeq);
  // Every read answered, and the floor's runs sent the very requests of the plan, each once a run.
  expect(planRequests.filter((r) => !/ 2\d\d$/.test(r))).toEqual([]);
  expect(floorRequests).toEqual(
    Array.from({ length: RUNS }, () => planRequests)
      .flat()
      .sort(),
  );
  return { planCalls, ideal, runs, floorCalls: emu.emulator.stats.total - beforeFloor };
}

describe("the bench's floor: a plan's reads with the clients alone", () => {
  it('SessionMUSE: each run makes the calls of its no-op plan, every kind, the project lookup, the images and the secret value included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-floor-'));
    cpSync(join(ROOT, 'manifests'), dir, { recursive: true });
    const env = { GEMINI_API_KEY: 'floor-canary-value' };
    process.env.GEMINI_API_KEY = env.GEMINI_API_KEY; // the ideal reads a secret's value only where its source is set
    try {
      const { planCalls, ideal, runs, floorCalls } = await compare(dir, 'floor-sessionmuse', env);
      // Its lists and policies are of every kind the floor reads, the watcher's job and schedule included.
      const kinds = new Set(ideal.reads.flatMap((r) => (r.type === 'list' || r.type === 'policy' ? [r.kind] : [])));
      expect([...kinds].sort()).toEqual([
        'ArtifactRegistryRepository',
        'Bucket',
        'CloudRunJob',
        'CloudRunService',
        'CloudSchedulerJob',
        'Project',
        'ProjectService',
        'Secret',
        'ServiceAccount',
      ]);
      expect(ideal.parts.projectLookup).toBe(1);
      expect(ideal.parts.imageDigests).toBeGreaterThan(0);
      expect(ideal.parts.secretValues).toBe(1);
      expect(planCalls).toBe(ideal.calls);
      expect(runs.map((r) => r.calls)).toEqual(Array(RUNS).fill(ideal.calls));
      expect(floorCalls).toBe(RUNS * ideal.calls);
    } finally {
      delete process.env.GEMINI_API_KEY;
    }
  });

  it('a generated stack with every kind the bench makes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-floor-'));
    const project = 'floor-kinds';
    generateStack({ n: 60, dir, allKinds: true, stack: 'floor' });
    const { planCalls, ideal, runs, floorCalls } = await compare(dir, project, {});
    const kinds = new Set(ideal.reads.flatMap((r) => (r.type === 'list' || r.type === 'policy' ? [r.kind] : [])));
    expect([...kinds].sort()).toEqual(['ArtifactRegistryRepository', 'Bucket', 'CloudRunService', 'Project', 'ProjectService', 'Secret', 'ServiceAccount']);
    expect(planCalls).toBe(ideal.calls);
    expect(runs.map((r) => r.calls)).toEqual(Array(RUNS).fill(ideal.calls));
    expect(floorCalls).toBe(RUNS * ideal.calls);
  });
});
