// musectl apply: plan, confirm, then make Google Cloud match the manifests.
import { UsageError, type Command, type ParsedArgs } from '../command.js';
import type { Output } from '../output.js';
import { manifestFlags, manifestPaths, cliVariables } from '../stack-flags.js';
import { loggerFrom, ownershipFlags, parallelismFrom, planOptionsFrom, printWarnings, reportBlockers, reportInvalid, targetFlags, targetFrom } from '../engine-flags.js';
import { confirmApply } from '../confirm.js';
import { openSession, observeAndPlan } from '../../engine/session.js';
import { applyPlan } from '../../engine/apply.js';
import { hasChanges, type PlanSummary } from '../../engine/plan.js';
import { recordIntent, recordOutcome, vanishedEntries } from '../../engine/record.js';
import { durationSeconds } from '../../engine/normalize.js';
import { Lease } from '../../state/lease.js';
import type { Target } from '../../gcp/target.js';
import { renderPlanText } from '../../report/text.js';
import { progressPrinter, seconds } from '../../report/progress.js';

export const applyFlags = {
  ...manifestFlags,
  ...targetFlags,
  ...ownershipFlags,
  yes: { type: 'boolean' as const, short: 'y', description: 'Apply without asking (required without a terminal)' },
  parallelism: { type: 'string' as const, value: 'N', description: 'Resources changed at the same time', default: '10' },
  'lock-timeout': { type: 'string' as const, value: 'DURATION', description: 'Wait this long for another apply of the stack to finish (e.g. 30s, 5m)', default: '0s' },
};

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Make Google Cloud match the manifests',
  usage: 'musectl apply -f PATH... (--project ID | --emulator URL) [--yes] [--prune] [--adopt]',
  details: `
Takes the stack's lock, shows the plan, asks for confirmation on a terminal (--yes skips it;
without a terminal it is required), then applies it in dependency order, independent resources
at the same time. Calls that Google says are retryable are retried with backoff; client-side
rate limits follow Google's default quotas. On failure the other independent resources still
finish, and a rerun converges. The inventory of what the stack owns is kept in --state.`,
  flags: applyFlags,
  run: (args, out) => runApply(args, out, targetFrom(args)),
};

/** How long the stack's lease lasts between renewals: long enough to ride out a slow call. */
const LEASE_TTL_MS = 60_000;

export async function runApply(args: ParsedArgs, out: Output, target: Target): Promise<number> {
  const log = loggerFrom(args);
  const parallelism = parallelismFrom(args);
  const options = planOptionsFrom(args);
  const lockWaitMs = durationFlag(args, 'lock-timeout');
  let session;
  try {
    session = await openSession({ paths: manifestPaths(args), variables: cliVariables(args), target, log, state: args.flags.state as string });
  } catch (err) {
    return reportInvalid(err, out);
  }
  let lease: Lease | undefined;
  try {
    lease = await Lease.acquire(session.store, { project: session.ctx.project, stack: session.ctx.stack }, {
      ttlMs: LEASE_TTL_MS,
      waitMs: lockWaitMs,
      what: 'musectl apply',
      onWait: (h) => out.err(out.color.dim(`waiting for the stack's lock, held by ${h.description} since ${h.acquiredAt}...\n`)),
    });
    printWarnings(session.set, out);
    const { exec, inventory, observed } = await observeAndPlan(session, options);
    out.out(renderPlanText(exec.plan, out.color));
    if (reportBlockers(exec.plan, out)) return 1;
    if (!hasChanges(exec.plan)) return 0;
    if (!(await confirmApply(out, { yes: Boolean(args.flags.yes) }))) {
      out.err('Apply cancelled; nothing was changed.\n');
      return 1;
    }
    const started = Date.now();
    await recordIntent(session.inventory, exec, session.controllers, session.ctx);
    const result = await applyPlan(exec, session.controllers, session.ctx, { parallelism, listener: progressPrinter(out), lease });
    const inManifests = new Set(session.set.resources.map((r) => r.key));
    const vanished = vanishedEntries(inventory.entries, (e) => Boolean(observed.listed.get(e.kind)?.has(e.id)), inManifests);
    await recordOutcome(session.inventory, exec, result, session.controllers, session.ctx, vanished);
    const took = seconds(Date.now() - started);
    if (result.failed.length === 0 && result.skipped.length === 0) {
      out.err(out.color.green(`Apply complete: ${outcomeSummary(exec.plan.summary)} in ${took} (${session.ctx.api.calls} API calls).\n`));
      return 0;
    }
    out.err(out.color.red(`Apply failed after ${took}: ${result.done.length} done, ${result.failed.length} failed, ${result.skipped.length} not attempted.\n`));
    for (const f of result.failed) out.err(`  ${f.action.kind}/${f.action.name}: ${f.error}\n`);
    out.err('What was done stays done; fix the cause and run apply again to finish.\n');
    return 1;
  } finally {
    await lease?.release().catch((err) => log.warn({ err: String(err) }, 'could not release the stack lock; it expires by itself'));
    await session.close();
  }
}

function outcomeSummary(s: PlanSummary): string {
  const parts = [`${s.create} created`, `${s.update} updated`, `${s.delete} deleted`];
  if (s.replace) parts.push(`${s.replace} replaced`);
  if (s.adopt) parts.push(`${s.adopt} adopted`);
  if (s.abandon) parts.push(`${s.abandon} abandoned`);
  return parts.join(', ');
}

export function durationFlag(args: ParsedArgs, flag: string): number {
  const raw = String(args.flags[flag] ?? '0s');
  const seconds = durationSeconds(/^\d+$/.test(raw) ? Number(raw) : raw);
  if (typeof seconds !== 'number') throw new UsageError(`--${flag} ${raw}: expected a duration such as 30s, 5m or 1h`);
  return seconds * 1000;
}
