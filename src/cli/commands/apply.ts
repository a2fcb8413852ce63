// musectl apply: plan, confirm, then make Google Cloud match the manifests.

import { allControllers } from '../../../controllers/index.js';
import { durationSeconds } from '../../contract/normalize.js';
import { applyWithInventory, inventoryOutdated } from '../../engine/pipeline.js';
import { hasChanges, heldBack, type PlanSummary, summarize } from '../../engine/plan.js';
import { checkTarget, readSavedPlan, restoredOptions, type SavedPlan, staleness } from '../../engine/saved-plan.js';
import type { Session } from '../../engine/session.js';
import { observeAndPlan, openSession } from '../../engine/session.js';
import { UserError } from '../../errors.js';
import type { Target } from '../../gcp/target.js';
import { renderPlanText } from '../../report/text.js';
import type { Lease } from '../../state/lease.js';
import { applyFormat, outputsAfter, reportApplied } from '../apply-report.js';
import { appendStepSummary } from '../ci.js';
import { type Command, type ParsedArgs, UsageError } from '../command.js';
import { confirmApply } from '../confirm.js';
import {
  loggerFrom,
  ownershipFlags,
  parallelismFrom,
  planOptionsFrom,
  printWarnings,
  reportBlockers,
  reportHeldBack,
  reportInvalid,
  selectionFlags,
  targetFlags,
  targetFrom,
} from '../engine-flags.js';
import { Interrupt } from '../interrupt.js';
import type { Output } from '../output.js';
import { acquireLease, applyWithProgress } from '../session-args.js';
import { allowSecretPaths, cliVariables, environmentFrom, loadEnvironment, manifestFlags, manifestPaths, stackFlag } from '../stack-flags.js';
import { markdownReport } from './plan.js';

