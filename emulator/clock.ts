// The emulator's one source of time. Every timestamp, quota window, consistency window, operation
// deadline and timer in emulator/ reads this clock, so a test can move time instead of sleeping:
// `startEmulator({clock: new ManualClock()})` then `clock.advance(ms)`, or over HTTP
// `POST /_emulator/clock/advance {"seconds": N}` on any clock.
//
// Two kinds: SystemClock follows the wall clock plus whatever it was advanced by (the default, so
// `npm start` behaves in real time); ManualClock stands still until advanced. Timers (`setTimer`,
// `sleep`) fire when the clock reaches their time, whether it got there by waiting or by advance,
// so any API module (a rollout, a Cloud Scheduler job) can schedule work on it.

export interface Timer {
  cancel(): void;
}

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export abstract class Clock {
  private timers: PendingTimer[] = [];
  private seq = 0;

  /** Milliseconds since the epoch, as Date.now() would say on this clock. */
  abstract now(): number;

  /** Moves the clock forward by `ms`; timers that come due fire, earliest first. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`clock: cannot advance by ${ms} ms`);
    this.moveBy(ms);
    this.fireDue();
  }

  /** The current time as an RFC 3339 timestamp with milliseconds (what Google's APIs answer). */
  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Runs `fn` once this clock reaches now + ms. */
  setTimer(ms: number, fn: () => void): Timer {
    const timer: PendingTimer = { due: this.now() + Math.max(0, ms), seq: ++this.seq, fn, cancelled: false };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    // A timer already due fires on the next turn, on a manual clock too.
    if (timer.due <= this.now()) queueMicrotask(() => this.fireDue());
    else this.rearm();
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
        this.rearm();
      },
    };
  }

  /** Resolves once this clock reaches now + ms. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Cancels every pending timer (the emulator is closing). */
  stop(): void {
    for (const t of this.timers) t.cancelled = true;
    this.timers = [];
    this.rearm();
  }

  protected abstract moveBy(ms: number): void;

  /** Makes sure the earliest timer fires on time without an advance (wall-clock clocks only). */
  protected abstract rearm(): void;

  protected get nextDue(): number | undefined {
    return this.timers[0]?.due;
  }

  protected fireDue(): void {
    const now = this.now();
    while (this.timers.length > 0 && this.timers[0].due <= now) {
      const timer = this.timers.shift()!;
      if (!timer.cancelled) timer.fn();
    }
    this.rearm();
  }
}

/** Wall-clock time plus an offset that advance() grows. */
export class SystemClock extends Clock {
  private offsetMs = 0;
  private handle: NodeJS.Timeout | undefined;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  protected moveBy(ms: number): void {
    this.offsetMs += ms;
  }

  protected rearm(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    const due = this.nextDue;
    if (due === undefined) return;
    // unref: a pending timer never keeps a process alive on its own (the server does that).
    this.handle = setTimeout(() => this.fireDue(), Math.max(0, due - this.now()));
    this.handle.unref();
  }
}

/** Time that stands still until advance() moves it; starts at `startMs` (now, by default). */
export class ManualClock extends Clock {
  private current: number;

  constructor(startMs: number = Date.now()) {
    super();
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  protected moveBy(ms: number): void {
    this.current += ms;
  }

  protected rearm(): void {
    // Nothing fires on its own: only advance() moves a manual clock.
  }
}
