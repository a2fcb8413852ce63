// One writer per stack: a lease object next to the inventory. Taken by creating it only if absent
// (or replacing an expired one at its generation), renewed while the work runs, released at the
// end. A holder that died stops renewing, and its lease expires.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from '../errors.js';
import { sleep } from '../gcp/retry.js';
import { PreconditionFailed, type StateStore } from './store.js';

export interface LeaseRecord {
  holder: string;
  /** Who, for people: host, pid, command. */
  description: string;
  acquiredAt: string;
  expiresAt: string;
}

/** How long a lease lasts between renewals: long enough to ride out a slow call. One value for every writer. */
export const LEASE_TTL_MS = 60_000;

export interface LeaseOptions {
  /** How long the lease lasts without renewal (default LEASE_TTL_MS). */
  ttlMs?: number;
  /** How long to wait for a lease someone else holds (0: fail at once). */
  waitMs: number;
  /** Called while waiting, with the current holder. */
  onWait?: (holder: LeaseRecord) => void;
  what?: string;
}

export const leaseKey = (project: string, stack: string): string => `${project}.${stack}.lease.json`;

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
  static async acquire(store: StateStore, who: { project: string; stack: string }, opts: LeaseOptions): Promise<Lease> {
    const { project, stack } = who;
    const ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
    const key = leaseKey(project, stack);
    const holder = randomUUID();
    const description = `${opts.what ?? 'musectl'} (pid ${process.pid} on ${hostname()})`;
    const deadline = Date.now() + opts.waitMs;
    let delay = 200;
    for (;;) {
      const now = Date.now();
      const record: LeaseRecord = { holder, description, acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString() };
      const current = await store.read(key);
      const held = current ? (JSON.parse(current.data.toString()) as LeaseRecord) : undefined;
      if (held?.holder === holder) return new Lease(store, key, held, current!.generation, ttlMs); // our own write whose answer was lost
      if (!held || Date.parse(held.expiresAt) <= now) {
        try {
          const generation = await store.write(key, Buffer.from(JSON.stringify(record)), current?.generation ?? '0');
          const lease = new Lease(store, key, record, generation, ttlMs);
          lease.startRenewing();
          return lease;
        } catch (err) {
          if (!(err instanceof PreconditionFailed)) throw err;
          continue; // someone else got there first: look again
        }
      }
      if (Date.now() >= deadline) {
        throw new UserError(
          `stack ${stack} of project ${project} is locked by ${held.description} since ${held.acquiredAt} (lease expires ${held.expiresAt}, in ${store.describe()})`,
          'Wait for it to finish, or run again with --lock-timeout 5m to wait. A holder that died lets go when its lease expires.',
        );
      }
      opts.onWait?.(held);
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(delay * 2, 5_000);
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
      if (err instanceof PreconditionFailed) throw new Error(`the lease on ${this.key} was taken over by someone else (it had expired)`);
      throw err;
    }
  }

  /** Throws if a renewal found the lease taken over: a writer must stop. */
  check(): void {
    if (this.lost) throw this.lost;
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