export const applyFlags = {
  ...manifestFlags,
  ...targetFlags,
  ...ownershipFlags,
  ...selectionFlags,
  yes: { type: 'boolean' as const, short: 'y', description: 'Apply without asking (required without a terminal)' },
  parallelism: {
    type: 'string' as const,
    value: 'N',
    description: 'Resources called for at the same time (one waiting for a rollout or a quota gives its place meanwhile)',
    default: '10',
  },
  'lock-timeout': {
    type: 'string' as const,
    value: 'DURATION',
    description: 'Wait this long for another apply of the stack to finish (e.g. 30s, 5m)',
    default: '0s',
  },
  ci: { type: 'boolean' as const, description: 'Never prompt (also when CI=true): without --yes, stop instead of asking' },
  output: {
    type: 'string' as const,
    short: 'o',
    value: 'FORMAT',
    description: 'text, or json: the outcome and the outputs as one JSON document on stdout (the plan goes to stderr)',
    default: 'text',
  },
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
and refuses (exit 1) if the manifests or Google Cloud changed since it was made.
When done it prints the stack's outputs (service URLs, account emails, the Stack's spec.outputs);
-o json prints them with the outcome as JSON, and under GitHub Actions they go to GITHUB_OUTPUT.`,
  flags: applyFlags,
  positionals: true,
  run: (args, out) => runApply(args, out, targetFrom(withSavedEnvironmentProject(args))),
};

export async function runApply(args: ParsedArgs, out: Output, target: Target): Promise<number> {
  const log = loggerFrom(args);
  const parallelism = parallelismFrom(args);
  const format = applyFormat(args);
  const lockWaitMs = durationFlag(args, 'lock-timeout');
  if (args.positionals.length > 1) throw new UsageError('apply takes at most one saved plan');
  const saved = args.positionals[0] !== undefined ? readSavedPlan(args.positionals[0]) : undefined;
  if (saved) checkTarget(saved, args.positionals[0], target);
  if (saved && (args.flags.filename as string[] | undefined)?.length)
    throw new UsageError('give either -f PATH or a saved plan, not both: the plan knows its manifests');
  const options = saved ? restoredOptions(saved.options) : planOptionsFrom(args);
  const paths = saved ? saved.paths : manifestPaths(args);
  const variables = saved ? saved.variables : cliVariables(args);
  const state = (args.flags.state as string | undefined) ?? saved?.state;
  const stack = saved ? saved.stack : stackFlag(args);
  if (saved) checkSavedEnvironment(saved, args);
  const environment = saved
    ? saved.environment !== undefined
      ? loadEnvironment(paths, saved.environment, args.flags.project as string | undefined)
      : undefined
    : environmentFrom(args);
  let session: Session;
  try {
    session = await openSession({
      controllers: allControllers(),
      paths,
      variables,
      target,
      log,
      state,
      stack,
      writes: true,
      allowSecretPaths: allowSecretPaths(args),
      ...(environment ? { environment } : {}),
      targeting: { targets: options.targets ?? [], excludes: options.excludes ?? [] },
    });
  } catch (err) {
    return reportInvalid(err, out);
  }
  let lease: Lease | undefined;
  const interrupt = new Interrupt(out);
  try {
    lease = await acquireLease(session, out, { waitMs: lockWaitMs, what: 'musectl apply' });
    interrupt.listen();
    out.err(out.color.dim(`State: ${session.inventory.describe()}\n`));
    printWarnings(session.set, out);
    const planned = await observeAndPlan(session, options);
    const { exec } = planned;
    if (saved) {
      const stale = staleness(saved, session, planned, options, variables);
      if (stale)
        throw new UserError(`the saved plan ${args.positionals[0]} is stale: ${stale}`, 'Nothing was changed. Make a new plan, review it, and apply that.');
    }
    const planText = renderPlanText(exec.plan, out.color);
    if (format === 'json') out.err(planText);
    else out.out(planText);
    if (reportBlockers(exec.plan, out)) return 1;
    const held = heldBack(exec.plan);
    if (!hasChanges(exec.plan)) {
      // Nothing to change in Google Cloud, but the inventory may still have entries (or outputs) to record.
      if (inventoryOutdated(session, planned)) await applyWithInventory(session, planned, { parallelism, listener: () => undefined, lease });
      reportApplied(out, format, outputsAfter(session, planned, planned.observed.byKey), 'no changes');
      return reportHeldBack(held, out) ? 1 : 0;
    }
    if (interrupt.signal) return interrupt.beforeAnyChange();
    if (!saved && !(await confirmApply(out, { yes: Boolean(args.flags.yes), ci: Boolean(args.flags.ci) }))) {
      out.err('Apply cancelled; nothing was changed.\n');
      return 1;
    }
    if (interrupt.signal) return interrupt.beforeAnyChange();
    const { result, took, attempted } = await applyWithProgress(session, planned, out, { parallelism, lease, interrupt });
    const ok = result.failed.length === 0 && attempted.length === 0;
    if (process.env.GITHUB_STEP_SUMMARY) {
      appendStepSummary(
        `${markdownReport(exec.plan, session.set)}\n**Apply ${ok ? 'complete' : 'failed'}** after ${took}: ${result.done.length} done, ${result.failed.length} failed, ${attempted.length} not attempted.`,
      );
    }
    const outputs = outputsAfter(session, planned, result.live);
    if (interrupt.signal) {
      reportApplied(out, format, outputs, 'interrupted', result);
      out.err(
        out.color.yellow(
          `Interrupted (${interrupt.signal}) after ${took}: ${result.done.length} done, ${result.failed.length} failed, ${attempted.length} not attempted; the inventory is recorded and the lock released. Run apply again to finish.\n`,
        ),
      );
      return interrupt.exitCode();
    }
    if (ok) {
      out.err(out.color.green(`Apply complete: ${outcomeSummary(summarize(result.done))} in ${took} (${session.ctx.api.calls} API calls).\n`));
      reportApplied(out, format, outputs, 'complete', result);
      return reportHeldBack(held, out) ? 1 : 0;
    }
    out.err(out.color.red(`Apply failed after ${took}: ${result.done.length} done, ${result.failed.length} failed, ${attempted.length} not attempted.\n`));
    for (const f of result.failed) out.err(`  ${f.action.kind}/${f.action.name}: ${f.error}\n`);
    out.err('What was done stays done; fix the cause and run apply again to finish.\n');
    reportApplied(out, format, outputs, 'failed', result);
    reportHeldBack(held, out);
    return 1;
  } finally {
    interrupt.stop();
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

/** A saved plan made for an environment goes to that environment's project unless --project says otherwise. */
function withSavedEnvironmentProject(args: ParsedArgs): ParsedArgs {
  const file = args.positionals[0];
  if (file === undefined) return args;
  const saved = readSavedPlan(file);
  // Before targetFrom: it would read --env's file beside the -f manifests a saved plan has none of,
  // and say "no manifests given" instead of what is wrong.
  checkSavedEnvironment(saved, args);
  if (args.flags.project !== undefined) return args;
  const project = saved.environment !== undefined ? loadEnvironment(saved.paths, saved.environment).project : undefined;
  const { env: _env, ...flags } = args.flags;
  return { ...args, flags: project ? { ...flags, project } : flags };
}

/** A saved plan keeps its environment: --env may only repeat it. */
function checkSavedEnvironment(saved: SavedPlan, args: ParsedArgs): void {
  if (!args.flags.env || args.flags.env === saved.environment) return;
  throw new UsageError(
    `--env ${args.flags.env}, but the saved plan was made ${saved.environment ? `for environment ${saved.environment}` : 'without an environment'}: the plan knows it`,
  );
}
