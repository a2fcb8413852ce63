// musectl apply: plan, confirm, then make Google Cloud match the manifests.

import { applyPlan } from '../../engine/apply.js';
import { manifestsFingerprint, observedFingerprints } from '../../engine/fingerprint.js';
import { durationSeconds } from '../../engine/normalize.js';
import type { ObservedState } from '../../engine/observe.js';
import type { ExecutablePlan } from '../../engine/plan.js';
import { hasChanges, type PlanSummary } from '../../engine/plan.js';
import type { PlanOptions } from '../../engine/planner.js';
import { recordIntent, recordOutcome, vanishedEntries } from '../../engine/record.js';
import { readSavedPlan, restoredOptions, type SavedPlan, staleResources } from '../../engine/saved-plan.js';
import type { Session } from '../../engine/session.js';
import { observeAndPlan, openSession } from '../../engine/session.js';
import { UserError } from '../../errors.js';
import type { Target } from '../../gcp/target.js';
import { planHash } from '../../report/markdown.js';
import { progressPrinter, seconds } from '../../report/progress.js';
import { renderPlanText } from '../../report/text.js';
import { Lease } from '../../state/lease.js';
import { appendStepSummary, targetIdentity } from '../ci.js';
import { type Command, type ParsedArgs, UsageError } from '../command.js';
import { confirmApply } from '../confirm.js';
import {
  loggerFrom,
  ownershipFlags,
  parallelismFrom,
  planOptionsFrom,
  printWarnings,
  reportBlockers,
  reportInvalid,
  targetFlags,
  targetFrom,
} from '../engine-flags.js';
import type { Output } from '../output.js';
import { allowSecretPaths, cliVariables, manifestFlags, manifestPaths } from '../stack-flags.js';
import { markdownReport } from './plan.js';

export const applyFlags = {
  ...manifestFlags,
  ...targetFlags,
  ...ownershipFlags,
  yes: { type: 'boolean' as const, short: 'y', description: 'Apply without asking (required without a terminal)' },
  parallelism: { type: 'string' as const, value: 'N', description: 'Resources changed at the same time', default: '10' },
  'lock-timeout': {
    type: 'string' as const,
    value: 'DURATION',
    description: 'Wait this long for another apply of the stack to finish (e.g. 30s, 5m)',
    default: '0s',
  },
  ci: { type: 'boolean' as const, description: 'Never prompt (also when CI=true): without --yes, stop instead of asking' },
};

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Make Google Cloud match the manifests',
  usage: 'musectl apply -f PATH... (--project ID | --emulator URL) [--yes] [--prune] [--adopt]\n       musectl apply PLAN.json (--project ID | --emulator URL)',
  details: `
Takes the stack's lock, shows the plan, asks for confirmation on a terminal (--yes skips it;
without a terminal it is required), then applies it in dependency order, independent resources
at the same time. Calls that Google says are retryable are retried with backoff; client-side
rate limits follow Google's default quotas. On failure the other independent resources still
finish, and a rerun converges. The inventory of what the stack owns is kept in --state.
With a saved plan (musectl plan --out PLAN.json) it applies exactly that plan, without asking,
and refuses (exit 1) if the manifests or Google Cloud changed since it was made.`,
  flags: applyFlags,
  positionals: true,
  run: (args, out) => runApply(args, out, targetFrom(args)),
};

/** How long the stack's lease lasts between renewals: long enough to ride out a slow call. */
const LEASE_TTL_MS = 60_000;

export async function runApply(args: ParsedArgs, out: Output, target: Target): Promise<number> {
  const log = loggerFrom(args);
  const parallelism = parallelismFrom(args);
  const lockWaitMs = durationFlag(args, 'lock-timeout');
  if (args.positionals.length > 1) throw new UsageError('apply takes at most one saved plan');
  const saved = args.positionals[0] !== undefined ? readSavedPlan(args.positionals[0]) : undefined;
  if (saved && (args.flags.filename as string[] | undefined)?.length)
    throw new UsageError('give either -f PATH or a saved plan, not both: the plan knows its manifests');
  const options = saved ? restoredOptions(saved.options) : planOptionsFrom(args);
  const paths = saved ? saved.paths : manifestPaths(args);
  const variables = saved ? saved.variables : cliVariables(args);
  const state = (args.flags.state === '.musectl/state' && saved?.state) || (args.flags.state as string);
  let session: Session;
  try {
    session = await openSession({ paths, variables, target, log, state, allowSecretPaths: allowSecretPaths(args) });
  } catch (err) {
    return reportInvalid(err, out);
  }
  let lease: Lease | undefined;
  try {
    lease = await Lease.acquire(
      session.store,
      { project: session.ctx.project, stack: session.ctx.stack },
      {
        ttlMs: LEASE_TTL_MS,
        waitMs: lockWaitMs,
        what: 'musectl apply',
        onWait: (h) => out.err(out.color.dim(`waiting for the stack's lock, held by ${h.description} since ${h.acquiredAt}...\n`)),
      },
    );
    printWarnings(session.set, out);
    const { exec, inventory, observed } = await observeAndPlan(session, options);
    if (saved) {
      const stale = staleness(saved, session, exec, observed, options, variables);
      if (stale)
        throw new UserError(`the saved plan ${args.positionals[0]} is stale: ${stale}`, 'Nothing was changed. Make a new plan, review it, and apply that.');
    }
    out.out(renderPlanText(exec.plan, out.color));
    if (reportBlockers(exec.plan, out)) return 1;
    if (!hasChanges(exec.plan)) return 0;
    if (!saved && !(await confirmApply(out, { yes: Boolean(args.flags.yes), ci: Boolean(args.flags.ci) }))) {
      out.err('Apply cancelled; nothing was changed.\n');
      return 1;
    }
    const started = Date.now();
    await recordIntent(session.inventory, exec, session.controllers, session.ctx);
    const result = await applyPlan(exec, session.controllers, session.ctx, { parallelism, listener: progressPrinter(out, log), lease });
    const inManifests = new Set(session.set.resources.map((r) => r.key));
    const vanished = vanishedEntries(inventory.entries, (e) => Boolean(observed.listed.get(e.kind)?.has(e.id)), inManifests);
    await recordOutcome(session.inventory, exec, result, session.controllers, session.ctx, vanished);
    const took = seconds(Date.now() - started);
    const ok = result.failed.length === 0 && result.skipped.length === 0;
    if (process.env.GITHUB_STEP_SUMMARY) {
      appendStepSummary(
        `${markdownReport(exec.plan, session.set)}\n**Apply ${ok ? 'complete' : 'failed'}** after ${took}: ${result.done.length} done, ${result.failed.length} failed, ${result.skipped.length} not attempted.`,
      );
    }
    if (ok) {
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

/** Why a saved plan no longer describes what apply would do, or undefined when it still does. */
function staleness(
  saved: SavedPlan,
  session: Session,
  exec: ExecutablePlan,
  observed: ObservedState,
  options: PlanOptions,
  variables: Record<string, string>,
): string | undefined {
  const identity = targetIdentity(session.ctx);
  if (saved.target !== identity) return `it was made for ${saved.target}, not ${identity}`;
  if (manifestsFingerprint(session.set.files, variables, options, identity) !== saved.fingerprints.manifests) return 'the manifests changed since it was made';
  const changed = staleResources(saved.fingerprints.observed, observedFingerprints(exec, observed));
  if (changed.length > 0) return `Google Cloud changed since it was made (${changed.join(', ')})`;
  if (planHash(exec.plan) !== saved.fingerprints.plan) return 'the plan it makes now differs from the saved one (a secret value or an output changed)';
  return undefined;
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
