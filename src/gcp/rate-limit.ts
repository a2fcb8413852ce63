// Client-side rate limits at Google's default quotas, so a large apply slows itself down instead
// of collecting 429s. A token bucket per quota: a minute's worth of burst, refilled evenly.
import { sleep } from './retry.js';
import { whileWaiting } from './waiting-room.js';

export interface QuotaSpec {
  perMinute: number;
  /** Calls allowed at once before the steady rate applies (default: a minute's worth). */
  burst?: number;
}

/** Google's default write quotas that a big apply can reach (gcp-api-facts.md). */
export const DEFAULT_QUOTAS = {
  'run.write': { perMinute: 60 },
  'run.read': { perMinute: 1000 },
  'iam.write': { perMinute: 600 },
  'iam.read': { perMinute: 6000 },
  'secretmanager.write': { perMinute: 600 },
  'secretmanager.read': { perMinute: 600 },
  'secretmanager.access': { perMinute: 90_000 },
  // Cloud Storage: about one bucket create/delete every 2 s per project.
  'storage.bucketCreateDelete': { perMinute: 30, burst: 1 },
  // and about one metadata update per second per bucket.
  'storage.bucketUpdate': { perMinute: 60, burst: 1 },
  'storage.read': { perMinute: 5000 },
  'storage.objects': { perMinute: 5000 },
  'resourcemanager.write': { perMinute: 600 },
  'resourcemanager.read': { perMinute: 600 },
  'artifactregistry.request': { perMinute: 60_000 },
  'serviceusage.write': { perMinute: 180 },
  'serviceusage.read': { perMinute: 2400 },
  // Cloud Scheduler "Quotas and limits": per project, reads include ListJobs and GetJob, writes
  // CreateJob, UpdateJob, DeleteJob, PauseJob, ResumeJob and RunJob.
  'cloudscheduler.read': { perMinute: 1250 },
  'cloudscheduler.write': { perMinute: 500 },
} as const satisfies Record<string, QuotaSpec>;

/** A quota musectl charges calls to: a typo is a compile error, not a failure at run time. */
export type QuotaKey = keyof typeof DEFAULT_QUOTAS;

class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
  ) {
    this.tokens = capacity;
  }

  /** Takes a token if one is there now and nobody is queued before us. */
  tryTake(): boolean {
    if (this.waiting > 0) return false;
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  async take(): Promise<void> {
    this.waiting++;
    try {
      await this.takeInTurn();
    } finally {
      this.waiting--;
    }
  }

  private takeInTurn(): Promise<void> {
    // Chained so waiters are served in order.
    const next = this.queue.then(async () => {
      for (;;) {
        const now = Date.now();
        this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
        this.last = now;
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await sleep(Math.ceil((1 - this.tokens) / this.perMs));
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly quotas: Record<string, QuotaSpec> = DEFAULT_QUOTAS) {}

  /** Waits until a call against `quota` in `scope` (project, region) is within the limit. */
  async acquire(quota: QuotaKey, scope: string): Promise<void> {
    const spec = this.quotas[quota];
    if (!spec) throw new Error(`no rate limit defined for ${quota}`);
    const key = `${quota}|${scope}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(spec.burst ?? spec.perMinute, spec.perMinute / 60_000);
      this.buckets.set(key, bucket);
    }
    if (bucket.tryTake()) return;
    // Waiting for a token, the action's parallelism slot is free for others (waiting-room.ts).
    await whileWaiting(() => bucket.take());
  }
}
