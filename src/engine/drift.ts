// Drift policy, per field, for watch: `enforce` (the default: drift is corrected) or `report`
// (drift is logged and counted, never reverted; e.g. the image CI deploys). A manifest names its
// report-only fields in the annotation musectl.dev/drift-report, comma-separated paths with []
// for any list element: "template.containers[].image, labels.version".
import type { Resource } from '../manifest/index.js';
import type { FieldChange } from './diff.js';
import { actionKey, type ExecutablePlan } from './plan.js';

export const DRIFT_REPORT_ANNOTATION = 'musectl.dev/drift-report';

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

export interface DriftReport {
  key: string;
  path: string;
  before: unknown;
  after: unknown;
}

/**
 * Applies the drift policy to a plan in place: an update whose every change is report-only
 * becomes a no-op, a mixed one keeps Google's values on its report-only paths. With observeOnly,
 * nothing is left to do. Returns the changes that are reported rather than corrected.
 */
export function applyDriftPolicy(exec: ExecutablePlan, observeOnly: boolean): DriftReport[] {
  const reported: DriftReport[] = [];
  for (const a of exec.plan.actions) {
    if (a.action === 'noop') continue;
    const key = actionKey(a);
    const ctx = exec.context.get(key);
    const patterns = reportPatterns(ctx?.resource);
    const isReported = (c: FieldChange) => observeOnly || patterns.some((p) => matchesPattern(c.path, p));
    const report = a.action === 'update' || observeOnly ? a.changes.filter(isReported) : [];
    for (const c of report) reported.push({ key, path: c.path, before: c.before, after: c.after });
    if (observeOnly || (a.action === 'update' && report.length === a.changes.length)) {
      a.action = 'noop';
    } else if (report.length > 0 && ctx) {
      ctx.preserve = report.map((c) => c.path);
    }
  }
  return reported;
}
