// Waiting on a long-running operation with our own polls, so each poll is a call like any other:
// rate-limited, retried on 429, 503 and dropped connections (gax's own poller gives up on the
// first transport error, and one 429 on a poll failed a whole rollout). The polls back off from
// 100 ms by x1.3 as gax's do (gcp-api-facts.md section 0), capped at 5 s so a finished rollout is seen
// soon, and give up after an hour. While it waits, the action's --parallelism slot is free for
// others (waiting-room.ts): the slot bounds calls in flight, and a rollout is mostly waiting.
import type { ApiCaller, CallInfo } from './api-call.js';
import type { QuotaKey } from './rate-limit.js';
import { sleep } from './retry.js';
import { whileWaiting } from './waiting-room.js';

/** What of a gax Operation the poller uses. */
export interface PollableOperation {
  name?: string;
  latestResponse?: { done?: boolean | null; name?: string | null };
  getOperation(): Promise<unknown>;
}

export interface WaitOptions {
  /** Quota each poll counts against (a read of the API). */
  quota: QuotaKey;
  scope: string;
  what: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
}

export class OperationTimeout extends Error {}

/** The operation's result once it is done; rejects with the operation's error if it failed. */
export function waitForOperation<T>(api: ApiCaller, operation: PollableOperation, opts: WaitOptions): Promise<T> {
  return whileWaiting(() => poll<T>(api, operation, opts));
}

async function poll<T>(api: ApiCaller, operation: PollableOperation, opts: WaitOptions): Promise<T> {
  const info: CallInfo = { quota: opts.quota, scope: opts.scope, what: `wait for ${opts.what}` };
  const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
  let delay = opts.initialDelayMs ?? 100;
  const cap = opts.maxDelayMs ?? 5_000;
  for (;;) {
    if (operation.latestResponse?.done) {
      // Done already: getOperation answers from what it has (and rejects with the operation's error).
      const [result] = (await operation.getOperation()) as [T];
      return result;
    }
    if (Date.now() > deadline) throw new OperationTimeout(`${opts.what} did not finish within ${Math.round((opts.timeoutMs ?? 3_600_000) / 60_000)} minutes`);
    await sleep(delay);
    delay = Math.min(cap, delay * 1.3);
    const [result, , raw] = (await api.call(info, () => operation.getOperation())) as [T, unknown, { done?: boolean } | undefined];
    if (raw?.done) return result;
  }
}
