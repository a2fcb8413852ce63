// musectl destroy: remove what the stack owns, after a plan and a confirmation, under the stack's
// lease, in reverse dependency order, by each resource's deletion policy (buckets, secrets and APIs
// stay), leaving the inventory empty. A second destroy finds nothing to do.
import { planDestroy } from '../../engine/destroy.js';
import { applyWithInventory, inventoryOutdated } from '../../engine/pipeline.js';
import { hasChanges, summarize } from '../../engine/plan.js';
import type { Session } from '../../engine/session.js';
import { renderPlanText } from '../../report/text.js';
import type { Lease } from '../../state/lease.js';
import type { Command } from '../command.js';
import { confirm } from '../confirm.js';
import { parallelismFrom, reportBlockers, selectionFlags, targetFlags, targetingFrom } from '../engine-flags.js';
import { Interrupt } from '../interrupt.js';
import type { Output } from '../output.js';
import { acquireLease, applyWithProgress, sessionFromArgs } from '../session-args.js';
import { manifestFlags } from '../stack-flags.js';
import { durationFlag } from './apply.js';

export const destroyCommand: Command = {
  name: 'destroy',
  summary: 'Remove what the stack owns (buckets, secrets and APIs stay unless their policy says otherwise)',
  usage: 'musectl destroy -f PATH... (--project ID | --emulator URL) [--yes] [--disable-apis] [--target KIND/NAME]... [--exclude KIND/NAME]...',
  details: `
Plans the removal of every resource the stack's inventory proves it owns, shows it, asks for
confirmation on a terminal (--yes skips it; without a terminal it is required), then removes them
under the stack's lock in reverse dependency order: grants before the accounts and resources they
name, services before the accounts they run as. Deletion policies hold: services, jobs, accounts,
repositories and grants are deleted; buckets, secrets and enabled APIs are abandoned (left in place,
ownership labels removed, no longer managed) unless annotated musectl.dev/deletion-policy: delete.
A bucket that holds objects is kept unless it had musectl.dev/force-destroy: "true" when last
applied. APIs are never disabled without --disable-apis: disabling run.googleapis.com takes down
every Cloud Run service in the project, not only this stack's. Resources the inventory does not
list are not touched. The inventory is left empty; a second destroy has nothing to do.
--target KIND/NAME destroys that resource and what depends on it (a service account with the
grants that name it and the services that run as it); --exclude KIND/NAME keeps that resource and
what it needs.`,
  flags: {
    ...manifestFlags,
    ...targetFlags,
    ...selectionFlags,
    state: {
      type: 'string',
      value: 'DIR|gs://B/P',
      description: 'Where the stack keeps its inventory and lock (default: .musectl/state beside the Stack document)',
    },
    yes: { type: 'boolean', short: 'y', description: 'Destroy without asking (required without a terminal)' },
    'disable-apis': { type: 'boolean', description: 'Also disable the APIs the stack enabled (affects everything in the project that uses them)' },
    parallelism: {
      type: 'string',
      value: 'N',
      description: 'Resources called for at the same time (one waiting for an operation or a quota gives its place meanwhile)',
      default: '10',
    },
    'lock-timeout': { type: 'string', value: 'DURATION', description: 'Wait this long for another writer of the stack to finish', default: '0s' },
    ci: { type: 'boolean', description: 'Never prompt (also when CI=true): without --yes, stop instead of asking' },
  },
  async run(args, out) {
    const parallelism = parallelismFrom(args);
    const waitMs = durationFlag(args, 'lock-timeout');
    const session = await sessionFromArgs(args, out, { writes: true });
    if (typeof session === 'number') return session;
    const { stack, project } = session.ctx;
    let lease: Lease | undefined;
    const interrupt = new Interrupt(out);
    try {
      lease = await acquireLease(session, out, { waitMs, what: 'musectl destroy' });
      interrupt.listen();
      const where = session.inventory.describe();
      out.err(out.color.dim(`State: ${where}\n`));
      const planned = await planDestroy(session, { disableApis: Boolean(args.flags['disable-apis']), ...targetingFrom(args) });
      const { plan } = planned.exec;
      if (planned.inventory.entries.length === 0) {
        out.err(`Nothing to destroy: the inventory at ${where} lists no resource of stack ${stack} in project ${project}.\n`);
        return 0;
      }
      out.out(renderPlanText(plan, out.color));
      if (reportBlockers(plan, out)) return 1;
      if (!hasChanges(plan)) {
        // Nothing left to remove, but entries to forget (a create never confirmed, a resource gone).
        if (inventoryOutdated(session, planned)) await applyWithInventory(session, planned, { parallelism, listener: () => undefined, lease });
        return await reportLeft(session, out, where, plan.partial?.skipped);
      }
      if (interrupt.signal) return interrupt.beforeAnyChange();
      const question = `Destroy stack ${stack} in project ${project} (${plan.summary.delete} to delete, ${plan.summary.abandon} to leave in place)?`;
      const yes = await confirm(out, { yes: Boolean(args.flags.yes), ci: Boolean(args.flags.ci), what: 'destroy', question, review: 'Review the plan above' });
      if (!yes) {
        out.err('Destroy cancelled; nothing was changed.\n');
        return 1;
      }
      if (interrupt.signal) return interrupt.beforeAnyChange();
      const { result, took, attempted } = await applyWithProgress(session, planned, out, { parallelism, lease, interrupt });
      const done = `${result.done.length} done, ${result.failed.length} failed, ${attempted.length} not attempted`;
      if (interrupt.signal) {
        out.err(
          out.color.yellow(
            `Interrupted (${interrupt.signal}) after ${took}: ${done}; the inventory is recorded and the lock released. Run destroy again to finish.\n`,
          ),
        );
        return interrupt.exitCode();
      }
      if (result.failed.length > 0 || attempted.length > 0) {
        out.err(out.color.red(`Destroy failed after ${took}: ${done}.\n`));
        for (const f of result.failed) out.err(`  ${f.action.kind}/${f.action.name}: ${f.error}\n`);
        await reportLeft(session, out, where, plan.partial?.skipped);
        return 1;
      }
      const s = summarize(result.done);
      out.err(
        out.color.green(
          `Destroy complete: ${s.delete} deleted, ${s.abandon} left in place and no longer managed, in ${took} (${session.ctx.api.calls} API calls).\n`,
        ),
      );
      return await reportLeft(session, out, where, plan.partial?.skipped);
    } finally {
      interrupt.stop();
      await lease?.release().catch((err) => session.ctx.log.warn({ err: String(err) }, 'could not release the stack lock; it expires by itself'));
      await session.close();
    }
  },
};

/** What the inventory still lists after a destroy (kept buckets, failures), or that it is empty. */
async function reportLeft(session: Session, out: Output, where: string, untargeted: string[] = []): Promise<number> {
  const { stack, project } = session.ctx;
  const all = (await session.inventory.load()).entries;
  const left = all.filter((e) => !untargeted.includes(`${e.kind}/${e.name}`));
  if (left.length === 0 && untargeted.length > 0) {
    const n = all.length;
    out.err(`The targeted resources are gone; the inventory at ${where} still lists the other ${n} resource${n === 1 ? '' : 's'} of stack ${stack}.\n`);
    return 0;
  }
  if (left.length === 0) {
    out.err(`The inventory at ${where} is now empty: stack ${stack} owns nothing in project ${project}.\n`);
    return 0;
  }
  out.err(
    out.color.yellow(
      `The inventory still lists ${left.length} resource${left.length === 1 ? '' : 's'} of stack ${stack}: ${left.map((e) => `${e.kind}/${e.name}`).join(', ')}. ` +
        'See the warnings above; run destroy again once they can go.\n',
    ),
  );
  return 1;
}
