// Long-running operations (google.longrunning.Operation). An operation is done `durationMs` after
// it starts, on the emulator's clock; when it comes due, the hook its API registered finishes the
// work (a Cloud Run rollout turns the service Ready) and yields the operation's response or error.
// A clock timer settles it at its time; due operations are also settled before every request, so
// what a client reads is always consistent with the clock.
//
// Tests can hold operations (hold(match)): a held operation stays in progress after it comes due,
// until release(), so "in progress" can be seen without sleeping.
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { encodeAny } from './codecs.js';
import type { StateStore } from './state.js';

export interface StoredOperation {
  name: string;
  metadata?: Record<string, unknown>;
  done: boolean;
  response?: Record<string, unknown>;
  error?: { code: number; message: string; details?: unknown[] };
  doneAt: number;
  /** Completion hook id and its argument (plain JSON, so operations survive a restart). */
  hook?: string;
  hookArg?: unknown;
  /** Kept in progress past doneAt until released (a test hook). */
  held?: boolean;
  /** The API that made it (run.googleapis.com, ...): each API sees only its own operations. */
  api?: string;
}

export type OperationResult =
  | { response: Record<string, unknown>; metadata?: Record<string, unknown> }
  | { error: { code: number; message: string }; metadata?: Record<string, unknown> };

export type CompletionHook = (arg: any) => OperationResult;

export interface StartOptions {
  metadata?: Record<string, unknown>;
  hook?: string;
  hookArg?: unknown;
  durationMs?: number;
  id?: string;
}

/** One API's view of the operations (Operations.forApi). */
export interface ApiOperations {
  start(parent: string, opts: StartOptions): StoredOperation;
  done(parent: string, response: Record<string, unknown>, metadata?: Record<string, unknown>): StoredOperation;
  get(name: string): StoredOperation | undefined;
  list(parent: string): StoredOperation[];
  delete(name: string): boolean;
}

const COLLECTION = 'longrunning.operations';

