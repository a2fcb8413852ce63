// The plan: one data structure of ordered actions, which every renderer reads and apply executes.
// Its JSON form ({"formatVersion": 1, ...}) is a stable, documented format (README).

import type { Observed } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import type { InventoryEntry } from '../state/inventory.js';
import type { FieldChange } from './diff.js';

/**
 * create, update, delete and noop as usual; adopt: take over an existing resource this stack did
 * not create (with --adopt); replace: delete then create, for a change Google cannot make in place;
 * abandon: stop managing a resource removed from the manifests, leaving it in place.
 */
export type ActionType = 'create' | 'update' | 'delete' | 'noop' | 'adopt' | 'replace' | 'abandon';

export const ACTION_TYPES: ActionType[] = ['create', 'update', 'replace', 'adopt', 'delete', 'abandon', 'noop'];

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
  /** Why apply will refuse this action (and so the whole apply), if it will. */
  blocked?: string;
  /**
   * Why this one resource is held back (no evidence that the stack owns it): apply leaves it and
   * what depends on it alone, applies the rest, and exits 1.
   */
  heldBack?: string;
  /**
   * For a replace whose Google resource moved (a grant's member, a service's region, a name from a
   * variable): the old resource, removed after the new one exists, by its deletion policy.
   */
  replaces?: { id: string; then: 'delete' | 'abandon' };
  /** For delete, replace and abandon: what is lost or left behind. */
  impact?: string;
  /** For a grant (a kind with the Grants capability): who gets which role on what. */
  grant?: GrantInfo;
  /** For a grant that replaces another (its member, role or resource changed): the one removed. */
  previousGrant?: GrantInfo;
  /** Drift under musectl.dev/ignore-changes: managed elsewhere, shown but never reverted. */
  ignored?: FieldChange[];
  /** Drift the drift policy reports instead of correcting (watch), with the action it would have been. */
  reported?: { action: ActionType; changes: FieldChange[] };
}

/** An IAM grant, as reports show it: role, member, and the resource whose policy holds it. */
export interface GrantInfo {
  role: string;
  member: string;
  resourceKind: string;
  /** The resource's Google name. */
  resource: string;
}

/** A resource this stack owns that the manifests no longer name. */
export interface Orphan {
  kind: string;
  name: string;
  id: string;
  deletionPolicy: 'delete' | 'abandon';
}

/** A run that acts on part of the stack (--target, --exclude, one file of a stack): why, and what it left alone. */
export interface PartialRun {
  reason: string;
  /** Keys ("Kind/name") of the stack's resources it did not plan: they may not be in sync. */
  skipped: string[];
}

/** Actions by type; a held-back action counts under heldBack (present only when there is one), not its type. */
export type PlanSummary = Record<ActionType, number> & { heldBack?: number };

export interface Plan {
  formatVersion: 1;
  stack: string;
  project: string;
  actions: PlanAction[];
  /** Resources the stack owns that are no longer in the manifests, when not pruning (--prune deletes them). */
  wouldPrune: Orphan[];
  summary: PlanSummary;
  /** Set when the plan covers part of the stack: nothing outside it is changed or pruned. */
  partial?: PartialRun;
}

/** What apply needs beyond the plan: the manifest and the observed state behind each action. */
export interface ActionContext {
  resource?: Resource;
  observed?: Observed;
  /** For a resource removed from the manifests: what the inventory knew of it. */
  orphan?: InventoryEntry;
  /** Paths whose drift is only reported (watch's drift policy): apply keeps Google's value there. */
  preserve?: string[];
  /** For a replace that moves the resource: the old one as observed (removed once the new one exists). */
  replaced?: Observed;
  /** For a move from a name made from variables: the key of the old inventory entry, dropped once done. */
  movedFrom?: string;
  /** For a replacement: whether what the resource holds goes with it (allowed by --allow-replace). */
  force?: boolean;
  /** An inventory entry that no longer stands for a resource of the stack: apply drops it. */
  forget?: boolean;
}

export interface ExecutablePlan {
  plan: Plan;
  context: Map<string, ActionContext>;
}

export const actionKey = (a: { kind: string; name: string }): string => `${a.kind}/${a.name}`;

export function summarize(actions: PlanAction[]): PlanSummary {
  const s = Object.fromEntries(ACTION_TYPES.map((t) => [t, 0])) as PlanSummary;
  for (const a of actions) {
    if (a.heldBack) s.heldBack = (s.heldBack ?? 0) + 1;
    else s[a.action]++;
  }
  return s;
}

export const hasChanges = (plan: Plan): boolean => plan.actions.some((a) => a.action !== 'noop');

/** Resources apply leaves alone this time (and what depends on them), with why. */
export const heldBack = (plan: Plan): string[] => plan.actions.filter((a) => a.heldBack).map((a) => `${a.kind}/${a.name}: ${a.heldBack}`);

/** Reasons apply must refuse the plan as a whole (nothing is done when there is one). */
export const blockers = (plan: Plan): string[] => plan.actions.filter((a) => a.blocked).map((a) => `${a.kind}/${a.name}: ${a.blocked}`);
