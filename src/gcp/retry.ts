// Retries with exponential backoff and full jitter (AWS's "full jitter"; what Google's client
// guidance recommends), honouring Retry-After. Only what Google says is retryable is retried.
import { errorMessage, isRetryable, retryAfterMs } from './errors.js';

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  capMs?: number;
  /** Extra errors worth retrying here (e.g. a service account not yet visible). */
  alsoRetry?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: string }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 8;
  const base = opts.baseMs ?? 250;
  const cap = opts.capMs ?? 30_000;
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retryable = isRetryable(err) || Boolean(opts.alsoRetry?.(err));
      if (!retryable || attempt >= attempts) {
        // The final error says how hard we tried (errorMessage shows it).
        if (retryable && attempt > 1 && err !== null && typeof err === 'object') {
          try {
            Object.defineProperty(err, 'attempts', { value: attempt, configurable: true });
          } catch {
            // a frozen error: it goes as it is
          }
        }
        throw err;
      }
      const backoff = random() * Math.min(cap, base * 2 ** (attempt - 1));
      const delayMs = Math.max(backoff, retryAfterMs(err) ?? 0);
      opts.onRetry?.({ attempt, delayMs, error: errorMessage(err) });
      await (opts.sleep ?? sleep)(delayMs);
    }
  }
}
