// The plan as JSON: formatVersion 1, documented in the README as a stable format. Unknown values
// are written as the string "(known after apply)".

import { createHash } from 'node:crypto';
import { isUnknown } from '../contract/spec.js';
import type { Plan } from '../engine/plan.js';
import { isSensitiveChange, KNOWN_AFTER_APPLY } from './values.js';

export function renderPlanJson(plan: Plan): string {
  const doc = {
    formatVersion: plan.formatVersion,
    stack: plan.stack,
    project: plan.project,
    actions: plan.actions.map((a) => ({
      action: a.action,
      kind: a.kind,
      name: a.name,
      id: a.id,
      dependsOn: a.dependsOn,
      changes: a.changes.map((c) => ({ path: c.path, before: c.before ?? null, after: c.after ?? null, ...(isSensitiveChange(c) ? { sensitive: true } : {}) })),
      ...(a.warnings.length > 0 ? { warnings: a.warnings } : {}),
      ...(a.impact ? { impact: a.impact } : {}),
      ...(a.blocked ? { blocked: a.blocked } : {}),
      ...(a.heldBack ? { heldBack: a.heldBack } : {}),
      ...(a.ignored?.length ? { ignored: a.ignored.map((c) => ({ path: c.path, before: c.before ?? null, after: c.after ?? null })) } : {}),
      ...(a.replaces ? { replaces: a.replaces } : {}),
    })),
    wouldPrune: plan.wouldPrune,
    ...(plan.partial ? { partial: plan.partial } : {}),
    summary: plan.summary,
  };
  return `${JSON.stringify(doc, (_k, v) => (isUnknown(v) ? KNOWN_AFTER_APPLY : v), 2)}\n`;
}

/** sha256 of the canonical JSON plan: the hash of `musectl plan -o json`'s output, so anyone can check it. */
export const planHash = (plan: Plan): string => createHash('sha256').update(renderPlanJson(plan)).digest('hex');
