// One writer per stack: a lease object next to the inventory. Taken by creating it only if absent
// (or replacing an expired one at its generation), renewed while the work runs, released at the
// end. A holder that died stops renewing, and its lease expires.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from '../errors.js';
import { withRetry } from '../gcp/retry.js';
import { describeStack, PreconditionFailed, type StackIdentity, type StateStore, stateStem } from './store.js';

export interface LeaseRecord {
  holder: string;
  /** Who, for people: host, pid, command. */
  description: string;
  acquiredAt: string;
  expiresAt: string;
}

/**
 * How long a lease lasts between renewals: long enough to ride out a slow call. One value for every
 * writer; MUSECTL_LEASE_TTL_MS changes it (tests of an expired lease use a few seconds).
 */
export const LEASE_TTL_MS = Number(process.env.MUSECTL_LEASE_TTL_MS) > 0 ? Number(process.env.MUSECTL_LEASE_TTL_MS) : 60_000;

export interface LeaseOptions {
  /** How long the lease lasts without renewal (default LEASE_TTL_MS). */
  ttlMs?: number;
  /** How long to wait for a lease someone else holds (0: fail at once). */
  waitMs: number;
  /** Called while waiting, with the current holder. */
  onWait?: (holder: LeaseRecord) => void;
  what?: string;
}

export const leaseKey = (who: StackIdentity): string => `${stateStem(who)}.lease.json`;

/** Someone else holds the lease (while acquiring: wait, or give up naming them). */
class LeaseHeld extends Error {
  constructor(readonly held: LeaseRecord) {
    super(`the lease is held by ${held.description}`);
  }
}

/** The lease is no longer this writer's: it must stop writing. */
export class LeaseLost extends UserError {
  constructor(message: string) {
    super(message, 'Nothing more was written. Run apply again: it plans from what Google holds now.');
  }
}

/** The lease object at `key` and its generation, if there is one. */
async function readLease(store: StateStore, key: string): Promise<{ record: LeaseRecord; generation: string } | undefined> {
  const current = await store.read(key);
  if (!current) return undefined;
  return { record: JSON.parse(current.data.toString()) as LeaseRecord, generation: current.generation };
}

/** Who holds a stack's lease, if anyone (for musectl unlock and messages). */
export function inspectLease(store: StateStore, who: StackIdentity): Promise<{ record: LeaseRecord; generation: string } | undefined> {
  return readLease(store, leaseKey(who));
}

/** Removes a lease someone else holds, if it is still the one that was shown (same generation). */
export async function breakLease(store: StateStore, who: StackIdentity, generation: string): Promise<void> {
  await store.delete(leaseKey(who), generation);
}

/**
 * The generation of the lease object when it holds exactly `record` (its holder's write, whose
 * answer was lost), else undefined (another's, none, or not a lease record at all).
 */
