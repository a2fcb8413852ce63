// Fingerprints that tell whether a saved plan still holds: one of the manifests (files, variables,
// options, target) and one per observed resource. Secret values are never hashed into them: a
// saved plan is a file people pass around, and a hash of a short secret can be brute-forced.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isSensitive, isUnknown } from '../contract/spec.js';
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
