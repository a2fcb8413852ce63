// The plan for a terminal, Terraform-style: + create, ~ update (before -> after per field),
// - delete, -/+ replace, > adopt, ! abandon, what would be pruned, and a summary line.
import type { Colors } from '../cli/output.js';
import type { ActionType, Plan } from '../engine/plan.js';
import { isSensitiveChange, SENSITIVE_CHANGED, showValue } from './values.js';

const SYMBOL: Record<ActionType, string> = { create: '+', update: '~', delete: '-', noop: ' ', replace: '-/+', adopt: '>', abandon: '!' };

/** Actions whose changes read as before -> after (a create only has "after"). */
const SHOWS_BEFORE = new Set<ActionType>(['update', 'replace', 'adopt']);

export function renderPlanText(plan: Plan, color: Colors): string {
  const paint: Record<ActionType, (s: string) => string> = {
    create: color.green,
    update: color.yellow,
    delete: color.red,
    replace: color.red,
    adopt: color.cyan,
    abandon: color.yellow,
    noop: (s) => s,
  };
  const changed = plan.actions.filter((a) => a.action !== 'noop');
  const lines: string[] = [];
  // Warnings of unchanged resources still matter (a secret whose value source is missing).
  const quietWarnings = plan.actions.filter((a) => a.action === 'noop' && a.warnings.length > 0);
  const warningLines = quietWarnings.flatMap((a) => a.warnings.map((w) => color.yellow(`warning: ${a.kind}/${a.name}: ${w}`)));
  // Drift under musectl.dev/ignore-changes: shown, never reverted.
  const ignoredLines = plan.actions.flatMap((a) =>
    (a.ignored ?? []).map((c) =>
      color.dim(
        `ignored: ${a.kind}/${a.name}: ${c.path}: ${isSensitiveChange(c) ? SENSITIVE_CHANGED : `${showValue(c.before)} -> ${showValue(c.after)}`} (musectl.dev/ignore-changes: kept as it is)`,
      ),
    ),
  );
  warningLines.push(...ignoredLines);
  const pruneLines = plan.wouldPrune.map((o) => `  ${o.kind}/${o.name}  (${o.id}; on prune: ${o.deletionPolicy})`);
  if (pruneLines.length > 0) {
    pruneLines.unshift(
      color.yellow(
        `Would prune (no longer in the manifests; run with --prune to ${plan.wouldPrune.some((o) => o.deletionPolicy === 'delete') ? 'delete or abandon' : 'abandon'} them):`,
      ),
    );
    pruneLines.push('');
  }
  const partialLines = plan.partial ? [...partialWarning(plan.partial).map((l) => color.yellow(l)), ''] : [];
  if (changed.length === 0) {
    const verdict = plan.partial
      ? `No changes to the ${plan.summary.noop} resources planned; the rest of the stack was not checked.`
      : `No changes. Project ${plan.project} matches the manifests (${plan.summary.noop} resources).`;
    lines.push(...warningLines, ...pruneLines, ...partialLines, verdict);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `Stack ${plan.stack} on project ${plan.project}: ${color.green('+ create')}  ${color.yellow('~ update')}  ${color.red('- delete')}  ${color.red('-/+ replace')}  ${color.cyan('> adopt')}  ${color.yellow('! abandon')}`,
    '',
  );
  for (const a of changed) {
    const head = `${SYMBOL[a.action]} ${a.kind}/${a.name}`;
    const where = a.replaces ? `${a.replaces.id} -> ${a.id}` : a.id;
    lines.push(paint[a.action](color.bold(head)) + color.dim(`  (${a.action}: ${where})`));
    for (const c of a.changes) {
      if (a.action === 'create') lines.push(`    ${c.path}: ${showValue(c.after)}`);
      else if (SHOWS_BEFORE.has(a.action) && isSensitiveChange(c)) lines.push(`    ${c.path}: ${SENSITIVE_CHANGED}`);
      else if (SHOWS_BEFORE.has(a.action)) lines.push(`    ${c.path}: ${showValue(c.before)} -> ${showValue(c.after)}`);
    }
    if (a.impact) lines.push(color.red(`    impact: ${a.impact}`));
    for (const w of a.warnings) lines.push(color.yellow(`    warning: ${w}`));
    if (a.blocked) lines.push(color.red(`    refused: ${a.blocked}`));
    if (a.heldBack) lines.push(color.red(`    held back: ${a.heldBack}`));
    lines.push('');
  }
  if (warningLines.length > 0) lines.push(...warningLines, '');
  lines.push(...pruneLines);
  lines.push(...partialLines);
  lines.push(summaryLine(plan));
  return `${lines.join('\n')}\n`;
}

/** What a partial plan (--target, --exclude, one file of a stack) left out, and that the stack may not be in sync. */
export function partialWarning(p: NonNullable<Plan['partial']>): string[] {
  const n = p.skipped.length;
  return [
    `warning: partial plan (${p.reason}): ${n} resource${n === 1 ? '' : 's'} of the stack left out; nothing outside the plan is changed or pruned, and the stack is not fully in sync until a plan of all its manifests shows no changes.`,
    ...(n > 0 ? [`  skipped: ${p.skipped.join(', ')}`] : []),
  ];
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const extra = (['replace', 'adopt', 'abandon'] as const).filter((t) => s[t] > 0).map((t) => `${s[t]} to ${t}`);
  if (s.heldBack) extra.push(`${s.heldBack} held back`);
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${extra.length ? `${extra.join(', ')}, ` : ''}${s.noop} unchanged.`;
}
