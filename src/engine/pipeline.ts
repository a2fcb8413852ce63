// Applying a plan with the stack's inventory kept true, as one pipeline of steps (after
// cli-utils' applier and its task queue): record the intent (what is about to be created is
// written as pending, so a crash mid-apply still knows it may be ours), apply in dependency order,
// record the outcome (what was done, deleted, abandoned or found gone). Every call and every
// inventory write happens only while the stack's lease is still held by the clock. apply, up and
// watch all run this one pipeline; tests run it too.
import { UserError } from '../errors.js';
import { entryKey } from '../state/inventory.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { stackOutputValues, withValues } from './outputs.js';
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
  const inManifests = namedKeys(session, planned);
  const vanished = vanishedEntries(inventory.entries, (e) => Boolean(observed.listed.get(e.kind)?.has(e.id)), inManifests);
  await recordOutcome(session.inventory, exec, result, session.controllers, session.ctx, vanished, session.set.stack, session.projectNumber);
  return result;
}

/**
 * Whether the inventory needs writing although the plan changes nothing in Google Cloud: a pending
 * entry to confirm or drop, an entry without the evidence its resource now offers, one to forget
 * or rename, one whose resource is gone, outputs that changed (a service's URL) since they were
 * recorded, or a project number it does not record yet.
 */
export function inventoryOutdated(session: Session, planned: Planned): boolean {
  const { exec, inventory, observed } = planned;
  const inManifests = namedKeys(session, planned);
  if (vanishedEntries(inventory.entries, (e) => Boolean(observed.listed.get(e.kind)?.has(e.id)), inManifests).length > 0) return true;
  if ([...exec.context.values()].some((c) => c.forget || c.movedFrom)) return true; // an entry to drop or to rename
  if (session.projectNumber && inventory.projectNumber !== session.projectNumber) return true; // the next plan starts with it
  const outdated = inventory.entries.some((e) => {
    if (e.pending || e.previous) return true;
    const key = entryKey(e);
    const live = observed.byKey.get(key);
    if (!live || !inManifests.has(key)) return false;
    return Boolean(live.evidence && !e.evidence) || !sameOutputs(withValues(live.outputs), e.outputs ?? {});
  });
  if (outdated) return true;
  // The Stack's named outputs, as the inventory would record them now.
  const byKey = new Map(inventory.entries.map((e) => [entryKey(e), e]));
  const now = stackOutputValues(session.set.stack.outputs, (key) =>
    observed.byKey.get(key) ? withValues(observed.byKey.get(key)?.outputs) : byKey.get(key)?.outputs,
  );
  return !sameOutputs(now, inventory.outputs ?? {});
}

const namedKeys = (session: Session, planned: Planned): Set<string> => planned.named ?? new Set(session.set.resources.map((r) => r.key));

const sameOutputs = (a: Record<string, string>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
