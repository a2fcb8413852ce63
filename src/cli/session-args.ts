// What the commands that write share: a session from the command line (invalid manifests printed,
// exit 1), the stack's lease, and applying a plan with progress lines that a signal can stop.
import type { ApplyResult } from '../engine/apply.js';
import { applyWithInventory } from '../engine/pipeline.js';
import { openSession, type Planned, type Session } from '../engine/session.js';
import { progressPrinter, seconds } from '../report/progress.js';
import { Lease } from '../state/lease.js';
import type { ParsedArgs } from './command.js';
import { reportInvalid } from './engine-flags.js';
import type { Interrupt } from './interrupt.js';
import type { Output } from './output.js';
import { sessionOptionsFrom } from './session-options.js';

/** The session, or the exit code (1) after printing why the manifests are invalid. */
export async function sessionFromArgs(args: ParsedArgs, out: Output, opts: { writes?: boolean } = {}): Promise<Session | number> {
  try {
    return await openSession(sessionOptionsFrom(args, { writes: Boolean(opts.writes) }));
  } catch (err) {
    return reportInvalid(err, out);
  }
}

/** Takes the stack's lease for a command that writes, waiting up to `waitMs` (--lock-timeout) and saying so. */
export function acquireLease(session: Session, out: Output, opts: { waitMs: number; what: string }): Promise<Lease> {
  return Lease.acquire(session.store, session.who, {
    waitMs: opts.waitMs,
    what: opts.what,
    onWait: (h) => out.err(out.color.dim(`waiting for the stack's lock, held by ${h.description} since ${h.acquiredAt}...\n`)),
  });
}

/** Applies a plan under the lease with a progress line per resource, starting nothing new after a signal. */
export async function applyWithProgress(
  session: Session,
  planned: Planned,
  out: Output,
  opts: { parallelism: number; lease: Lease; interrupt: Interrupt },
): Promise<{ result: ApplyResult; took: string; attempted: ApplyResult['skipped'] }> {
  const started = Date.now();
  const result = await applyWithInventory(session, planned, {
    parallelism: opts.parallelism,
    listener: progressPrinter(out, session.ctx.log),
    lease: opts.lease,
    shouldStop: () => opts.interrupt.signal !== undefined,
  });
  // Held-back resources were never meant to be attempted; anything else skipped was.
  return { result, took: seconds(Date.now() - started), attempted: result.skipped.filter((s) => !s.action.heldBack) };
}
