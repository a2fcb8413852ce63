// What a watch cycle found and did, for people reading the logs: each drifted resource once, with
// its fields and what became of each (corrected, reported, ignored); a resource that is gone as
// `missing` (an API as `disabled`); and counts that add up: every drifted field lands in exactly
// one of corrected, reported, failed, backing off, held back or not attempted.
import type { ControllerRegistry } from '../contract/controller.js';
import type { ApplyResult } from './apply.js';
import { actionKey, type PlanAction } from './plan.js';

export type DriftKind = 'missing' | 'changed' | 'not in the manifests' | "not provably the stack's";
export type Outcome = 'corrected' | 'reported' | 'failed' | 'backing off' | 'held back' | 'not attempted';

export interface ResourceDrift {
  resource: string;
  drift: DriftKind;
  /** How the kind says it is gone ("disabled" for an API), when it is. */
  state?: string;
  /** The fields that differ, Google's value and the manifest's; for a change of some fields only. */
  fields?: Array<{ field: string; actual: unknown; manifest: unknown; handling: 'corrected' | 'reported' | 'ignored' }>;
  outcome: Outcome;
  /** Why, when it was not corrected. */
  reason?: string;
}

export interface DriftCounts {
  driftFound: number;
  corrected: number;
  reported: number;
  failed: number;
  backingOff: number;
  heldBack: number;
  notAttempted: number;
}

/** A resource that is there but different counts its fields; one that is missing or extra counts one. */
const weight = (d: ResourceDrift): number => d.fields?.length ?? 1;

export function cycleReport(
  actions: PlanAction[],
  result: ApplyResult | undefined,
  holding: Map<string, string>,
  controllers: ControllerRegistry,
): { drifts: ResourceDrift[]; counts: DriftCounts } {
  const done = new Set(result?.done.map(actionKey));
  const failed = new Map(result?.failed.map((f) => [actionKey(f.action), f.error]));
  const skipped = new Map(result?.skipped.map((s) => [actionKey(s.action), s.reason]));
  const drifts: ResourceDrift[] = [];
  for (const a of actions) {
    const was = a.reported?.action ?? a.action;
    if (was === 'noop' && !a.ignored?.length) continue;
    const key = actionKey(a);
    const reportedOnly = a.action === 'noop'; // every difference reported or ignored: nothing to do
    const outcome: Outcome = reportedOnly
      ? 'reported'
      : a.heldBack
        ? 'held back'
        : done.has(key)
          ? 'corrected'
          : failed.has(key)
            ? 'failed'
            : holding.has(key)
              ? 'backing off'
              : 'not attempted';
    const reason = a.heldBack ?? failed.get(key) ?? (outcome === 'not attempted' ? (skipped.get(key) ?? 'watch stopped before it') : undefined);
    const d: ResourceDrift = { resource: key, drift: kindOf(was, a), outcome, ...(reason && outcome !== 'corrected' ? { reason } : {}) };
    if (d.drift === 'missing') {
      const absent = controllers.get(a.kind)?.facts.absentAs;
      if (absent) d.state = absent;
    }
    if (was === 'update' || was === 'adopt' || (was === 'noop' && a.ignored?.length)) {
      const field = (handling: 'corrected' | 'reported' | 'ignored') => (c: { path: string; before: unknown; after: unknown }) => ({
        field: c.path,
        actual: c.before,
        manifest: c.after,
        handling,
      });
      d.fields = [...a.changes.map(field('corrected')), ...(a.reported?.changes ?? []).map(field('reported')), ...(a.ignored ?? []).map(field('ignored'))];
    }
    drifts.push(d);
  }
  const counts: DriftCounts = { driftFound: 0, corrected: 0, reported: 0, failed: 0, backingOff: 0, heldBack: 0, notAttempted: 0 };
  for (const d of drifts) {
    counts.driftFound += weight(d);
    // Within a corrected resource, its reported and ignored fields are reported, the rest corrected.
    const kept = d.fields?.filter((f) => f.handling !== 'corrected').length ?? 0;
    const rest = weight(d) - (d.outcome === 'reported' ? 0 : kept);
    counts.reported += d.outcome === 'reported' ? weight(d) : kept;
    if (d.outcome === 'corrected') counts.corrected += rest;
    if (d.outcome === 'failed') counts.failed += rest;
    if (d.outcome === 'backing off') counts.backingOff += rest;
    if (d.outcome === 'held back') counts.heldBack += rest;
    if (d.outcome === 'not attempted') counts.notAttempted += rest;
  }
  return { drifts, counts };
}

function kindOf(was: string, a: PlanAction): DriftKind {
  if (was === 'create') return 'missing';
  if (was === 'delete' || was === 'abandon') return 'not in the manifests';
  if (was === 'adopt' && a.heldBack) return "not provably the stack's";
  return 'changed';
}
