// Concurrency: two applies of one stack (same project, same --state) started at the same moment.
// The stack's lease lets one in; the other waits for it (--lock-timeout) and starts only once the
// first is done, so their writes never interleave; without --lock-timeout the second stops at
// once, naming the holder, having written nothing.
//
// To tell whose write is whose, the two copies of the stack differ in a marker carried by every
// labelled resource (a label) and every service account (its display name): each write that
// carries a marker belongs to the copy with that marker. The loser only finds labels and names to
// change (everything else is already there), so each of its writes carries its marker.

import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { type CliResult, startCli } from '../e2e/cli.js';
import { until } from '../support/until.js';
import { changesOf, enginePlan, isWrite, pushStackImages, reliabilityStack, spawnCli, tempDir } from './helpers.js';

const PROJECT = 'concurrency-project';

/** A copy of the stack whose labels and account names carry `marker`. */
function markedCopy(source: string, marker: string): string {
  const dir = tempDir(`concurrency-${marker}`);
  // Secret files must be inside the stack's tree: each copy gets its own .values.
  cpSync(join(source, '.values'), join(dir, '.values'), { recursive: true });
  for (const f of readdirSync(source).filter((x) => x.endsWith('.yaml'))) {
    const text = readFileSync(join(source, f), 'utf8')
      .split(join(source, '.values'))
      .join(join(dir, '.values'))
      .replace(/labels: \{ app: bench/g, `labels: { writer: ${marker}, app: bench`)
      .replace(/displayName: bench account (\d+)/g, `displayName: bench account $1 by ${marker}`);
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

describe('concurrency: two applies of one stack at once', () => {
  let emu: RunningEmulator;
  let source: string;
  const dirs: Record<'a' | 'b', string> = { a: '', b: '' };

  beforeAll(async () => {
    emu = await startEmulator({ latencyMs: 10, operationMs: 300 });
    source = reliabilityStack(25).dir;
    dirs.a = markedCopy(source, 'alpha');
    dirs.b = markedCopy(source, 'bravo');
  });
  afterAll(async () => {
    await emu.close();
    for (const d of [source, dirs.a, dirs.b]) rmSync(d, { recursive: true, force: true });
  });

  const marker = (body: string): 'a' | 'b' | undefined => (/alpha/.test(body) ? 'a' : /bravo/.test(body) ? 'b' : undefined);

  it('the second waits for the lease, then writes only after the first is done', async () => {
    const state = tempDir('concurrency-state');
    const project = `${PROJECT}-1`;
    pushStackImages(emu, source, project);
    const target = ['--emulator', emu.url, '--project', project, '--state', state];
    const since = emu.emulator.log.since(0).at(-1)?.seq ?? 0;
    const started = {
      a: spawnCli(['apply', '-f', dirs.a, '--yes', '--lock-timeout', '2m', ...target]),
      b: spawnCli(['apply', '-f', dirs.b, '--yes', '--lock-timeout', '2m', ...target]),
    };
    const exited: Record<string, number> = {};
    const results: Record<string, CliResult> = {};
    await Promise.all(
      (['a', 'b'] as const).map(async (k) => {
        results[k] = await started[k].done;
        exited[k] = Date.now();
      }),
    );
    expect(results.a.code, results.a.stderr).toBe(0);
    expect(results.b.code, results.b.stderr).toBe(0);
    const waited = (['a', 'b'] as const).filter((k) => results[k].stderr.includes("waiting for the stack's lock"));
    expect(waited).toHaveLength(1);
    const loser = waited[0];
    const winner = loser === 'a' ? 'b' : 'a';
    expect(results[loser].stderr).toMatch(/waiting for the stack's lock, held by musectl apply \(pid \d+ on /);

    const writes = emu.emulator.log.since(since).filter((e) => isWrite(e.method, e.path));
    const mine = writes.filter((e) => marker(e.body) === loser);
    const theirs = writes.filter((e) => marker(e.body) !== loser);
    expect(theirs.length).toBeGreaterThan(20); // the winner created the stack
    expect(mine.length).toBeGreaterThan(0); // the loser relabelled it
    // No interleaving: every write of the loser starts after the winner's last one ended, and
    // after the winner let go of the lease (it exits right after).
    const lastOfWinner = Math.max(...theirs.map((e) => e.end));
    const firstOfLoser = Math.min(...mine.map((e) => e.start));
    expect(firstOfLoser).toBeGreaterThanOrEqual(lastOfWinner);
    expect(firstOfLoser).toBeGreaterThanOrEqual(exited[winner] - 1_000);
    // The loser's manifests are what stays, and the lease is gone.
    expect(changesOf(await enginePlan({ dir: dirs[loser], emu, project, state }))).toEqual([]);
    expect(readdirSync(state).filter((f) => f.endsWith('.lease.json'))).toEqual([]);
    rmSync(state, { recursive: true, force: true });
  }, 120_000);

  it('without --lock-timeout the second stops at once, naming the holder, and writes nothing', async () => {
    const state = tempDir('concurrency-state');
    const project = `${PROJECT}-2`;
    pushStackImages(emu, source, project);
    const target = ['--emulator', emu.url, '--project', project, '--state', state];
    const since = emu.emulator.log.since(0).at(-1)?.seq ?? 0;
    const first = spawnCli(['apply', '-f', dirs.a, '--yes', ...target]);
    // Start the second once the first holds the lease and is writing.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (emu.emulator.log.since(since).some((e) => isWrite(e.method, e.path))) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    const second = await spawnCli(['apply', '-f', dirs.b, '--yes', ...target]).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`stack bench-n25 of project ${project} is locked by musectl apply \\(pid \\d+ on [^)]+\\) since \\S+`));
    expect(second.stderr).toContain('--lock-timeout');
    const firstResult = await first.done;
    expect(firstResult.code, firstResult.stderr).toBe(0);
    const writes = emu.emulator.log.since(since).filter((e) => isWrite(e.method, e.path));
    expect(writes.filter((e) => marker(e.body) === 'b')).toEqual([]);
    expect(changesOf(await enginePlan({ dir: dirs.a, emu, project, state }))).toEqual([]);
    rmSync(state, { recursive: true, force: true });
  }, 120_000);

  it('a watch and an apply on one stack: the lease is respected, no interleaved writes', async () => {
    const state = tempDir('concurrency-state');
    const project = `${PROJECT}-3`;
    pushStackImages(emu, source, project);
    const target = ['--emulator', emu.url, '--project', project, '--state', state];
    const dirC = markedCopy(source, 'charlie');
    expect((await spawnCli(['apply', '-f', dirs.a, '--yes', ...target]).done).code).toBe(0);
    const since = emu.emulator.log.since(0).at(-1)?.seq ?? 0;
    // The watcher wants everything marked charlie, the apply wants bravo: they fight over every label.
    const watch = startCli(['watch', '-f', dirC, ...target, '--interval', '1s', '--jitter', '0', '--log-format', 'json']);
    const cyclesOf = () =>
      watch
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === 'cycle');
    // Start the apply while the watcher is writing (its first cycle relabels everything).
    await until('the watcher to start writing', () => emu.emulator.log.since(since).some((e) => isWrite(e.method, e.path) && /charlie/.test(e.body)), 90_000);
    const apply = await spawnCli(['apply', '-f', dirs.b, '--yes', '--lock-timeout', '2m', ...target]).done;
    expect(apply.code, apply.stderr).toBe(0);
    const appliedAt = Date.now();
    await until('a writing watch cycle after the apply', () => cyclesOf().some((c) => c.lease && Date.parse(c.lease.acquiredAt) >= appliedAt - 1_000), 90_000);
    const watched = await watch.stop('SIGTERM');
    expect(watched.code, watched.stderr).toBe(0);

    const cycles = cyclesOf();
    const leases = cycles.filter((c) => c.lease).map((c) => [Date.parse(c.lease.acquiredAt), Date.parse(c.lease.releasedAt)] as const);
    expect(leases.length).toBeGreaterThanOrEqual(2); // it wrote before the apply and after it
    const writes = emu.emulator.log.since(since).filter((e) => isWrite(e.method, e.path));
    const markerOf = (body: string) => (/charlie/.test(body) ? 'watch' : /bravo/.test(body) ? 'apply' : undefined);
    const byWatch = writes.filter((e) => markerOf(e.body) === 'watch');
    const byApply = writes.filter((e) => markerOf(e.body) === 'apply');
    expect(byWatch.length).toBeGreaterThan(0);
    expect(byApply.length).toBeGreaterThan(0);
    const inLease = (t: number) => leases.some(([from, to]) => t >= from - 5 && t <= to + 5);
    // Every write of the watcher happens while it holds the lease; none of the apply's does.
    for (const w of byWatch) expect(inLease(w.start), `${w.method} ${w.path}`).toBe(true);
    for (const w of byApply) expect(inLease(w.start) || inLease(w.end), `${w.method} ${w.path}`).toBe(false);
    rmSync(dirC, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }, 120_000);
});
