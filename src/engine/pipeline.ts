// Applying a plan with the stack's inventory kept true, as one pipeline of steps (after
// cli-utils' applier and its task queue): record the intent (what is about to be created is
// written as pending, so a crash mid-apply still knows it may be ours), apply in dependency order,
// record the outcome (what was done, deleted, abandoned or found gone). Every call and every
// inventory write happens only while the stack's lease is still held by the clock. apply, up and
// watch all run this one pipeline; tests run it too.
import { UserError } from '../errors.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { recordIntent, recordOutcome, vanishedEntries } from './record.js';
import type { Planned, Session } from './session.js';

export async function applyWithInventory(session: Session, planned: Planned, opts: ApplyOptions): Promise<ApplyResult> {
  const { exec, inventory, observed } = planned;
  const { api } = session.ctx;
  const check = () => opts.lease?.check();
  check();
  await recordIntent(session.inventory, exec, session.controllers, session.ctx);
  api.guard = check;
  let result: ApplyResult;
  try {
    result = await applyPlan(exec, session.controllers, session.ctx, opts);
  } finally {
    api.guard = undefined;
  }
  try {
    check();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // The lock went to another writer: what this apply did is said once, and nothing more is written.
    throw new UserError(
      `${err.message.split('\n')[0]}; this apply stopped after ${result.done.length} done, ${result.failed.length} failed, ${result.skipped.length} not attempted, and did not write the inventory (the next apply resolves it)`,
      'Run apply again: it plans from what Google holds now.',
    );
  }
  const inManifests = new Set(session.set.resources.map((r) => r.key));
  const vanished = vanishedEntries(inventory.entries, (e) => Boolean(observed.listed.get(e.kind)?.has(e.id)), inManifests);
  await recordOutcome(session.inventory, exec, result, session.controllers, session.ctx, vanished);
  return result;
}

/**
 * Whether the inventory needs writing although the plan changes nothing in Google Cloud: a pending
 * entry to confirm or drop, an entry without the evidence its resource now offers, one to forget
 * or rename, or one whose resource is gone.
 */
export function inventoryOutdated(session: Session, planned: Planned): boolean {
  const { exec, inventory, observed } = planned;
  const inManifests = new Set(session.set.resources.map((r) => r.key));
  if (vanishedEntries(inventory.entries, (e) => Boolean(observed.listed.get(e.kind)?.has(e.id)), inManifests).length > 0) return true;
  if ([...exec.context.values()].some((c) => c.forget || c.movedFrom)) return true; // an entry to drop or to rename
  return inventory.entries.some((e) => {
    if (e.pending || e.previous) return true;
    const live = observed.byKey.get(`${e.kind}/${e.name}`);
    return Boolean(live?.evidence && !e.evidence && inManifests.has(`${e.kind}/${e.name}`));
  });
}
