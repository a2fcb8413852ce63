// A plan saved by `plan --out FILE`, applied later by `apply FILE` exactly as it was reviewed:
// the target, the manifests, the options and the observed state must all be what they were, or
// apply refuses (Terraform's stale-plan check). A plan for another target is refused as "made for"
// that target before anything is read; a stale one names the files and resources that changed.
// Secret values are not in the file; apply reads them again.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { ControllerContext } from '../contract/controller.js';
import { UserError } from '../errors.js';
import type { Target } from '../gcp/target.js';
import { packageVersion } from '../paths.js';
import { planHash, renderPlanJson } from '../report/json.js';
import { fileFingerprints, fingerprintChanges, manifestResourceFingerprints, manifestsFingerprint, observedFingerprints } from './fingerprint.js';
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
  /** --env: the environment whose variables, overrides and state the plan was made with. */
  environment?: string;
  /** What it was made for: "emulator:PROJECT" or "google:PROJECT" (targetIdentity). */
  target: string;
  state?: string;
  fingerprints: {
    /** The files, variables, options and target together. */
    manifests: string;
    /** Each manifest file's content, by path (absent in plans of older versions). */
    files?: Record<string, string>;
    /** Each manifest resource as validated, by Kind/name (absent in plans of older versions). */
    resources?: Record<string, string>;
    observed: Record<string, string>;
    plan: string;
  };
  /** The plan in its stable JSON form, for people and tools. */
  plan: unknown;
}

/** What a saved plan was made against: the kind of target and the project (an emulator's port may change). */
export const targetIdentity = (ctx: Pick<ControllerContext, 'project' | 'clients'>): string => identityOf(ctx.clients.target);
const identityOf = (t: Pick<Target, 'kind' | 'project'>): string => `${t.kind}:${t.project}`;

const parseIdentity = (identity: string): { kind: string; project: string } => {
  const sep = identity.indexOf(':');
  return { kind: identity.slice(0, sep), project: identity.slice(sep + 1) };
};

/** A target identity for people: "project p on the emulator", "project p on Google Cloud". */
export function describeIdentity(identity: string): string {
  const { kind, project } = parseIdentity(identity);
  return `project ${project} on ${kind === 'emulator' ? 'the emulator' : kind === 'google' ? 'Google Cloud' : kind}`;
}

/**
 * Refuses a saved plan made for another target before anything is read or locked: it is not stale,
 * it is someone else's plan (another project, or the emulator's plan given to Google).
 */
export function checkTarget(saved: SavedPlan, file: string, target: Target): void {
  const now = identityOf(target);
  if (saved.target === now) return;
  const { kind, project } = parseIdentity(saved.target);
  const how = kind === 'emulator' ? `--emulator URL --project ${project}` : `--project ${project}`;
  throw new UserError(
    `the saved plan ${file} was made for ${describeIdentity(saved.target)}, not ${describeIdentity(now)}: nothing was read or changed`,
    `Apply it with ${how}, or make a plan for ${describeIdentity(now)} with: musectl plan -f PATH --out plan.json`,
  );
}

/** The saved form of a plan just made, with the fingerprints apply checks. */
export function savedPlanOf(
  session: Session,
  planned: Planned,
  made: { paths: string[]; variables: Record<string, string>; options: PlanOptions; state?: string; stack?: string; environment?: string },
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
    ...(made.environment !== undefined ? { environment: made.environment } : {}),
    fingerprints: {
      manifests: manifestsFingerprint(session.set.files, made.variables, made.options, identity),
      files: fileFingerprints(session.set.files),
      resources: manifestResourceFingerprints(session.set.resources),
      observed: observedFingerprints(planned.exec, planned.observed),
      plan: planHash(planned.exec.plan),
    },
    plan: JSON.parse(renderPlanJson(planned.exec.plan)),
  };
}

/** Why a saved plan no longer describes what apply would do, or undefined when it still does. */
export function staleness(saved: SavedPlan, session: Session, planned: Planned, options: PlanOptions, variables: Record<string, string>): string | undefined {
  const identity = targetIdentity(session.ctx);
  if (saved.target !== identity) return `it was made for ${describeIdentity(saved.target)}, not ${describeIdentity(identity)}`;
  if (manifestsFingerprint(session.set.files, variables, options, identity) !== saved.fingerprints.manifests) {
    return `the manifests changed since it was made${manifestChanges(saved, session)}`;
  }
  const google = fingerprintChanges(saved.fingerprints.observed, observedFingerprints(planned.exec, planned.observed));
  const changed = [...google.changed, ...google.added, ...google.removed].sort();
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

/** Which files and which resources of the manifests changed, as " (files changed: ...; resources added: ...)". */
function manifestChanges(saved: SavedPlan, session: Session): string {
  const parts: string[] = [];
  const say = (what: string, c: { changed: string[]; added: string[]; removed: string[] }): void => {
    if (c.changed.length > 0) parts.push(`${what} changed: ${c.changed.join(', ')}`);
    if (c.added.length > 0) parts.push(`${what} added: ${c.added.join(', ')}`);
    if (c.removed.length > 0) parts.push(`${what} removed: ${c.removed.join(', ')}`);
  };
  if (saved.fingerprints.files) say('files', fingerprintChanges(saved.fingerprints.files, fileFingerprints(session.set.files)));
  if (saved.fingerprints.resources) say('resources', fingerprintChanges(saved.fingerprints.resources, manifestResourceFingerprints(session.set.resources)));
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

export type { Plan };
