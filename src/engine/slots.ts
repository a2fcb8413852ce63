// The `--parallelism` slots of an apply. A free slot goes to the waiting action of the highest
// priority (schedule.ts), ties in the order they asked; an action coming back from a wait (a
// quota token, a long-running operation: waiting-room.ts) goes before any that has not started,
// so what is under way finishes first. A slot freed, or asked for, is handed out once the
// current turn of the event loop is over, so everything that became ready in it competes.
import type { HeldSlot } from '../gcp/waiting-room.js';

/** The priority of an action resuming after a wait: before every new one. */
export const RESUMING = Number.POSITIVE_INFINITY;

interface Waiter {
  priority: number;
  seq: number;
  grant: () => void;
}

export class Slots {
  private readonly queue: Waiter[] = []; // highest priority first, then first come
  private seq = 0;
  private dispatching = false;

  constructor(private free: number) {}

  acquire(priority: number): Promise<void> {
    return new Promise((grant) => {
      const waiter = { priority, seq: ++this.seq, grant };
      let i = this.queue.length;
      while (i > 0 && this.queue[i - 1].priority < priority) i--;
      this.queue.splice(i, 0, waiter);
      this.dispatchSoon();
    });
  }

  release(): void {
    this.free++;
    this.dispatchSoon();
  }

  /** How many wait for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  private dispatchSoon(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    setImmediate(() => {
      this.dispatching = false;
      while (this.free > 0 && this.queue.length > 0) {
        this.free--;
        this.queue.shift()!.grant();
      }
    });
  }
}

/**
 * The slot one action runs in, given up while it waits (HeldSlot.without). Several waits of the
 * action at once (calls it makes in parallel) give it up once, and it is taken back when the
 * last of them is over.
 */
export class ActionSlot implements HeldSlot {
  private held = true;
  private away = 0;
  private back?: Promise<void>;

  constructor(private readonly slots: Slots) {}

  async without<T>(wait: () => Promise<T>): Promise<T> {
    this.away++;
    if (this.held) {
      this.held = false;
      this.slots.release();
    }
    try {
      return await wait();
    } finally {
      this.away--;
      if (this.away === 0 && !this.held) {
        this.back ??= this.slots.acquire(RESUMING).then(() => {
          this.held = true;
          this.back = undefined;
        });
      }
      await this.back; // taken back, unless another wait of this action still goes on
    }
  }

  /** Gives the slot back for good (the action is over). */
  async done(): Promise<void> {
    await this.back;
    if (this.held) {
      this.held = false;
      this.slots.release();
    }
  }
}
