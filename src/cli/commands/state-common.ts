// What the state commands share: their flags, and running under the stack's lease.
import { openSession, type Session } from '../../engine/session.js';
import { Lease } from '../../state/lease.js';
import type { FlagSpec, ParsedArgs } from '../command.js';
import { ownershipFlags, reportInvalid, targetFlags } from '../engine-flags.js';
import type { Output } from '../output.js';
import { sessionOptionsFrom } from '../session-options.js';
import { manifestFlags } from '../stack-flags.js';
import { durationFlag } from './apply.js';

/** The flags every state command takes: which stack (its manifests), which target, where its state is. */
export const stateFlags: Record<string, FlagSpec> = {
  ...manifestFlags,
  ...targetFlags,
  state: ownershipFlags.state,
  'lock-timeout': {
    type: 'string',
    value: 'DURATION',
    description: "Wait this long for the stack's lock (an apply or watch holding it), e.g. 30s, 5m",
    default: '0s',
  },
};

/**
 * Opens the stack's session and holds its lease while `work` runs; prints invalid manifests and
 * returns 1 for them. The lease is released, and the clients closed, whatever happens.
 */
export async function underStackLease(args: ParsedArgs, out: Output, what: string, work: (session: Session, lease: Lease) => Promise<number>): Promise<number> {
  const waitMs = durationFlag(args, 'lock-timeout');
  let session: Session;
  try {
    session = await openSession(sessionOptionsFrom(args, { writes: true }));
  } catch (err) {
    return reportInvalid(err, out);
  }
  let lease: Lease | undefined;
  try {
    lease = await Lease.acquire(session.store, session.who, {
      waitMs,
      what: `musectl ${what}`,
      onWait: (h) => out.err(out.color.dim(`waiting for the stack's lock, held by ${h.description} since ${h.acquiredAt}...\n`)),
    });
    return await work(session, lease);
  } finally {
    await lease?.release().catch(() => undefined); // it expires by itself
    await session.close();
  }
}
