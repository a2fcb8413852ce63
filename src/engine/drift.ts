// Drift policy, per field: `enforce` (the default: drift is corrected) or `report` (drift is logged
// and counted, never reverted; e.g. the image CI deploys). A manifest names its report-only fields
// in the annotation musectl.dev/drift-report, comma-separated paths with [] for any list element:
// "template.containers[].image, labels.version". Watch plans with the annotations honoured (or
// with everything report-only under --observe-only); plan and apply enforce every field. The
// policy is an input of planning: the plan that comes out already says what is reported.
import type { Resource } from '../manifest/index.js';
import type { FieldChange } from './diff.js';
import type { PlanAction } from './plan.js';

export const DRIFT_REPORT_ANNOTATION = 'musectl.dev/drift-report';

/** enforce: correct everything (plan, apply); annotated: honour drift-report (watch); observe-only: report everything. */
export type DriftMode = 'enforce' | 'annotated' | 'observe-only';

export function reportPatterns(r: Resource | undefined): string[] {
  const raw = r?.annotations[DRIFT_REPORT_ANNOTATION];
  return raw
    ? raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : [];
}

/** Whether a change path falls under a pattern (the field itself or anything inside it). */
export function matchesPattern(path: string, pattern: string): boolean {
  const generic = path.replace(/\[\d+\]/g, '[]');
  return generic === pattern || generic.startsWith(`${pattern}.`) || generic.startsWith(`${pattern}[`);
}

/**
 * An action under the drift policy: an update whose every change is report-only becomes a no-op,
 * a mixed one keeps Google's values on its report-only paths (`preserve`). Under observe-only
 * nothing is left to do. What is reported rides on the action (`reported`), with the action that
 * would otherwise have run.
 */
export function underDriftPolicy(action: PlanAction, resource: Resource | undefined, mode: DriftMode): { action: PlanAction; preserve?: string[] } {
  if (mode === 'enforce' || action.action === 'noop') return { action };
  const patterns = reportPatterns(resource);
  const isReported = (c: FieldChange) => mode === 'observe-only' || patterns.some((p) => matchesPattern(c.path, p));
  const report = action.action === 'update' || mode === 'observe-only' ? action.changes.filter(isReported) : [];
  if (mode === 'observe-only' || (action.action === 'update' && report.length === action.changes.length)) {
    if (report.length === 0 && mode !== 'observe-only') return { action };
    const kept = action.changes.filter((c) => !report.includes(c));
    return { action: { ...action, action: 'noop', changes: kept, reported: { action: action.action, changes: report } } };
  }
  if (report.length === 0) return { action };
  return {
    action: { ...action, changes: action.changes.filter((c) => !report.includes(c)), reported: { action: action.action, changes: report } },
    preserve: report.map((c) => c.path),
  };
}
