// musectl state migrate: move the stack's inventory to another store (local state to
// gs://BUCKET/PREFIX when a team or CI takes over). Never overwrites an inventory that exists
// there; leaves a marker behind, so a run that still reads the old store is told where it went.
import { InventoryStore } from '../../state/inventory.js';
import { Lease } from '../../state/lease.js';
import { openStateStore } from '../../state/open.js';
import { WatcherStatusStore } from '../../state/watcher-status.js';
import { type Command, UsageError } from '../command.js';
import { stateFlags, underStackLease } from './state-common.js';

export const stateMigrateCommand: Command = {
  name: 'state migrate',
  summary: "Move the stack's inventory to another store (e.g. gs://BUCKET/PREFIX)",
  usage: 'musectl state migrate --to gs://BUCKET/PREFIX|DIR -f PATH... (--project ID | --emulator URL) [--state DIR|gs://B/P]',
  details: `
Copies the inventory from the stack's current state (--state, default beside the Stack document)
to --to, takes the lock of both while it does, and refuses when an inventory of the stack exists
there already. The old place keeps a marker that names the new one: plan and apply reading it stop
with "moved to ...". Give --state with the new place from then on (CI and the watcher too).`,
  flags: {
    ...stateFlags,
    to: { type: 'string', value: 'gs://B/P|DIR', description: 'Where the inventory goes', values: 'directories' },
  },
  async run(args, out) {
    const to = args.flags.to as string | undefined;
    if (!to) throw new UsageError('give the new place: --to gs://BUCKET/PREFIX (or a directory)');
    return underStackLease(args, out, 'state migrate', async (session, lease) => {
      const { ctx } = session;
      const destination = openStateStore(to, ctx.clients, ctx.api);
      const target = new InventoryStore(destination, ctx.project, ctx.stack, session.who.env);
      if (target.describe() === session.inventory.describe()) throw new UsageError(`--to ${to}: that is where the inventory is now`);
      // The new place's lock too: no writer there may start on an inventory that is half moved.
      const theirs = await Lease.acquire(destination, session.who, { waitMs: 0, what: 'musectl state migrate' });
      try {
        lease.check();
        const moved = await session.inventory.moveTo(target);
        // The watcher's status goes along (its last cycle and the backoff of what failed), or the
        // next execution would start its backoff afresh and status would show no watcher.
        const status = await new WatcherStatusStore(session.store, session.who).read();
        if (status) await new WatcherStatusStore(destination, session.who).write(status);
        out.err(
          `Moved the inventory of stack ${ctx.stack} (${moved.entries.length} resources) from ${session.inventory.describe()} to ${target.describe()}.\n` +
            `${status ? "The watcher's status went with it. " : ''}From now on run plan, apply and watch with --state ${to}.\n`,
        );
        return 0;
      } finally {
        await theirs.release().catch(() => undefined);
      }
    });
  },
};
