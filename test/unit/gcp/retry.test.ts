// withRetry: what Google says is retryable is retried with full-jitter backoff, Retry-After is
// honoured, anything else fails at once, and the attempts are bounded.
import { describe, expect, it } from 'vitest';
import { withRetry } from '../../../src/gcp/retry.js';

const status = (code: number, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP ${code}`), { code, response: { headers } });

function harness(failures: unknown[]) {
  const sleeps: number[] = [];
  let calls = 0;
  const fn = async () => {
    calls++;
    const next = failures.shift();
    if (next) throw next;
    return 'ok';
  };
  return { fn, sleeps, calls: () => calls, opts: { sleep: async (ms: number) => void sleeps.push(ms), random: () => 1 } };
}

describe('withRetry', () => {
  it('retries 429, 500, 503 and dropped connections, then succeeds', async () => {
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const h = harness([status(429), status(503), status(500), dropped]);
    await expect(withRetry(h.fn, { ...h.opts, baseMs: 100 })).resolves.toBe('ok');
    expect(h.calls()).toBe(5);
    // Full jitter with random() = 1: the cap of each attempt, doubling from the base.
    expect(h.sleeps).toEqual([100, 200, 400, 800]);
  });

  it('fails at once on what is not retryable (a 400, a 404, a 409)', async () => {
    for (const code of [400, 404, 409]) {
      const h = harness([status(code)]);
      await expect(withRetry(h.fn, h.opts)).rejects.toMatchObject({ code });
      expect(h.calls()).toBe(1);
      expect(h.sleeps).toEqual([]);
    }
  });

  it('waits at least what Retry-After says', async () => {
    const h = harness([status(429, { 'retry-after': '7' })]);
    await withRetry(h.fn, { ...h.opts, baseMs: 100 });
    expect(h.sleeps).toEqual([7_000]);
  });

  it('gives up after the given number of attempts', async () => {
    const h = harness(Array.from({ length: 10 }, () => status(503)));
    await expect(withRetry(h.fn, { ...h.opts, attempts: 3 })).rejects.toMatchObject({ code: 503 });
    expect(h.calls()).toBe(3);
    expect(h.sleeps).toHaveLength(2);
  });

  it('never waits longer than the cap between attempts', async () => {
    const h = harness(Array.from({ length: 6 }, () => status(503)));
    await withRetry(h.fn, { ...h.opts, baseMs: 1_000, capMs: 3_000, attempts: 8 });
    expect(Math.max(...h.sleeps)).toBe(3_000);
  });
});
