// musectl apply: plan, confirm, then make Google Cloud match the manifests.
import type { Command, ParsedArgs } from '../command.js';
import type { Output } from '../output.js';
import { manifestFlags, manifestPaths, cliVariables } from '../stack-flags.js';
import { loggerFrom, parallelismFrom, printWarnings, reportInvalid, targetFlags, targetFrom } from '../engine-flags.js';
import { confirmApply } from '../confirm.js';
import { openSession, observeAndPlan } from '../../engine/session.js';
import { applyPlan } from '../../engine/apply.js';
import { hasChanges } from '../../engine/plan.js';
import type { Target } from '../../gcp/target.js';
import { renderPlanText } from '../../report/text.js';
import { progressPrinter, seconds } from '../../report/progress.js';

export const applyFlags = {
  ...manifestFlags,
  ...targetFlags,
  yes: { type: 'boolean' as const, short: 'y', description: 'Apply without asking (required without a terminal)' },
  parallelism: { type: 'string' as const, value: 'N', description: 'Resources changed at the same time', default: '10' },
};

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Make Google Cloud match the manifests',
  usage: 'musectl apply -f PATH... (--project ID | --emulator URL) [--yes]',
  details: `
Shows the plan, asks for confirmation on a terminal (--yes skips it; without a terminal it is
required), then applies it in dependency order, independent resources at the same time. Calls
that Google says are retryable are retried with backoff; client-side rate limits follow Google's
default quotas. On failure the other independent resources still finish, and a rerun converges.`,
  flags: applyFlags,
  run: (args, out) => runApply(args, out, targetFrom(args)),
};

export async function runApply(args: ParsedArgs, out: Output, target: Target): Promise<number> {
  const log = loggerFrom(args);
  const parallelism = parallelismFrom(args);
  let session;
  try {
    session = await openSession({ paths: manifestPaths(args), variables: cliVariables(args), target, log });
  } catch (err) {
    return reportInvalid(err, out);
  }
  try {
    printWarnings(session.set, out);
    const { exec } = await observeAndPlan(session);
    out.out(renderPlanText(exec.plan, out.color));
    if (!hasChanges(exec.plan)) return 0;
    if (!(await confirmApply(out, { yes: Boolean(args.flags.yes) }))) {
      out.err('Apply cancelled; nothing was changed.\n');
      return 1;
    }
    const started = Date.now();
    const result = await applyPlan(exec, session.controllers, session.ctx, { parallelism, listener: progressPrinter(out) });
    const took = seconds(Date.now() - started);
    if (result.failed.length === 0 && result.skipped.length === 0) {
      const s = exec.plan.summary;
      out.err(out.color.green(`Apply complete: ${s.create} created, ${s.update} updated, ${s.delete} deleted in ${took} (${session.ctx.api.calls} API calls).\n`));
      return 0;
    }
    out.err(out.color.red(`Apply failed after ${took}: ${result.done.length} done, ${result.failed.length} failed, ${result.skipped.length} not attempted.\n`));
    for (const f of result.failed) out.err(`  ${f.action.kind}/${f.action.name}: ${f.error}\n`);
    out.err('What was done stays done; fix the cause and run apply again to finish.\n');
    return 1;
  } finally {
    await session.close();
  }
}
