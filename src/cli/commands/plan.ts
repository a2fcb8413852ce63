// musectl plan: what apply would do, changing nothing.

import { allControllers } from '../../../controllers/index.js';
import type { Plan } from '../../engine/plan.js';
import { hasChanges, heldBack } from '../../engine/plan.js';
import { describeIdentity, savedPlanOf, targetIdentity, writeSavedPlan } from '../../engine/saved-plan.js';
import { observeAndPlan, openSession, type Session } from '../../engine/session.js';
import type { ManifestSet } from '../../manifest/index.js';
import { planMarks, renderGraph } from '../../report/graph.js';
import { renderPlanJson } from '../../report/json.js';
import { renderPlanMarkdown } from '../../report/markdown.js';
import { renderPlanText } from '../../report/text.js';
import { appendStepSummary } from '../ci.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import {
  loggerFrom,
  ownershipFlags,
  planOptionsFrom,
  printWarnings,
  reportBlockers,
  reportHeldBack,
  reportInvalid,
  selectionFlags,
  targetFlags,
  targetFrom,
  targetingFrom,
} from '../engine-flags.js';
import { allowSecretPaths, cliVariables, environmentFrom, environmentOption, manifestFlags, manifestPaths, stackFlag } from '../stack-flags.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what apply would change (reads Google Cloud, changes nothing)',
  usage: 'musectl plan -f PATH... (--project ID | --emulator URL) [-o text|json|markdown] [--detailed-exitcode]',
  details: `
Observes the actual state, diffs it against the manifests and prints the actions:
+ create, ~ update (before -> after per field), - delete. "(known after apply)" marks values
that exist only once another resource is created.
-o markdown writes a pull-request comment: security-relevant changes first, a summary table,
collapsed details, lint warnings and the dependency graph with the changed resources marked.
Exit status: 0 success; with --detailed-exitcode 0 no changes, 2 changes (or resources that
would be pruned), 1 error or resources held back.`,
  flags: {
    ...manifestFlags,
    ...targetFlags,
    ...ownershipFlags,
    ...selectionFlags,
    output: {
      type: 'string',
      short: 'o',
      value: 'FORMAT',
      description: 'text, json (the stable plan format) or markdown (a pull-request comment)',
      default: 'text',
      values: ['text', 'json', 'markdown'],
    },
    'detailed-exitcode': { type: 'boolean', description: 'Exit 2 when there are changes' },
    out: { type: 'string', value: 'FILE', description: 'Also save the plan, to apply exactly it later with: musectl apply FILE' },
  },
  async run(args, out) {
    const format = args.flags.output as string;
    if (format !== 'text' && format !== 'json' && format !== 'markdown') throw new UsageError(`-o ${format}: use text, json or markdown`);
    const log = loggerFrom(args);
    let session: Session;
    try {
      session = await openSession({
        controllers: allControllers(),
        paths: manifestPaths(args),
        variables: cliVariables(args),
        target: targetFrom(args),
        log,
        state: args.flags.state as string | undefined,
        stack: stackFlag(args),
        allowSecretPaths: allowSecretPaths(args),
        ...environmentOption(args),
        targeting: targetingFrom(args),
      });
    } catch (err) {
      return reportInvalid(err, out);
    }
    try {
      out.err(out.color.dim(`State: ${session.inventory.describe()}\n`));
      printWarnings(session.set, out);
      const options = planOptionsFrom(args);
      const planned = await observeAndPlan(session, options);
      const { exec } = planned;
      // The Markdown report (with its graph) is built only when someone reads it.
      const markdown = format === 'markdown' || process.env.GITHUB_STEP_SUMMARY ? markdownReport(exec.plan, session.set) : '';
      if (format === 'markdown') out.out(markdown);
      else out.out(format === 'json' ? renderPlanJson(exec.plan) : renderPlanText(exec.plan, out.color));
      if (markdown) appendStepSummary(markdown);
      if (typeof args.flags.out === 'string') {
        writeSavedPlan(
          args.flags.out,
          savedPlanOf(session, planned, {
            paths: manifestPaths(args),
            variables: cliVariables(args),
            options,
            state: args.flags.state as string | undefined,
            stack: stackFlag(args),
            ...(environmentFrom(args) ? { environment: environmentFrom(args)?.name } : {}),
          }),
        );
        out.err(
          `Saved the plan for ${describeIdentity(targetIdentity(session.ctx))} to ${args.flags.out}; apply exactly it with: musectl apply ${args.flags.out}\n`,
        );
      }
      if (reportBlockers(exec.plan, out)) return 1;
      if (reportHeldBack(heldBack(exec.plan), out, true)) return 1;
      // Something that would be pruned is a change the reviewer must see, --prune or not.
      return args.flags['detailed-exitcode'] && (hasChanges(exec.plan) || exec.plan.wouldPrune.length > 0) ? 2 : 0;
    } finally {
      await session.close();
    }
  },
};

/** The markdown report: the session's lint warnings and the stack's graph with what the plan changes marked. */
export function markdownReport(plan: Plan, set: ManifestSet): string {
  const warnings = set.diagnostics.filter((d) => d.severity === 'warning' || d.severity === 'accepted');
  return renderPlanMarkdown(plan, { warnings, graph: renderGraph(set.resources, 'mermaid', { mark: planMarks(plan) }) });
}