export class Operations {
  private readonly hooks = new Map<string, CompletionHook>();
  /** Substrings of operation names or hook ids whose new operations are held; '' holds all. */
  private readonly holds = new Set<string>();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly store: StateStore,
    /** Default duration of a long-running operation (e.g. a Cloud Run rollout). */
    private readonly defaultDurationMs: number,
    private readonly clock: Clock,
    /** Called after a timer settled operations outside a request (the state file must follow). */
    private readonly onSettled: () => void = () => {},
  ) {}

  /**
   * The operations of one API. Cloud Run's and Artifact Registry's share the name shape
   * projects/P/locations/L/operations/ID; neither lists or finds the other's.
   */
  forApi(api: string): ApiOperations {
    const mine = (op: StoredOperation | undefined) => (op && (op.api === undefined || op.api === api) ? op : undefined);
    return {
      start: (parent, opts) => this.start(parent, { ...opts, api }),
      done: (parent, response, metadata) => this.done(parent, response, metadata, api),
      get: (name) => mine(this.get(name)),
      list: (parent) => this.list(parent).filter((op) => mine(op)),
      delete: (name) => (mine(this.all[name]) ? this.delete(name) : false),
    };
  }

  /** Arms a timer for every pending operation (after the state was loaded from a file). */
  armPending(): void {
    for (const op of Object.values(this.all)) {
      if (!op.done && !op.held) this.clock.setTimer(op.doneAt - this.clock.now(), () => this.settleFromTimer());
    }
  }

  private get all(): Record<string, StoredOperation> {
    return this.store.collection<StoredOperation>(COLLECTION);
  }

  onComplete(hook: string, fn: CompletionHook): void {
    this.hooks.set(hook, fn);
  }

  /**
   * Starts an operation under `parent` (e.g. projects/P/locations/L). With a zero duration it
   * completes before the call that started it returns, as a fast rollout would.
   */
  start(parent: string, opts: StartOptions & { api?: string }): StoredOperation {
    const name = operationName(parent, opts.id ?? randomUUID());
    const durationMs = opts.durationMs ?? this.defaultDurationMs;
    const op: StoredOperation = {
      name,
      metadata: opts.metadata,
      done: false,
      doneAt: this.clock.now() + durationMs,
      hook: opts.hook,
      hookArg: opts.hookArg,
      api: opts.api,
    };
    if (this.isHeld(op)) op.held = true;
    this.all[name] = op;
    this.settle(op);
    if (!op.done && !op.held) this.clock.setTimer(durationMs, () => this.settleFromTimer());
    return op;
  }

  /** Holds operations started from now on whose name or hook contains `match` (all when empty). */
  hold(match = ''): void {
    this.holds.add(match);
  }

  /**
   * Releases the held operation `name` (every held one, and every hold rule, when absent); they
   * complete at once if due. Returns the names released.
   */
  release(name?: string): string[] {
    if (name === undefined) this.holds.clear();
    const released = Object.values(this.all).filter((op) => op.held && (name === undefined || op.name === name));
    for (const op of released) delete op.held;
    if (this.settleDue()) this.onSettled();
    for (const op of released) if (!op.done) this.clock.setTimer(op.doneAt - this.clock.now(), () => this.settleFromTimer());
    return released.map((op) => op.name);
  }

  /** Operations held in progress now. */
  heldNames(): string[] {
    return Object.values(this.all)
      .filter((op) => op.held && !op.done)
      .map((op) => op.name);
  }

  /** Resolves when `name` is done or `maxMs` passed on the clock, whichever comes first (for :wait). */
  async waitFor(name: string, maxMs: number): Promise<void> {
    if (this.get(name)?.done !== false) return;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimer(maxMs, () => finish());
      const check = () => {
        if (this.all[name]?.done !== false) finish();
      };
      const finish = () => {
        timer.cancel();
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private isHeld(op: StoredOperation): boolean {
    for (const match of this.holds) if (match === '' || op.name.includes(match) || (op.hook ?? '').includes(match)) return true;
    return false;
  }

  private settleFromTimer(): void {
    if (this.settleDue()) this.onSettled();
  }

  /** A finished operation, for calls that complete synchronously but still answer an Operation. */
  done(parent: string, response: Record<string, unknown>, metadata?: Record<string, unknown>, api?: string): StoredOperation {
    const name = operationName(parent, randomUUID());
    const op: StoredOperation = { name, metadata, done: true, response, doneAt: this.clock.now(), api };
    this.all[name] = op;
    return op;
  }

  get(name: string): StoredOperation | undefined {
    const op = this.all[name];
    if (op) this.settle(op);
    return op;
  }

  list(parent: string): StoredOperation[] {
    return Object.values(this.all).filter((op) => op.name.startsWith(`${parent}/operations/`));
  }

  delete(name: string): boolean {
    if (!this.all[name]) return false;
    delete this.all[name];
    return true;
  }

  /** Completes every operation that has come due. Returns true if any did. */
  settleDue(now = this.clock.now()): boolean {
    let changed = false;
    for (const op of Object.values(this.all)) {
      if (!op.done && op.doneAt <= now) changed = this.settle(op, now) || changed;
    }
    return changed;
  }

  private settle(op: StoredOperation, now = this.clock.now()): boolean {
    if (op.done || op.held || op.doneAt > now) return false;
    const hook = op.hook ? this.hooks.get(op.hook) : undefined;
    if (op.hook && !hook) throw new Error(`emulator: no completion hook ${op.hook}`);
    const result: OperationResult = hook ? hook(op.hookArg) : { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
    op.done = true;
    if ('error' in result) op.error = result.error;
    else op.response = result.response;
    if (result.metadata) op.metadata = result.metadata;
    for (const wake of [...this.waiters]) wake();
    return true;
  }
}

/**
 * `PARENT/operations/ID`; with an empty parent `operations/ID`, as APIs whose operations are not
 * under a project name them (Service Usage: `operations/acf.p2-NUMBER-UUID`).
 */
function operationName(parent: string, id: string): string {
  return parent ? `${parent}/operations/${id}` : `operations/${id}`;
}

/** The wire form of an operation: Any fields encoded by their @type; proto3 omits done=false. */
export function renderOperation(op: StoredOperation, enumInt: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: op.name };
  if (op.metadata) out.metadata = encodeAny(op.metadata, enumInt);
  if (op.done) out.done = true;
  if (op.error) out.error = op.error;
  if (op.response) out.response = encodeAny(op.response, enumInt);
  return out;
}
