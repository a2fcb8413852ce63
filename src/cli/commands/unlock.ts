// musectl unlock: release a stack's lock that its holder left behind (a process that was killed,
// a runner that vanished), after showing who holds it. A live holder's lease is refused unless
// --force: breaking it lets two writers run at once.
import { openSession, type Session } from '../../engine/session.js';
import { UserError } from '../../errors.js';
import { breakLease, inspectLease } from '../../state/lease.js';
import { describeStack, PreconditionFailed } from '../../state/store.js';
import type { Command } from '../command.js';
import { confirm } from '../confirm.js';
import { reportInvalid, targetFlags } from '../engine-flags.js';
import { sessionOptionsFrom } from '../session-options.js';
import { manifestFlags } from '../stack-flags.js';

export const unlockCommand: Command = {
  name: 'unlock',
  summary: "Release a stack's lock that a stopped apply or watch left behind",
  usage: 'musectl unlock -f PATH... (--project ID | --emulator URL) [--state DIR|gs://B/P] [--yes] [--force]',
  details: `
Shows who holds the stack's lock (host, pid, command, since when, until when) and, after a
confirmation (--yes skips it), removes it. A lock whose lease has not run out yet belongs to a
writer that may still be running: unlock refuses it unless --force. A holder that died lets go by
itself when its lease runs out (a minute); unlock is for not waiting.`,
  flags: {
    ...manifestFlags,
    ...targetFlags,
    state: { type: 'string', value: 'DIR|gs://B/P', description: 'Where the stack keeps its inventory and lock (default: beside the Stack document)' },
    yes: { type: 'boolean', short: 'y', description: 'Release without asking' },
    force: { type: 'boolean', description: 'Release a lock whose lease has not run out yet (its holder may still be writing)' },
  },
  async run(args, out) {
    let session: Session;
    try {
      session = await openSession(sessionOptionsFrom(args, { writes: true }));
    } catch (err) {
      return reportInvalid(err, out);
    }
    try {
      const who = session.who;
      const held = await inspectLease(session.store, who);
      if (!held) {
        out.err(`${capitalized(describeStack(who))} is not locked (${session.store.describe()}).\n`);
        return 0;
      }
      const { record } = held;
      const live = Date.parse(record.expiresAt) > Date.now();
      out.err(
        `${capitalized(describeStack(who))} is locked by ${record.description} since ${record.acquiredAt}; ` +
          `its lease ${live ? 'runs until' : 'ran out at'} ${record.expiresAt} (${session.store.describe()}).\n`,
      );
      if (live && !args.flags.force) {
        throw new UserError(
          'the lease has not run out: its holder may still be writing',
          'Wait for it (apply --lock-timeout 5m waits), or run unlock --force if you know the holder is gone.',
        );
      }
      const yes = await confirm(out, { yes: Boolean(args.flags.yes), what: 'unlock', question: 'Release this lock?', review: 'Check the holder above' });
      if (!yes) {
        out.err('Nothing was changed.\n');
        return 1;
      }
      try {
        await breakLease(session.store, who, held.generation);
      } catch (err) {
        if (!(err instanceof PreconditionFailed)) throw err;
        throw new UserError('the lock changed since it was shown (its holder renewed it, or another writer took it): nothing was released');
      }
      out.err(`Released the lock of stack ${who.stack}.\n`);
      return 0;
    } finally {
      await session.close();
    }
  },
};

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
