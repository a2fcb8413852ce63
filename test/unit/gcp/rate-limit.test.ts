// The client-side rate limiter: a burst, then the steady rate of the quota, waiters in order, and a
// caller waiting for a token giving its apply slot back meanwhile.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/gcp/rate-limit.js';
import { waitingRoom } from '../../../src/gcp/waiting-room.js';
import { recordingSlot } from '../../support/recording-slot.js';

describe('RateLimiter', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('lets a burst through at once, then one call per 60000/perMinute ms', async () => {
    const limiter = new RateLimiter({ 'run.write': { perMinute: 60, burst: 2 } } as any);
    const times: number[] = [];
    const calls = Array.from({ length: 4 }, () => limiter.acquire('run.write', 'projects/p/locations/r').then(() => times.push(Date.now())));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(calls);
    expect(times).toEqual([0, 0, 1_000, 2_000]);
  });

  it('keeps a bucket per quota and scope', async () => {
    const limiter = new RateLimiter({ 'run.write': { perMinute: 60, burst: 1 } } as any);
    const times: number[] = [];
    const calls = ['r1', 'r2', 'r1'].map((r) => limiter.acquire('run.write', r).then(() => times.push(Date.now())));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(calls);
    expect(times).toEqual([0, 0, 1_000]);
  });

  it('a caller that must wait gives its slot back and takes it again before the call', async () => {
    const limiter = new RateLimiter({ 'storage.bucketCreateDelete': { perMinute: 30, burst: 1 } } as any);
    await limiter.acquire('storage.bucketCreateDelete', 'p');
    const events: string[] = [];
    const slot = recordingSlot(events, 'released', 'reacquired');
    const waiting = waitingRoom.run(slot, () => limiter.acquire('storage.bucketCreateDelete', 'p').then(() => events.push(`token at ${Date.now()}`)));
    await vi.advanceTimersByTimeAsync(3_000);
    await waiting;
    expect(events).toEqual(['released', 'reacquired', 'token at 2000']);
  });

  it('refuses a quota it has no limit for', async () => {
    await expect(new RateLimiter({} as any).acquire('run.write', 'p')).rejects.toThrow('no rate limit defined for run.write');
  });
});