async function ownWrite(store: StateStore, key: string, record: LeaseRecord): Promise<string | undefined> {
  let now: Awaited<ReturnType<typeof readLease>>;
  try {
    now = await readLease(store, key);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  return now?.record.holder === record.holder && now.record.expiresAt === record.expiresAt ? now.generation : undefined;
}

export class Lease {
  private generation: string;
  private timer?: NodeJS.Timeout;
  private lost?: Error;

  private constructor(
    private readonly store: StateStore,
    private readonly key: string,
    readonly record: LeaseRecord,
    generation: string,
    private readonly ttlMs: number,
  ) {
    this.generation = generation;
  }

  /** Takes the stack's lease, waiting up to `waitMs` for the holder to let go; fails naming the holder. */
  static async acquire(store: StateStore, who: StackIdentity, opts: LeaseOptions): Promise<Lease> {
    const ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
    const key = leaseKey(who);
    const holder = randomUUID();
    const description = `${opts.what ?? 'musectl'} (pid ${process.pid} on ${hostname()})`;
    const attempt = async (): Promise<Lease> => {
      const now = Date.now();
      const record: LeaseRecord = { holder, description, acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
      const current = await readLease(store, key);
      const held = current?.record;
      if (current && held?.holder === holder) return new Lease(store, key, held, current.generation, ttlMs); // our own write whose answer was lost
      if (held && Date.parse(held.expiresAt) > now) {
        opts.onWait?.(held);
        throw new LeaseHeld(held);
      }
      // Free, or expired: take it at the generation we read (someone faster makes this PreconditionFailed).
      let generation: string;
      try {
        generation = await store.write(key, Buffer.from(JSON.stringify(record)), current?.generation ?? '0');
      } catch (err) {
        if (!(err instanceof PreconditionFailed)) throw err;
        // A write whose answer was lost and which the store took is refused when sent again (it is
        // no longer at the generation read): whether it is ours is in what is there now.
        const now = await ownWrite(store, key, record);
        if (!now) throw err;
        generation = now;
      }
      const lease = new Lease(store, key, record, generation, ttlMs);
      lease.startRenewing();
      return lease;
    };
    try {
      return await withRetry(attempt, {
        retryOn: (err) => err instanceof LeaseHeld || err instanceof PreconditionFailed,
        deadline: Date.now() + opts.waitMs,
        attempts: Number.POSITIVE_INFINITY,
        baseMs: 200,
        capMs: 5_000,
      });
    } catch (err) {
      if (err instanceof PreconditionFailed) {
        throw new UserError(
          `${describeStack(who)}: its lock changed while this run took it (another run took or let go of it at the same moment, in ${store.describe()})`,
          'Run again; with --lock-timeout 5m a run waits for the other to finish.',
        );
      }
      if (!(err instanceof LeaseHeld)) throw err;
      const { held } = err;
      throw new UserError(
        `${describeStack(who)} is locked by ${held.description} since ${held.acquiredAt} (lease expires ${held.expiresAt}, in ${store.describe()})`,
        'Wait for it to finish, or run again with --lock-timeout 5m to wait. A holder that died lets go when its lease expires (or release it with musectl unlock).',
      );
    }
  }

  private startRenewing(): void {
    // Renew at a third of the lifetime: two renewals can fail before the lease runs out.
    this.timer = setInterval(
      () => {
        this.renew().catch((err) => {
          this.lost = err instanceof Error ? err : new Error(String(err));
        });
      },
      Math.max(1_000, this.ttlMs / 3),
    );
    this.timer.unref();
  }

  async renew(): Promise<void> {
    const record = { ...this.record, expiresAt: new Date(Date.now() + this.ttlMs).toISOString() };
    try {
      this.generation = await this.store.write(this.key, Buffer.from(JSON.stringify(record)), this.generation);
      this.record.expiresAt = record.expiresAt;
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
      // Our renewal may have been taken with its answer lost, and its retry refused.
      const now = await ownWrite(this.store, this.key, record);
      if (!now) throw new LeaseLost(`the stack's lock (${this.key}) was taken over by another writer after it ran out`);
      this.generation = now;
      this.record.expiresAt = record.expiresAt;
    }
  }

  /**
   * Throws when the lease may no longer be ours: a renewal found it taken over, or, by the clock,
   * it ran out since the last renewal that succeeded (the process was paused, e.g. SIGSTOP, or
   * could not reach the store). A writer calls this before every write and stops when it throws.
   */
  check(now = Date.now()): void {
    if (this.lost) throw this.lost;
    const expires = Date.parse(this.record.expiresAt);
    if (now >= expires - Math.min(5_000, this.ttlMs / 10)) {
      throw new LeaseLost(
        `the stack's lock ran out at ${this.record.expiresAt} before it could be renewed (was this process paused?); another writer may hold it now`,
      );
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      await this.store.delete(this.key, this.generation);
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err; // taken over after expiry: not ours to delete
    }
  }
}
