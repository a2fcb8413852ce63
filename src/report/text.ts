// The plan for a terminal, Terraform-style: + create, ~ update (before -> after per field),
// - delete, and a summary line.
import type { Colors } from '../cli/output.js';
import type { Plan, PlanAction } from '../engine/plan.js';
import { isSensitiveChange, SENSITIVE_CHANGED, showValue } from './values.js';

const SYMBOL: Record<PlanAction['action'], string> = { create: '+', update: '~', delete: '-', noop: ' ' };

export function renderPlanText(plan: Plan, color: Colors): string {
  const paint: Record<PlanAction['action'], (s: string) => string> = { create: color.green, update: color.yellow, delete: color.red, noop: (s) => s };
  const changed = plan.actions.filter((a) => a.action !== 'noop');
  const lines: string[] = [];
  // Warnings of unchanged resources still matter (a secret whose value source is missing).
  const quietWarnings = plan.actions.filter((a) => a.action === 'noop' && a.warnings.length > 0);
  const warningLines = quietWarnings.flatMap((a) => a.warnings.map((w) => color.yellow(`warning: ${a.kind}/${a.name}: ${w}`)));
  if (changed.length === 0) {
    lines.push(...warningLines, `No changes. Project ${plan.project} matches the manifests (${plan.summary.noop} resources).`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Stack ${plan.stack} on project ${plan.project}: ${color.green('+ create')}  ${color.yellow('~ update')}  ${color.red('- delete')}`, '');
  for (const a of changed) {
    const head = `${SYMBOL[a.action]} ${a.kind}/${a.name}`;
    lines.push(paint[a.action](color.bold(head)) + color.dim(`  (${a.action}: ${a.id})`));
    for (const c of a.changes) {
      if (a.action === 'create') lines.push(`    ${c.path}: ${showValue(c.after)}`);
      else if (a.action === 'update' && isSensitiveChange(c)) lines.push(`    ${c.path}: ${SENSITIVE_CHANGED}`);
      else if (a.action === 'update') lines.push(`    ${c.path}: ${showValue(c.before)} -> ${showValue(c.after)}`);
    }
    for (const w of a.warnings) lines.push(color.yellow(`    warning: ${w}`));
    lines.push('');
  }
  if (warningLines.length > 0) lines.push(...warningLines, '');
  lines.push(summaryLine(plan));
  return `${lines.join('\n')}\n`;
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.noop} unchanged.`;
}
