// Fields whose drift is not corrected. Two annotations name them, as comma-separated paths (or a
// YAML list) with [] for any list element ("template.containers[].image, labels.version"):
//   musectl.dev/ignore-changes  managed elsewhere (CI deploys the image): set on create, never
//                               changed afterwards by apply or watch; its drift is shown, not reverted.
//   musectl.dev/drift-report    watch only: its drift is logged and counted, never reverted by the
//                               watcher; apply still enforces it (a person applying means it).
// Watch with --observe-only reports everything. The policy is an input of planning: the plan that
// comes out already says what is ignored and what is reported, and what is left to do.
import { pathPattern } from '../contract/spec.js';
import type { Resource } from '../manifest/index.js';
import { annotationList } from './annotations.js';
import type { FieldChange } from './diff.js';
import type { PlanAction } from './plan.js';

export const DRIFT_REPORT_ANNOTATION = 'musectl.dev/drift-report';
export const IGNORE_CHANGES_ANNOTATION = 'musectl.dev/ignore-changes';

/** enforce: correct everything but ignore-changes (plan, apply); annotated: honour drift-report too (watch); observe-only: report everything. */
export type DriftMode = 'enforce' | 'annotated' | 'observe-only';

export const reportPatterns = (r: Resource | undefined): string[] => annotationList(r, DRIFT_REPORT_ANNOTATION);
export const ignorePatterns = (r: Resource | undefined): string[] => annotationList(r, IGNORE_CHANGES_ANNOTATION);

/** Whether a change path falls under a pattern (the field itself or anything inside it). */
export function matchesPattern(path: string, pattern: string): boolean {
  const generic = pathPattern(path);
  return generic === pattern || generic.startsWith(`${pattern}.`) || generic.startsWith(`${pattern}[`);
}

/**
 * An action under the drift policy. On an update (or an adopt), changes under ignore-changes move
 * to `ignored` and changes the watcher only reports move to `reported`; Google's values stay on
 * their paths (`preserve`), and an action left with nothing to do becomes a no-op. A create sets
 * every field. Under observe-only nothing is left to do; what would have been done is `reported`,
 * with the action it would have been.
 */
export function underDriftPolicy(action: PlanAction, resource: Resource | undefined, mode: DriftMode): { action: PlanAction; preserve?: string[] } {
  if (action.action === 'noop') return { action };
  if (mode === 'observe-only') {
    return { action: { ...action, action: 'noop', changes: [], reported: { action: action.action, changes: action.changes } } };
  }
  if (action.action !== 'update' && action.action !== 'adopt') return { action };
  const ignore = ignorePatterns(resource);
  const report = mode === 'annotated' ? reportPatterns(resource) : [];
  const under = (c: FieldChange, patterns: string[]) => patterns.some((p) => matchesPattern(c.path, p));
  const ignored = action.changes.filter((c) => under(c, ignore));
  const reported = action.changes.filter((c) => !under(c, ignore) && under(c, report));
  if (ignored.length === 0 && reported.length === 0) return { action };
  const kept = action.changes.filter((c) => !ignored.includes(c) && !reported.includes(c));
  const next: PlanAction = {
    ...action,
    // An update with nothing left is a no-op; an adopt still takes the resource over.
    action: action.action === 'update' && kept.length === 0 ? 'noop' : action.action,
    changes: kept,
    ...(ignored.length > 0 ? { ignored } : {}),
    ...(reported.length > 0 ? { reported: { action: action.action, changes: reported } } : {}),
  };
  return { action: next, preserve: [...ignored, ...reported].map((c) => c.path) };
}
