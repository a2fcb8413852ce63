// Replacements: a change Google cannot make in place (delete, then create the same name), and a
// move (the manifest now names another Google resource: create the new one first, then remove the
// old one by its deletion policy). Both are refused where they would lose data without
// --allow-replace; a move that only leaves the old resource behind (abandon) loses nothing.
import { type AnyController, type ControllerContext, holdsData, type Observed } from '../contract/controller.js';
import type { Resource } from '../manifest/index.js';
import { deletionPolicyOf } from './annotations.js';
import type { FieldChange } from './diff.js';
import type { PlanAction } from './plan.js';
import type { PlanOptions } from './planner.js';
import { resourceChanges } from './planner.js';

type Base = Omit<PlanAction, 'action' | 'changes'>;

async function heldBy(controller: AnyController, ctx: ControllerContext, actual: Observed): Promise<string | undefined> {
  const held = holdsData(controller) ? await controller.dataHeld(ctx, actual) : undefined;
  return held && held.count > 0 ? `${held.count}${held.more ? '+' : ''} ${held.noun}` : undefined;
}

/** A change Google cannot make in place: delete then create, refused where it would lose data. */
export async function sameIdReplacement(i: {
  r: Resource;
  base: Base;
  changes: FieldChange[];
  immutable: FieldChange[];
  actual: Observed;
  controller: AnyController;
  ctx: ControllerContext;
  options: PlanOptions;
}): Promise<PlanAction> {
  const { r, base, changes, immutable, actual, controller, ctx, options } = i;
  const fields = immutable.map((c) => c.path).join(', ');
  const holds = await heldBy(controller, ctx, actual);
  const impact = `${fields} cannot change in place: ${r.key} will be deleted and created again${holds ? `, losing the ${holds} it holds` : ''}`;
  const policy = deletionPolicyOf(r, controller);
  let blocked: string | undefined;
  if (!options.allowReplace.has(r.key) && (holds || policy === 'abandon')) {
    const why = holds ? `it holds ${holds}` : 'its deletion policy is abandon';
    blocked = `replacing it is refused because ${why}; run with --allow-replace ${r.key} to replace it anyway`;
  }
  return { ...base, action: 'replace', changes, impact, ...(blocked ? { blocked } : {}) };
}

/**
 * A manifest that now names another Google resource: the new one is created first, then the old
 * one is deleted (or left in place, with abandon). Deleting an old one that holds data needs
 * --allow-replace.
 */
export async function movedReplacement(i: {
  r: Resource;
  base: Base;
  desired: Record<string, any>;
  labels: Record<string, string>;
  old: Observed;
  controller: AnyController;
  ctx: ControllerContext;
  options: PlanOptions;
}): Promise<PlanAction> {
  const { r, base, desired, labels, old, controller, ctx, options } = i;
  const then = deletionPolicyOf(r, controller);
  const holds = then === 'delete' ? await heldBy(controller, ctx, old) : undefined;
  const fate =
    then === 'delete'
      ? `then the old one is deleted${holds ? ` with the ${holds} it holds` : ''}`
      : 'then the old one is left in place (deletion policy abandon) and no longer managed';
  // The old and new names are in the action's header (old -> new): the impact says what happens.
  const impact = `it now names another Google resource: the new one is created first, ${fate}`;
  const blocked =
    holds && !options.allowReplace.has(r.key)
      ? `replacing it is refused because the old ${old.id} holds ${holds}; run with --allow-replace ${r.key} to delete it anyway, or annotate musectl.dev/deletion-policy: abandon to keep it`
      : undefined;
  return {
    ...base,
    action: 'replace',
    changes: resourceChanges(controller, desired, labels, old),
    impact,
    replaces: { id: old.id, then },
    ...(blocked ? { blocked } : {}),
  };
}
