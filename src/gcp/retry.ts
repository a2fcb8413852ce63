// Retries with exponential backoff and full jitter (AWS's "full jitter"; what Google's client
// guidance recommends), honouring Retry-After. By default only what Google says is retryable is
// retried; a caller that waits for something else (a new account to become visible, a lock to be
// free, a policy to stop changing) says what with `retryOn`, and bounds it by attempts or a deadline.
// Every backoff loop in musectl is this one.
import { errorMessage, isRetryable, retryAfterMs } from './errors.js';

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  capMs?: number;
  /** Which errors are worth another attempt (default: what Google says is retryable). */
  retryOn?: (err: unknown) => boolean;
  /** No attempt starts after this time (ms since the epoch). */
  deadline?: number;
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
      const retryable = (opts.retryOn ?? isRetryable)(err);
      const backoff = random() * Math.min(cap, base * 2 ** (attempt - 1));
      const delayMs = Math.max(backoff, retryAfterMs(err) ?? 0);
      const late = opts.deadline !== undefined && Date.now() + delayMs > opts.deadline;
      if (!retryable || attempt >= attempts || late) {
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
      opts.onRetry?.({ attempt, delayMs, error: errorMessage(err) });
      await (opts.sleep ?? sleep)(delayMs);
    }
  }
}
