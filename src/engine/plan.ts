// The plan: one data structure of ordered actions, which every renderer reads and apply executes.
// Its JSON form ({"formatVersion": 1, ...}) is a stable, documented format (README).
import type { Resource } from '../manifest/index.js';
import type { FieldChange } from './diff.js';
import type { Observed } from './controller.js';

export type ActionType = 'create' | 'update' | 'delete' | 'noop';

export interface PlanAction {
  action: ActionType;
  kind: string;
  name: string;
  /** Google's full resource name. */
  id: string;
  /** "Kind/name" of the resources this one waits for. */
  dependsOn: string[];
  changes: FieldChange[];
  /** Things a reviewer should know (shown in every report). */
  warnings: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
}

export interface Plan {
  formatVersion: 1;
  stack: string;
  project: string;
  actions: PlanAction[];
  summary: PlanSummary;
}

/** What apply needs beyond the plan: the manifest and the observed state behind each action. */
export interface ActionContext {
  resource?: Resource;
  observed?: Observed;
}

export interface ExecutablePlan {
  plan: Plan;
  context: Map<string, ActionContext>;
}

export const actionKey = (a: { kind: string; name: string }): string => `${a.kind}/${a.name}`;

export function summarize(actions: PlanAction[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, noop: 0 };
  for (const a of actions) s[a.action]++;
  return s;
}

export const hasChanges = (plan: Plan): boolean => plan.actions.some((a) => a.action !== 'noop');
