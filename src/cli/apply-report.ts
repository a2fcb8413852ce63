// What apply reports when it is done: the stack's outputs (an Outputs: block on stdout, or with
// -o json one JSON document on stdout with the outcome and the outputs, for scripts), and under
// GitHub Actions the outputs as step outputs (GITHUB_OUTPUT).
import type { Observed } from '../contract/controller.js';
import type { ApplyResult } from '../engine/apply.js';
import { resourceOutputs, type StackOutputs, stackOutputValues, withValues } from '../engine/outputs.js';
import { actionKey, summarize } from '../engine/plan.js';
import type { Planned, Session } from '../engine/session.js';
import { githubOutputLines, outputsJson, renderOutputsText } from '../report/outputs.js';
import { appendStepOutputs } from './ci.js';
import { type ParsedArgs, UsageError } from './command.js';
import type { Output } from './output.js';

export type ApplyFormat = 'text' | 'json';

export function applyFormat(args: ParsedArgs): ApplyFormat {
  const f = String(args.flags.output ?? 'text');
  if (f !== 'text' && f !== 'json') throw new UsageError(`-o ${f}: use text or json`);
  return f;
}

/** The stack's outputs from what each resource of the manifests now is (`live`, by key). */
export function outputsAfter(session: Session, planned: Planned, live: ReadonlyMap<string, Observed>): StackOutputs {
  const inSet = planned.exec.plan.actions.filter((a) => planned.exec.context.get(actionKey(a))?.resource);
  // Resources of the stack outside a partial set (one file) are read live too.
  const outputsOf = (key: string) => (live.get(key) ?? planned.observed.byKey.get(key))?.outputs;
  return {
    stack: session.ctx.stack,
    project: session.ctx.project,
    outputs: stackOutputValues(session.set.stack.outputs, outputsOf),
    resources: resourceOutputs(inSet, (key) => withValues(outputsOf(key)), session.controllers),
  };
}

export type ApplyOutcome = 'complete' | 'no changes' | 'failed' | 'interrupted';

/** Prints the outputs (text: the Outputs: block; json: the whole outcome) and writes GITHUB_OUTPUT. */
export function reportApplied(out: Output, format: ApplyFormat, outputs: StackOutputs, outcome: ApplyOutcome, result?: ApplyResult): void {
  if (outcome === 'complete' || outcome === 'no changes') appendStepOutputs(githubOutputLines(outputs));
  if (format === 'text') {
    const block = renderOutputsText(outputs, out.color);
    if (block) out.out(`\n${block}`);
    return;
  }
  const doc = {
    formatVersion: 1,
    stack: outputs.stack,
    project: outputs.project,
    outcome,
    done: summarize(result?.done ?? []),
    failed: (result?.failed ?? []).map((f) => ({ resource: actionKey(f.action), error: f.error })),
    notAttempted: (result?.skipped ?? []).map((s) => ({ resource: actionKey(s.action), reason: s.reason })),
    ...outputsJson(outputs),
  };
  out.out(`${JSON.stringify(doc, null, 2)}\n`);
}
