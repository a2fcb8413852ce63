// Every call to Google goes through here: the client-side rate limit of its quota, retries of what
// is retryable, and a count of calls (reported per watch cycle and checked by the benchmarks).
import { markCall } from './errors.js';
import type { QuotaKey, RateLimiter } from './rate-limit.js';
import { type RetryOptions, withRetry } from './retry.js';

export interface CallInfo {
  /** Quota the call counts against, e.g. run.write (see rate-limit.ts). */
  quota: QuotaKey;
  /** Scope of the quota: project, or project/region. */
  scope: string;
  /** What the call does, for logs and for the error that escapes it: "create CloudRunService/backend". */
  what: string;
}

export interface RetryEvent {
  what: string;
  attempt: number;
  delayMs: number;
  error: string;
}

/** One attempt of a call, for --log-level debug: what, how long, and how it ended. */
export interface CallEvent {
  what: string;
  attempt: number;
  ms: number;
  /** The error's message when the attempt failed (log lines are scrubbed of secret values). */
  error?: string;
}

export class ApiCaller {
  calls = 0;
  /** Checked before every call while it is set (apply sets the stack's lease check: no write once the lease is lost). */
  guard?: () => void;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly onRetry: (e: RetryEvent) => void = () => undefined,
    /** Awaited before the first call: the target is reachable and has credentials (ClientFactory.ready). */
    private readonly ready: () => Promise<void> = async () => undefined,
    private readonly onCall: (e: CallEvent) => void = () => undefined,
  ) {}

  async call<T>(info: CallInfo, fn: () => Promise<T>, retry: RetryOptions = {}): Promise<T> {
    await this.ready();
    return withRetry(
      async (attempt) => {
        this.guard?.();
        await this.limiter.acquire(info.quota, info.scope);
        this.guard?.();
        this.calls++;
        const start = performance.now();
        const ms = () => Math.round(performance.now() - start);
        try {
          const result = await fn();
          this.onCall({ what: info.what, attempt, ms: ms() });
          return result;
        } catch (err) {
          this.onCall({ what: info.what, attempt, ms: ms(), error: err instanceof Error ? err.message : String(err) });
          throw err;
        }
      },
      {
        ...retry,
        onRetry: (r) => this.onRetry({ what: info.what, ...r }),
      },
    ).catch((err: unknown) => {
      markCall(err, info.what);
      throw err;
    });
  }
}
