// The watcher's status beside the inventory (src/state/watcher-status.ts): written whole, read back,
// a damaged one read as none, and the health musectl status shows: stale after two intervals.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStateStore } from '../../../src/state/local-store.js';
import { type WatcherStatus, WatcherStatusStore, watcherHealth } from '../../../src/state/watcher-status.js';

const status = (finishedAt: string, over: Partial<WatcherStatus['lastCycle']> = {}): WatcherStatus => ({
  formatVersion: 1,
  stack: 'sessionmuse',
  project: 'p',
  musectlVersion: '0.1.0',
  intervalMs: 300_000,
  writer: 'musectl-watcher-abc12 task 0',
  lastCycle: {
    startedAt: finishedAt,
    finishedAt,
    durationMs: 2_400,
    outcome: 'completed',
    source: 'gs://b/manifests/',
    driftFound: 2,
    corrected: 1,
    reported: 1,
    failed: 0,
    backingOff: 0,
    heldBack: 0,
    notAttempted: 0,
    ...over,
  },
  backoff: {},
});

describe('the watcher status store', () => {
  it('writes over the last status and reads it back; a damaged object reads as none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-status-'));
    const store = new WatcherStatusStore(new LocalStateStore(dir), { project: 'p', stack: 'sessionmuse' });
    expect(await store.read()).toBeUndefined();
    await store.write(status('2026-12-01T10:00:00.000Z'));
    await store.write(status('2026-12-01T10:05:00.000Z'));
    expect((await store.read())?.lastCycle.finishedAt).toBe('2026-12-01T10:05:00.000Z');
    expect(store.describe()).toBe(join(dir, 'p.sessionmuse.watcher-status.json'));
    writeFileSync(join(dir, 'p.sessionmuse.watcher-status.json'), '{"generation":"9","data":"bm90IGpzb24="}');
    expect(await store.read()).toBeUndefined();
  });
});

describe('watcher health', () => {
  const at = (iso: string) => Date.parse(iso);
  it('is fresh within two intervals, and sums up the last cycle', () => {
    const h = watcherHealth(status('2026-12-01T10:00:00.000Z'), at('2026-12-01T10:09:59.000Z'));
    expect(h.stale).toBe(false);
    expect(h.warning).toBeUndefined();
    expect(h.summary).toBe('last cycle 10m ago (2026-12-01T10:00:00.000Z, 2s long, musectl 0.1.0): drift 2, corrected 1, reported 1, failed 0, backing off 0');
  });

  it('warns once the last cycle is older than two intervals', () => {
    const h = watcherHealth(status('2026-12-01T10:00:00.000Z'), at('2026-12-01T10:10:01.000Z'));
    expect(h.stale).toBe(true);
    expect(h.warning).toBe(
      "the watcher's last cycle is 10m old, more than two intervals (5m each): it is not running; check its schedule (paused?) and its executions",
    );
  });

  it('warns about a cycle that failed', () => {
    const h = watcherHealth(status('2026-12-01T10:00:00.000Z', { outcome: 'failed', error: 'the manifests are not valid' }), at('2026-12-01T10:01:00.000Z'));
    expect(h.warning).toBe("the watcher's last cycle failed: the manifests are not valid");
    expect(h.summary).toContain('failed: the manifests are not valid');
  });
});
