// A plan saved by `plan --out FILE`, applied later by `apply FILE` exactly as it was reviewed:
// the manifests, the options and the observed state must all be what they were, or apply refuses
// (Terraform's stale-plan check). Secret values are not in the file; apply reads them again.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { ControllerContext } from '../contract/controller.js';
import { UserError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { planHash, renderPlanJson } from '../report/json.js';
import { manifestsFingerprint, observedFingerprints } from './fingerprint.js';
import type { Plan } from './plan.js';
import type { PlanOptions } from './planner.js';
import type { Planned, Session } from './session.js';

export interface SavedPlan {
  formatVersion: 1;
  kind: 'musectl-saved-plan';
  createdAt: string;
  musectlVersion: string;
  /** Everything needed to rebuild the plan: the manifest paths, variables and options. */
  paths: string[];
  variables: Record<string, string>;
  options: { prune: boolean; adopt: boolean; allowReplace: string[]; allowPruneAll?: boolean; targets?: string[]; excludes?: string[] };
  /** --stack, when the manifests have no Stack document. */
  stack?: string;
  target: string;
  state?: string;
  fingerprints: { manifests: string; observed: Record<string, string>; plan: string };
  /** The plan in its stable JSON form, for people and tools. */
  plan: unknown;
}

/** What a saved plan was made against: the kind of target and the project (an emulator's port may change). */
export const targetIdentity = (ctx: Pick<ControllerContext, 'project' | 'clients'>): string => `${ctx.clients.target.kind}:${ctx.project}`;

/** The saved form of a plan just made, with the fingerprints apply checks. */
export function savedPlanOf(
  session: Session,
  planned: Planned,
  made: { paths: string[]; variables: Record<string, string>; options: PlanOptions; state?: string; stack?: string },
): SavedPlan {
  const identity = targetIdentity(session.ctx);
  return {
    formatVersion: 1,
    kind: 'musectl-saved-plan',
    createdAt: new Date().toISOString(),
    musectlVersion: packageVersion(),
    paths: made.paths,
    variables: made.variables,
    options: savedOptions(made.options),
    target: identity,
    ...(made.state !== undefined ? { state: made.state } : {}),
    ...(made.stack !== undefined ? { stack: made.stack } : {}),
    fingerprints: {
      manifests: manifestsFingerprint(session.set.files, made.variables, made.options, identity),
      observed: observedFingerprints(planned.exec, planned.observed),
      plan: planHash(planned.exec.plan),
    },
    plan: JSON.parse(renderPlanJson(planned.exec.plan)),
  };
}

/** Why a saved plan no longer describes what apply would do, or undefined when it still does. */
export function staleness(saved: SavedPlan, session: Session, planned: Planned, options: PlanOptions, variables: Record<string, string>): string | undefined {
  const identity = targetIdentity(session.ctx);
  if (saved.target !== identity) return `it was made for ${saved.target}, not ${identity}`;
  if (manifestsFingerprint(session.set.files, variables, options, identity) !== saved.fingerprints.manifests) return 'the manifests changed since it was made';
  const changed = staleResources(saved.fingerprints.observed, observedFingerprints(planned.exec, planned.observed));
  if (changed.length > 0) return `Google Cloud changed since it was made (${changed.join(', ')})`;
  if (planHash(planned.exec.plan) !== saved.fingerprints.plan) return 'the plan it makes now differs from the saved one (a secret value or an output changed)';
  return undefined;
}

/** Written for the user alone (0600): a plan names every resource and the project. */
export function writeSavedPlan(file: string, saved: SavedPlan): void {
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // a file that existed keeps its mode otherwise
}

export function readSavedPlan(file: string): SavedPlan {
  let parsed: SavedPlan;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as SavedPlan;
  } catch (err) {
    throw new UserError(`${file}: cannot read a saved plan (${(err as Error).message.split('\n')[0]})`, 'Make one with: musectl plan -f PATH --out plan.json');
  }
  if (parsed?.kind !== 'musectl-saved-plan' || parsed.formatVersion !== 1) {
    throw new UserError(`${file} is not a saved plan of this musectl version`, 'Make one with: musectl plan -f PATH --out plan.json');
  }
  return parsed;
}

const savedOptions = (o: PlanOptions): SavedPlan['options'] => ({
  prune: o.prune,
  adopt: o.adopt,
  allowReplace: [...o.allowReplace].sort(),
  ...(o.allowPruneAll ? { allowPruneAll: true } : {}),
  // A targeted plan applies only to its targets, later too.
  ...(o.targets?.length ? { targets: o.targets } : {}),
  ...(o.excludes?.length ? { excludes: o.excludes } : {}),
});
export const restoredOptions = (o: SavedPlan['options']): PlanOptions => ({
  prune: o.prune,
  adopt: o.adopt,
  allowReplace: new Set(o.allowReplace),
  allowPruneAll: Boolean(o.allowPruneAll),
  ...(o.targets?.length ? { targets: o.targets } : {}),
  ...(o.excludes?.length ? { excludes: o.excludes } : {}),
});

/** What differs between two per-resource fingerprints, for the stale-plan message. */
function staleResources(saved: Record<string, string>, now: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
  return keys.filter((k) => saved[k] !== now[k]);
}

export type { Plan };
