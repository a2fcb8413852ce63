// A plan saved by `plan --out FILE`, applied later by `apply FILE` exactly as it was reviewed:
// the manifests, the options and the observed state must all be what they were, or apply refuses
// (Terraform's stale-plan check). Secret values are not in the file; apply reads them again.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { Plan } from './plan.js';
import type { PlanOptions } from './planner.js';

export interface SavedPlan {
  formatVersion: 1;
  kind: 'musectl-saved-plan';
  createdAt: string;
  musectlVersion: string;
  /** Everything needed to rebuild the plan: the manifest paths, variables and options. */
  paths: string[];
  variables: Record<string, string>;
  options: { prune: boolean; adopt: boolean; allowReplace: string[] };
  target: string;
  state?: string;
  fingerprints: { manifests: string; observed: Record<string, string>; plan: string };
  /** The plan in its stable JSON form, for people and tools. */
  plan: unknown;
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

export const savedOptions = (o: PlanOptions): SavedPlan['options'] => ({ prune: o.prune, adopt: o.adopt, allowReplace: [...o.allowReplace].sort() });
export const restoredOptions = (o: SavedPlan['options']): PlanOptions => ({ prune: o.prune, adopt: o.adopt, allowReplace: new Set(o.allowReplace) });

/** What differs between two per-resource fingerprints, for the stale-plan message. */
export function staleResources(saved: Record<string, string>, now: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort();
  return keys.filter((k) => saved[k] !== now[k]);
}

export type { Plan };
