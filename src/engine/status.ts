// musectl status: one row per resource of the stack, from the plan (the same list calls, nothing
// more): whether it exists, is the stack's, matches the manifests, and how Google says it is doing
// (the kind's ReportsHealth: a Cloud Run service whose latest revision failed is degraded). Plain
// data; src/report/status.ts renders it.
import { type ControllerRegistry, type ResourceHealth, reportsHealth } from '../contract/controller.js';
import { type WatcherCycleStatus, type WatcherHealth, type WatcherStatus, watcherHealth } from '../state/watcher-status.js';
import { withValues } from './outputs.js';
import { actionKey, type PlanAction } from './plan.js';
import type { Planned } from './session.js';

/**
 * ready: exists, is the stack's, matches the manifests and Google says it is healthy; degraded and
 * progressing: Google's view (ResourceHealth); drifted: differs from the manifests; missing: not
 * in Google Cloud; not ours: exists but the stack cannot prove it made it; orphaned: the stack owns
 * it but the manifests no longer name it.
 */
export type StatusState = 'ready' | 'degraded' | 'progressing' | 'drifted' | 'missing' | 'not ours' | 'orphaned';

export const STATUS_STATES: StatusState[] = ['ready', 'degraded', 'progressing', 'drifted', 'missing', 'not ours', 'orphaned'];

export interface ResourceStatus extends Omit<ResourceHealth, 'state'> {
  kind: string;
  name: string;
  id: string;
  state: StatusState;
  /** Fields that differ from the manifests (what apply would change). */
  drift: number;
  driftedFields: string[];
  /** The outputs a person needs (a service's URL, an account's email). */
  outputs: Record<string, string>;
}

export interface StackStatus {
  stack: string;
  project: string;
  resources: ResourceStatus[];
  summary: Record<StatusState, number>;
  /** Every resource ready: exists, ours, healthy, no drift, nothing orphaned. */
  inSync: boolean;
  /** The watcher's last cycle, when a watcher writes one beside the inventory (watch). */
  watcher?: WatcherReport;
}

/** What the watcher last wrote, and how healthy that is now (stale after two intervals). */
export interface WatcherReport extends WatcherHealth {
  lastCycle: WatcherCycleStatus;
  intervalMs: number;
  writer: string;
  musectlVersion: string;
}

export function watcherReport(status: WatcherStatus, now: number): WatcherReport {
  const { lastCycle, intervalMs, writer, musectlVersion } = status;
  return { ...watcherHealth(status, now), lastCycle, intervalMs, writer, musectlVersion };
}

export function stackStatus(planned: Planned, controllers: ControllerRegistry): StackStatus {
  const { exec } = planned;
  const rows: ResourceStatus[] = exec.plan.actions.map((a) => rowOf(a, planned, controllers));
  for (const o of exec.plan.wouldPrune) {
    const why = `no longer in the manifests; apply --prune would ${o.deletionPolicy === 'delete' ? 'delete' : 'abandon'} it`;
    rows.push({ kind: o.kind, name: o.name, id: o.id, state: 'orphaned', message: why, drift: 0, driftedFields: [], outputs: {} });
  }
  rows.sort((x, y) => x.kind.localeCompare(y.kind) || x.name.localeCompare(y.name));
  const summary = Object.fromEntries(STATUS_STATES.map((s) => [s, 0])) as Record<StatusState, number>;
  for (const r of rows) summary[r.state]++;
  return { stack: exec.plan.stack, project: exec.plan.project, resources: rows, summary, inSync: rows.every((r) => r.state === 'ready') };
}

function rowOf(a: PlanAction, planned: Planned, controllers: ControllerRegistry): ResourceStatus {
  const c = planned.exec.context.get(actionKey(a));
  const controller = controllers.get(a.kind);
  const observed = c?.observed;
  const health = observed && controller && reportsHealth(controller) ? controller.health(observed) : undefined;
  const shown = controller?.facts.shownOutputs ?? [];
  const outputs = Object.fromEntries(Object.entries(withValues(observed?.outputs)).filter(([k]) => shown.includes(k)));
  const drifting = a.action === 'update' || a.action === 'replace' || a.action === 'adopt';
  const drifted = drifting ? a.changes.map((ch) => ch.path) : [];
  const { state: healthState, message: healthMessage, ...details } = health ?? { state: 'ready' as const };
  const base = { kind: a.kind, name: a.name, id: a.id, drift: drifted.length, driftedFields: drifted, outputs, ...details };
  if (!c?.resource) return { ...base, state: 'orphaned', message: a.warnings[0] ?? 'no longer in the manifests' };
  if (a.action === 'create') return { ...base, state: 'missing', message: a.blocked ?? 'not in Google Cloud: apply creates it' };
  if (a.heldBack || a.action === 'adopt') return { ...base, state: 'not ours', message: a.heldBack ?? 'exists, but this stack did not create it' };
  if (healthState !== 'ready') return { ...base, state: healthState, ...(healthMessage ? { message: healthMessage } : {}) };
  if (drifted.length > 0)
    return { ...base, state: 'drifted', message: a.action === 'replace' ? (a.impact ?? 'apply replaces it') : 'differs from the manifests' };
  return { ...base, state: 'ready' };
}
