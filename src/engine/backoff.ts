// Failures back off per resource: exponential, capped, so one broken resource neither blocks the
// others nor burns the quota cycle after cycle.
export class Backoff {
  private readonly failures = new Map<string, { count: number; until: number; error: string }>();

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resources to leave alone this cycle, with why. */
  holding(): Map<string, string> {
    const out = new Map<string, string>();
    const now = this.now();
    for (const [key, f] of this.failures) {
      if (f.until > now)
        out.set(key, `backing off after ${f.count} failure${f.count === 1 ? '' : 's'} until ${new Date(f.until).toISOString()} (last: ${f.error})`);
    }
    return out;
  }

  failed(key: string, error: string): void {
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const delay = Math.min(this.capMs, this.baseMs * 2 ** (count - 1));
    // Up to a fifth earlier or later, so resources that failed together do not retry together.
    const jitter = delay * (Math.random() * 0.4 - 0.2);
    this.failures.set(key, { count, until: this.now() + delay + jitter, error });
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** What it holds, to be kept between processes (a watcher that runs one cycle per execution). */
  snapshot(): Record<string, { failures: number; until: string; error: string }> {
    return Object.fromEntries([...this.failures].map(([key, f]) => [key, { failures: f.count, until: new Date(f.until).toISOString(), error: f.error }]));
  }

  /** Takes over what an earlier process held (its snapshot): a resource whose wait ran out keeps its count, so the next wait doubles. */
  restore(saved: Record<string, { failures: number; until: string; error: string }>): void {
    for (const [key, f] of Object.entries(saved)) {
      const until = Date.parse(f.until);
      if (Number.isFinite(until) && f.failures > 0 && !this.failures.has(key)) this.failures.set(key, { count: f.failures, until, error: f.error });
    }
  }
}
