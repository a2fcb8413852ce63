// Crash: `musectl apply` killed with SIGKILL at 20 seeded points of an apply of a stack with every
// kind, against an emulator with some latency and slow operations. The kill lands on the arrival
// of the k-th write (plus a few ms), so the write takes effect and its answer is lost, or while
// musectl waits on an operation, or in between; one seed kills it while it is still reading.
// After each kill:
//   - the plan (in-process) shows every resource the emulator holds half-configured: whatever
//     differs from what a clean apply leaves (a secret without its value, an API not yet on, a
//     policy missing members...) has an action in the plan;
//   - the dead apply's lease does not let a second apply in (it names the holder), until it expires;
//   - a rerun of the CLI converges: it completes, the next plan has nothing to do, and the
//     emulator then holds exactly what a clean apply leaves.

import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedStack } from '../../bench/generate.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { projectNumberFor } from '../../emulator/projects.js';
import type { Plan } from '../../src/engine/plan.js';
import { runCli } from '../e2e/cli.js';
import { changesOf, differences, emulatorState, enginePlan, isWrite, projectView, pushStackImages, reliabilityStack, spawnCli, tempDir } from './helpers.js';

const SEEDS = 20;
const PROJECT = 'crash-project';
const NUMBER = projectNumberFor(PROJECT);
const EMULATOR = { latencyMs: 5, operationMs: 150 };

