// Long-running operations (google.longrunning.Operation). An operation is done `durationMs` after
// it starts; when it comes due, the hook its API registered finishes the work (a Cloud Run rollout
// turns the service Ready) and yields the operation's response or error. Due operations are settled
// before every request, so what a client reads is always consistent with the clock.
import { randomUUID } from 'node:crypto';
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
}

export type OperationResult =
  | { response: Record<string, unknown>; metadata?: Record<string, unknown> }
  | { error: { code: number; message: string }; metadata?: Record<string, unknown> };

export type CompletionHook = (arg: any) => OperationResult;

const COLLECTION = 'longrunning.operations';

export class Operations {
  private readonly hooks = new Map<string, CompletionHook>();

  constructor(
    private readonly store: StateStore,
    /** Default duration of a long-running operation (e.g. a Cloud Run rollout). */
    private readonly defaultDurationMs: number,
  ) {}

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
  start(parent: string, opts: { metadata?: Record<string, unknown>; hook?: string; hookArg?: unknown; durationMs?: number; id?: string }): StoredOperation {
    const name = operationName(parent, opts.id ?? randomUUID());
    const op: StoredOperation = {
      name,
      metadata: opts.metadata,
      done: false,
      doneAt: Date.now() + (opts.durationMs ?? this.defaultDurationMs),
      hook: opts.hook,
      hookArg: opts.hookArg,
    };
    this.all[name] = op;
    this.settle(op);
    return op;
  }

  /** A finished operation, for calls that complete synchronously but still answer an Operation. */
  done(parent: string, response: Record<string, unknown>, metadata?: Record<string, unknown>): StoredOperation {
    const name = operationName(parent, randomUUID());
    const op: StoredOperation = { name, metadata, done: true, response, doneAt: Date.now() };
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
  settleDue(now = Date.now()): boolean {
    let changed = false;
    for (const op of Object.values(this.all)) {
      if (!op.done && op.doneAt <= now) changed = this.settle(op, now) || changed;
    }
    return changed;
  }

  /** Milliseconds until the earliest pending operation under `name` is due (for :wait). */
  remainingMs(name: string, now = Date.now()): number {
    const op = this.all[name];
    return op && !op.done ? Math.max(0, op.doneAt - now) : 0;
  }

  private settle(op: StoredOperation, now = Date.now()): boolean {
    if (op.done || op.doneAt > now) return false;
    const hook = op.hook ? this.hooks.get(op.hook) : undefined;
    if (op.hook && !hook) throw new Error(`emulator: no completion hook ${op.hook}`);
    const result: OperationResult = hook ? hook(op.hookArg) : { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
    op.done = true;
    if ('error' in result) op.error = result.error;
    else op.response = result.response;
    if (result.metadata) op.metadata = result.metadata;
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
