// Fingerprints that tell whether a saved plan still holds: one of the manifests (files, variables,
// options, target) and one per observed resource. Secret values are never hashed into them: a
// saved plan is a file people pass around, and a hash of a short secret can be brute-forced.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isSensitive, isUnknown } from '../contract/spec.js';
import type { Resource } from '../manifest/index.js';
import type { ObservedState } from './observe.js';
import type { ExecutablePlan } from './plan.js';
import type { PlanOptions } from './planner.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** JSON with sorted keys, secrets replaced by a marker. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (isSensitive(x)) return '(sensitive)';
    if (isUnknown(x)) return x;
    if (x && typeof x === 'object' && !Array.isArray(x))
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, (x as Record<string, unknown>)[k]]),
      );
    return x;
  });
}

/** A short hash of each manifest file's content, by path: a stale plan names the files that changed. */
export function fileFingerprints(files: string[]): Record<string, string> {
  return Object.fromEntries([...files].sort().map((f) => [f, sha256(readFileSync(f, 'utf8')).slice(0, 16)]));
}

/** A short hash of each manifest resource as validated (variables substituted, defaults filled in), by key. */
export function manifestResourceFingerprints(resources: Resource[]): Record<string, string> {
  const out = resources.map((r) => [r.key, sha256(canonical({ spec: r.spec, labels: r.labels, annotations: r.annotations })).slice(0, 16)] as const);
  return Object.fromEntries(out.sort(([a], [b]) => a.localeCompare(b)));
}

/** What differs between two fingerprint maps: keys whose hash changed, keys only now there, keys gone. */
export function fingerprintChanges(before: Record<string, string>, now: Record<string, string>): { changed: string[]; added: string[]; removed: string[] } {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  return {
    changed: keys.filter((k) => k in before && k in now && before[k] !== now[k]),
    added: keys.filter((k) => !(k in before)),
    removed: keys.filter((k) => !(k in now)),
  };
}

export function manifestsFingerprint(files: string[], variables: Record<string, string>, options: PlanOptions, target: string): string {
  const parts = [...files].sort().map((f) => `${f}\n${readFileSync(f, 'utf8')}`);
  return sha256(canonical({ files: parts, variables, options: { ...options, allowReplace: [...options.allowReplace].sort() }, target }));
}

/** A short hash per resource the plan is about (its spec and labels as observed; "absent" when missing). */
export function observedFingerprints(exec: ExecutablePlan, observed: ObservedState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, c] of exec.context) {
    const o = c.observed ?? observed.byKey.get(key);
    out[key] = o ? sha256(canonical({ spec: o.spec, labels: o.labels })).slice(0, 16) : 'absent';
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
