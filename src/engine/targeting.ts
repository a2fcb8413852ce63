// Which resources a run acts on. --target Kind/name (repeatable) narrows a plan or apply to those
// resources and what they need (their references, the APIs their kinds need); --exclude Kind/name
// leaves some out, with what depends on them. A run is partial when it is narrowed, or when its
// manifest set leaves out resources of the stack (it references some it does not include, or it
// lacks the Stack document the stack was applied with): a partial run never prunes what it simply
// did not include, and its plan names what it skipped. For destroy the directions turn around: a
// target goes with what depends on it, and an excluded resource keeps what it needs.
import { UserError } from '../errors.js';
import type { Resource } from '../manifest/index.js';
import { didYouMean } from '../manifest/suggest.js';
import { entryKey, type Inventory } from '../state/inventory.js';
import { dependenciesOf } from './graph.js';
import type { PartialRun } from './plan.js';

export interface Targeting {
  targets: string[];
  excludes: string[];
}

export const NO_TARGETING: Targeting = { targets: [], excludes: [] };

export interface Selection {
  /** The manifests' resources the run acts on. */
  resources: Resource[];
  /** Every key the manifests name (not orphans, whether selected or not). */
  named: Set<string>;
  /** For a partial run: the only inventory entries it may treat as orphans (those named by --target). */
  orphanScope?: Set<string>;
  /** For a partial run: why, and what it left alone. */
  partial?: PartialRun;
}

/** Checks that every --target and --exclude names a resource of the manifests or of the stack's inventory. */
export function checkTargets(t: Targeting, known: string[]): void {
  for (const [flag, keys] of [
    ['--target', t.targets],
    ['--exclude', t.excludes],
  ] as const) {
    for (const key of keys) {
      if (!known.includes(key)) {
        throw new UserError(
          `${flag} ${key}: no such resource in the manifests or in the stack's inventory${didYouMean(key, known)}`,
          'Name a resource as Kind/metadata.name, e.g. --target CloudRunService/sessionmuse-backend.',
        );
      }
    }
  }
}

/** The closure of `start` along `next` (dependencies or dependents), `start` included. */
function closure(start: Iterable<string>, next: (key: string) => string[]): Set<string> {
  const seen = new Set<string>();
  const walk = (k: string): void => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const n of next(k)) walk(n);
  };
  for (const k of start) walk(k);
  return seen;
}

/** What a plan or apply acts on. `inventory` tells a partial manifest set from a complete one. */
export function selectForPlan(
  resources: Resource[],
  t: Targeting,
  inventory: Inventory,
  set: { hasStackDocument: boolean; outside: string[]; stackBeside?: string },
): Selection {
  const named = new Set(resources.map((r) => r.key));
  checkTargets(t, [...new Set([...named, ...inventory.entries.map(entryKey)])].sort());
  const byKey = new Map(resources.map((r) => [r.key, r]));
  const deps = (k: string) => (byKey.has(k) ? dependenciesOf(byKey.get(k)!).filter((d) => byKey.has(d)) : []);
  const dependents = (k: string) => resources.filter((r) => dependenciesOf(r).includes(k)).map((r) => r.key);
  const wanted = t.targets.length > 0 ? closure(t.targets, deps) : new Set(named);
  const excluded = closure(t.excludes, dependents);
  for (const target of t.targets) {
    if (excluded.has(target)) {
      const because = t.excludes.find((e) => closure([e], dependents).has(target));
      throw new UserError(
        `--target ${target} is left out by --exclude ${because}: ${target === because ? 'it is excluded' : `it depends on ${because}`}`,
        'Drop one of the two.',
      );
    }
  }
  const selected = resources.filter((r) => wanted.has(r.key) && !excluded.has(r.key));
  const reasons: string[] = [];
  if (t.targets.length > 0) reasons.push(`--target ${t.targets.join(', --target ')}`);
  if (t.excludes.length > 0) reasons.push(`--exclude ${t.excludes.join(', --exclude ')}`);
  if (set.outside.length > 0) reasons.push(`the manifests reference resources of the stack they do not include (${set.outside.join(', ')})`);
  if (!set.hasStackDocument && inventory.stackDocument) reasons.push('the manifests do not include the Stack document the stack was applied with');
  if (set.stackBeside) reasons.push(`-f names part of the stack (its Stack document was taken from ${set.stackBeside})`);
  if (reasons.length === 0) return { resources, named };
  // A target the manifests no longer name is pruned alone, unless a manifest still refers to it
  // (read from the inventory): deleting it would break what refers to it.
  const orphanScope = new Set(t.targets.filter((k) => !named.has(k) && !set.outside.includes(k)));
  const acted = new Set([...selected.map((r) => r.key), ...orphanScope]);
  const skipped = [...new Set([...named, ...inventory.entries.map(entryKey)])].filter((k) => !acted.has(k) && !set.outside.includes(k)).sort();
  return { resources: selected, named, orphanScope, partial: { reason: reasons.join('; '), skipped } };
}

/** What a destroy acts on: the targets with what depends on them, minus the excluded with what they need. */
export function selectForDestroy(inventory: Inventory, t: Targeting): { keep: Set<string>; partial?: PartialRun } {
  const keys = inventory.entries.map(entryKey);
  if (t.targets.length === 0 && t.excludes.length === 0) return { keep: new Set() };
  checkTargets(t, [...keys].sort());
  const byKey = new Map(inventory.entries.map((e) => [entryKey(e), e]));
  const dependents = (k: string) => inventory.entries.filter((e) => e.dependsOn.includes(k)).map(entryKey);
  const deps = (k: string) => (byKey.get(k)?.dependsOn ?? []).filter((d) => byKey.has(d));
  const wanted = t.targets.length > 0 ? closure(t.targets, dependents) : new Set(keys);
  const kept = closure(t.excludes, deps);
  for (const target of t.targets) {
    const because = t.excludes.find((e) => closure([e], deps).has(target));
    if (because) throw new UserError(`--target ${target} is kept by --exclude ${because}, which needs it`, 'Drop one of the two.');
  }
  const keep = new Set(keys.filter((k) => !wanted.has(k) || kept.has(k)));
  const reasons = [...t.targets.map((k) => `--target ${k}`), ...t.excludes.map((k) => `--exclude ${k}`)];
  return { keep, partial: { reason: reasons.join(', '), skipped: [...keep].sort() } };
}
