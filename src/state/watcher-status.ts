// The watcher's health, beside the stack's inventory: each watch cycle writes what it found and
// did (when, how long, the drift counts, the musectl version), and the per-resource backoff, so a
// watcher that runs one cycle per execution (watch --once, started by Cloud Scheduler) still backs
// off a broken resource across executions. `musectl status` reads it and warns when the last cycle
// is older than two intervals: the watcher stopped running (a paused schedule, a failing image).
import { PreconditionFailed, type StackIdentity, type StateStore, stateStem } from './store.js';

/**
 * Where a cycle's drifted fields went (a resource missing or extra counts one); they add up:
 * driftFound = corrected + reported + failed + backingOff + heldBack + notAttempted.
 */
export interface DriftCounts {
  driftFound: number;
  corrected: number;
  reported: number;
  failed: number;
  backingOff: number;
  /** In resources left alone for want of evidence that they are the stack's. */
  heldBack: number;
  notAttempted: number;
}

export interface WatcherCycleStatus extends DriftCounts {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** completed: observed, planned and corrected what it could; failed: the cycle itself did not finish. */
  outcome: 'completed' | 'failed';
  /** Why a failed cycle failed (invalid manifests, an unreachable API), one line. */
  error?: string;
  source: string;
  manifestsChanged?: boolean;
  apiCalls?: number;
}

export interface BackoffRecord {
  failures: number;
  until: string;
  error: string;
}

export interface WatcherStatus {
  formatVersion: 1;
  stack: string;
  project: string;
  /** The environment (--env), when the stack was applied in one. */
  environment?: string;
  musectlVersion: string;
  /** The time between cycles the watcher was told (its --interval: the schedule's, with --once). */
  intervalMs: number;
  /** The Cloud Run execution (or host and pid) that wrote it. */
  writer: string;
  lastCycle: WatcherCycleStatus;
  /** Resources left alone after failures, by "Kind/name". */
  backoff: Record<string, BackoffRecord>;
}

/** Beside the inventory, one per project, stack and environment (PROJECT.STACK[.ENV].watcher-status.json). */
export const watcherStatusKey = (who: StackIdentity): string => `${stateStem(who)}.watcher-status.json`;

export class WatcherStatusStore {
  constructor(
    private readonly store: StateStore,
    readonly who: StackIdentity,
  ) {}

  private get key(): string {
    return watcherStatusKey(this.who);
  }

  describe(): string {
    return `${this.store.describe()}${this.store.describe().endsWith('/') ? '' : '/'}${this.key}`;
  }

  /** The last status written; undefined when no watcher ever wrote one (or it is not one). */
  async read(): Promise<WatcherStatus | undefined> {
    const found = await this.store.read(this.key);
    return found ? parse(found.data) : undefined;
  }

  /** Writes `status` over whatever is there (read again and retried if another writer got between). */
  async write(status: WatcherStatus): Promise<void> {
    const data = Buffer.from(`${JSON.stringify(status, null, 2)}\n`);
    for (let attempt = 1; ; attempt++) {
      const found = await this.store.read(this.key);
      try {
        await this.store.write(this.key, data, found?.generation ?? '0');
        return;
      } catch (err) {
        if (!(err instanceof PreconditionFailed) || attempt >= 5) throw err;
      }
    }
  }
}

function parse(data: Buffer): WatcherStatus | undefined {
  try {
    const s = JSON.parse(data.toString()) as WatcherStatus;
    return s.formatVersion === 1 && s.lastCycle && typeof s.lastCycle.finishedAt === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export interface WatcherHealth {
  /** How long ago the last cycle finished. */
  ageMs: number;
  /** Older than two intervals: the watcher has missed at least one cycle. */
  stale: boolean;
  /** One line for people. */
  summary: string;
  warning?: string;
}

const human = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
};

/** How the watcher is doing, as of `now`. */
export function watcherHealth(status: WatcherStatus, now: number): WatcherHealth {
  const c = status.lastCycle;
  const ageMs = Math.max(0, now - Date.parse(c.finishedAt));
  const stale = ageMs > 2 * status.intervalMs;
  const counts =
    c.outcome === 'failed'
      ? `failed: ${c.error ?? 'unknown error'}`
      : `drift ${c.driftFound}, corrected ${c.corrected}, reported ${c.reported}, failed ${c.failed}, backing off ${c.backingOff}`;
  const summary = `last cycle ${human(ageMs)} ago (${c.finishedAt}, ${human(c.durationMs)} long, musectl ${status.musectlVersion}): ${counts}`;
  const warning = stale
    ? `the watcher's last cycle is ${human(ageMs)} old, more than two intervals (${human(status.intervalMs)} each): it is not running; check its schedule (paused?) and its executions`
    : c.outcome === 'failed'
      ? `the watcher's last cycle failed: ${c.error ?? 'unknown error'}`
      : undefined;
  return { ageMs, stale, summary, ...(warning ? { warning } : {}) };
}