/** mulberry32: the kill points are the same on every run. */
function prng(seed: number): () => number {
  let a = seed * 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The IAM member actions of the plan whose policy is the emulator's `Policy/RESOURCE`. */
function planTouchesPolicy(plan: Plan, resource: string): boolean {
  const target = resource.split('/').pop()!;
  return plan.actions.some((a) => a.kind === 'IAMPolicyMember' && a.action !== 'noop' && (a.id.split('|')[1] ?? '').split('/').pop() === target);
}

/**
 * What a killed holder leaves in a local state directory, aged as if a minute had passed: its
 * lease expired, and a lock directory of a write it was in the middle of is stale.
 */
function letTimePass(state: string): void {
  if (!existsSync(state)) return;
  const past = new Date(Date.now() - 5 * 60_000);
  for (const f of readdirSync(state)) {
    const path = join(state, f);
    if (f.endsWith('.lease.json')) {
      const envelope = JSON.parse(readFileSync(path, 'utf8')) as { generation: string; data: string };
      const lease = JSON.parse(Buffer.from(envelope.data, 'base64').toString());
      lease.expiresAt = past.toISOString();
      writeFileSync(path, JSON.stringify({ ...envelope, data: Buffer.from(JSON.stringify(lease)).toString('base64') }));
    } else if (f.endsWith('.lock') && statSync(path).isDirectory()) {
      utimesSync(path, past, past);
    }
  }
}

describe(`crash: apply killed (SIGKILL) at ${SEEDS} seeded points, then rerun`, () => {
  let stack: GeneratedStack;
  let clean: Map<string, unknown>;
  let writes: number;
  let reads: number;

  beforeAll(async () => {
    stack = reliabilityStack(30);
    // What a clean apply leaves, and how many writes it makes.
    const emu = await startEmulator(EMULATOR);
    pushStackImages(emu, stack.dir, PROJECT);
    const state = tempDir('crash-ref');
    try {
      const r = await runCli(['apply', '-f', stack.dir, '--yes', '--emulator', emu.url, '--project', PROJECT, '--state', state]);
      expect(r.code, r.stderr).toBe(0);
      expect(changesOf(await enginePlan({ dir: stack.dir, emu, project: PROJECT, state }))).toEqual([]);
      clean = projectView(await emulatorState(emu), PROJECT, NUMBER);
      const log = emu.emulator.log.since(0);
      writes = log.filter((e) => isWrite(e.method, e.path)).length;
      reads = log.length - writes;
    } finally {
      await emu.close();
      rmSync(state, { recursive: true, force: true });
    }
  });
  afterAll(() => rmSync(stack.dir, { recursive: true, force: true }));

  let crashes = 0;

  /** Runs one seed; returns what went wrong. */
  async function crashAndRerun(seed: number): Promise<string[]> {
    const problems: string[] = [];
    const emu: RunningEmulator = await startEmulator(EMULATOR);
    pushStackImages(emu, stack.dir, PROJECT);
    const state = tempDir('crash-state');
    const target = ['--emulator', emu.url, '--project', PROJECT, '--state', state];
    try {
      const random = prng(seed);
      // Seed 1 dies while reading (planning), the others at the arrival of a write.
      const onWrites = seed !== 1;
      const k = 1 + Math.floor(random() * (onWrites ? writes : Math.min(reads, 20)));
      const extraMs = Math.floor(random() * 25);
      const cli = spawnCli(['apply', '-f', stack.dir, '--yes', ...target]);
      let seen = 0;
      const log = emu.emulator.log;
      const begin = log.begin.bind(log);
      log.begin = (method, path, body) => {
        const entry = begin(method, path, body);
        if ((onWrites ? isWrite(method, path) : !isWrite(method, path)) && ++seen === k) setTimeout(() => cli.child.kill('SIGKILL'), extraMs);
        return entry;
      };
      const killed = await cli.done;
      log.begin = begin;
      if (killed.signal !== 'SIGKILL') {
        // It finished in the few ms before the kill (the last write): a clean run, nothing to check.
        if (killed.code !== 0) problems.push(`seed ${seed}: the apply failed on its own (exit ${killed.code}): ${killed.stderr.slice(-1000)}`);
        return problems;
      }
      crashes++;
      const where = `seed ${seed} (killed ${extraMs} ms after ${onWrites ? 'write' : 'read'} ${k} of ${onWrites ? writes : reads})`;

      // Whatever the emulator holds that a clean apply would not, the plan shows.
      const plan = await enginePlan({ dir: stack.dir, emu, project: PROJECT, state });
      const held = projectView(await emulatorState(emu), PROJECT, NUMBER);
      const pending = new Set(plan.actions.filter((a) => a.action !== 'noop').map((a) => `${a.kind}/${a.name}`));
      for (const key of differences(held, clean)) {
        const shown = key.startsWith('Policy/') ? planTouchesPolicy(plan, key.slice('Policy/'.length)) : pending.has(key);
        if (!shown) problems.push(`${where}: ${key} differs from a clean apply and the plan does not show it`);
      }

      // The dead holder's lease keeps a second apply out, naming it, until it expires.
      if (seed === 2) {
        const locked = await runCli(['apply', '-f', stack.dir, '--yes', ...target]);
        if (locked.code !== 1 || !/is locked by musectl apply \(pid \d+ on /.test(locked.stderr))
          problems.push(`${where}: a second apply was not refused by the dead apply's lease: ${locked.stderr}`);
      }
      letTimePass(state);

      const rerun = await runCli(['apply', '-f', stack.dir, '--yes', ...target]);
      if (rerun.code !== 0) problems.push(`${where}: the rerun exited ${rerun.code}: ${rerun.stderr.slice(-2000)}`);
      const after = changesOf(await enginePlan({ dir: stack.dir, emu, project: PROJECT, state }));
      if (after.length > 0) problems.push(`${where}: did not converge, the plan after the rerun has ${after.join(', ')}`);
      for (const key of differences(projectView(await emulatorState(emu), PROJECT, NUMBER), clean))
        problems.push(`${where}: after the rerun ${key} differs from a clean apply`);
    } finally {
      await emu.close();
      rmSync(state, { recursive: true, force: true });
    }
    return problems;
  }

  it('every rerun converges, and the plan after a crash shows every half-configured resource', async () => {
    expect(writes).toBeGreaterThan(20);
    const problems: string[] = [];
    const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
    let next = 0;
    // Two at a time: each seed runs two CLI processes one after the other.
    await Promise.all(
      [0, 1].map(async () => {
        while (next < seeds.length) problems.push(...(await crashAndRerun(seeds[next++])));
      }),
    );
    expect(problems).toEqual([]);
    expect(crashes).toBeGreaterThanOrEqual(SEEDS - 2); // a kill meant for the last write may come after the exit
  }, 240_000);
});
