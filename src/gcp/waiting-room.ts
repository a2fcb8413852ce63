// What an action gives up while it waits. apply runs each action in one of `--parallelism` slots,
// and the slot bounds the calls in flight, not the waiting: an action waiting for a quota token,
// or for a long-running operation (a Cloud Run rollout) to finish, lets another action start
// meanwhile (ten bucket creates at one per 2 s, or twelve rollouts of a minute each, would
// otherwise hold every slot while nothing is sent). Unlike Terraform's -parallelism, which counts
// whole resource applies, the provider's waits included.
import { AsyncLocalStorage } from 'node:async_hooks';

/** The slot of the action this code runs for (set by apply; absent outside it). */
export interface HeldSlot {
  /** Gives the slot up while `wait` runs and takes one back (before new actions start) after. */
  without<T>(wait: () => Promise<T>): Promise<T>;
}

export const waitingRoom = new AsyncLocalStorage<HeldSlot>();

/** Runs `wait` without holding the current action's slot (if it holds one). */
export function whileWaiting<T>(wait: () => Promise<T>): Promise<T> {
  const slot = waitingRoom.getStore();
  return slot ? slot.without(wait) : wait();
}
