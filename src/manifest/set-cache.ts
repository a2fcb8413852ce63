// The checked manifest set of a process that loads the same manifests again and again (the
// watcher, every cycle; bench/warm.ts): parsing and validating 1,000 documents costs over 100 ms,
// and an unchanged set gives the same answer every time. So the answer is kept, keyed by
// everything it is made of: the paths, the files found, every file's text (read again on every
// load, so an edit is seen on the next one, whatever its mtime), the variables and options, and
// the environment's file and fields. What is not part of that answer is not cached: a Secret's
// value (a file or an environment variable, read fresh by the caller on every load). A set is kept
// from its second load on, so a command that loads its manifests once holds no more memory.
//
// Whoever loads gets a copy: its own resources (spec, labels, annotations, refs cloned), arrays
// and diagnostics, so a caller that adds implicit dependencies or renames the stack changes
// nothing cached. The parsed documents (the YAML trees and their line counters, which every
// diagnostic locates with) are shared: nothing changes them once the set is checked.
import { createHash } from 'node:crypto';
import { cloneSpec } from '../contract/spec.js';
import type { Diagnostic } from './diagnostics.js';
import type { Environment } from './environment.js';
import type { ManifestSet } from './index.js';
import type { Resource } from './resource.js';
import type { Variables } from './variables.js';

/** A set as checked before its Secrets' values are read: what a load with the same key returns. */
export interface CheckedSet extends Omit<ManifestSet, 'diagnostics'> {
  /** Every diagnostic found before the Secrets' values are read, and lint's (found after), unsorted. */
  before: Diagnostic[];
  lint: Diagnostic[];
  /** The variables the set was substituted with (for the environment document of a later load). */
  vars: Variables;
}

/** A manifest file's text as read for this load, or why it could not be read. */
export interface FileText {
  file: string;
  text?: string;
  diagnostics: Diagnostic[];
}

/** The whole input of a check: equal keys, equal answers. */
export function setKey(parts: {
  paths: string[];
  found: { files: string[]; diagnostics: Diagnostic[] };
  texts: FileText[];
  options: unknown;
  environment?: Environment;
  environmentText?: FileText;
}): string {
  const env = parts.environment;
  const environment = env && {
    // Its fields as read (before this load substitutes them), and where its document's lines start,
    // with the file's text: the overrides' errors are located in it.
    fields: { name: env.name, file: env.file, project: env.project, region: env.region, variables: env.variables, overrides: env.overrides },
    diagnostics: env.diagnostics,
    value: env.doc?.value,
    lineStarts: env.doc?.lines.lineStarts,
    text: parts.environmentText,
  };
  const hash = createHash('sha256');
  hash.update(JSON.stringify([parts.paths, parts.found, parts.texts, parts.options, environment ?? null]));
  return hash.digest('hex');
}

/**
 * The sets kept: a watcher goes round its stacks in the same order every cycle (and loads a stack
 * that uses ${PROJECT_NUMBER} twice, with a stand-in and with the number), so a bound below the
 * keys of one round would evict each set just before it is needed again. The bound is the
 * resources kept: ~5.5 MB of heap per 1,000 (measured with --expose-gc), so 10,000 (five stacks of
 * 1,000, each loaded twice) is ~55 MB; and at most 64 sets of small stacks.
 */
const MAX_SETS = 64;
const MAX_RESOURCES = 10_000;

/** Keys loaded once and not kept (yet): a set is kept the second time it is loaded. */
const MAX_SEEN = 64;

export class SetCache {
  private readonly sets = new Map<string, CheckedSet>();
  private readonly seen = new Set<string>();
  private resources = 0;

  /**
   * Whether this is the first load of the key. A command that loads its manifests once keeps
   * nothing (and makes no copy: its peak memory is what it was without a cache); a process that
   * loads the same set again (the watcher's second cycle) keeps it from then on.
   */
  firstSight(key: string): boolean {
    if (this.seen.has(key) || this.sets.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  get(key: string): CheckedSet | undefined {
    const set = this.sets.get(key);
    if (set) {
      // The most recently used last: the oldest goes first.
      this.sets.delete(key);
      this.sets.set(key, set);
    }
    return set;
  }

  set(key: string, set: CheckedSet): void {
    this.resources -= this.sets.get(key)?.resources.length ?? 0;
    this.sets.delete(key);
    this.sets.set(key, set);
    this.resources += set.resources.length;
    // The oldest go first; the newest stays, however large.
    while (this.sets.size > 1 && (this.sets.size > MAX_SETS || this.resources > MAX_RESOURCES)) {
      const [oldest, evicted] = this.sets.entries().next().value as [string, CheckedSet];
      this.sets.delete(oldest);
      this.resources -= evicted.resources.length;
    }
  }

  /** How many sets are kept (tests). */
  get size(): number {
    return this.sets.size;
  }

  clear(): void {
    this.sets.clear();
    this.seen.clear();
    this.resources = 0;
  }
}

/** What one load hands out: its own copy of everything a caller may change. */
export function copyOfChecked(c: CheckedSet): Omit<CheckedSet, 'vars'> {
  const copies = new Map(c.resources.map((r) => [r, copyOfResource(r)]));
  const copyOf = (r: Resource): Resource => copies.get(r) ?? copyOfResource(r);
  return {
    stack: copyWithShared(c.stack, 'document'),
    resources: c.resources.map(copyOf),
    before: c.before.map((d) => ({ ...d })),
    lint: c.lint.map((d) => ({ ...d })),
    placeholdersUsed: [...c.placeholdersUsed],
    variablesUsed: [...c.variablesUsed],
    files: [...c.files],
    documents: [...c.documents],
    // A reference outside the set is one of its resource's refs: the copy's.
    outside: c.outside.map((o) => {
      const from = copyOf(o.from);
      const at = o.from.refs.indexOf(o.ref);
      return { from, ref: at >= 0 ? from.refs[at] : structuredClone(o.ref) };
    }),
    ...(c.environment !== undefined ? { environment: c.environment } : {}),
  };
}

/** The resource's data cloned, its parsed document shared. */
const copyOfResource = (r: Resource): Resource => copyWithShared(r, 'doc', r.doc.aliased ? structuredClone : cloneSpec);

/**
 * A deep copy of `o` but for its `shared` field (a parsed document), keys in the same order. The
 * data is plain (what YAML's core schema gives: no Map, Set or Date), so cloneSpec's loop copies it:
 * structuredClone, which serialises and deserialises each object, cost a watcher's cycle ~9 ms at
 * 1,000 resources. A document with YAML aliases is copied by structuredClone still, which keeps
 * what the aliases share as one object, as the load made it (ManifestDocument.aliased).
 */
function copyWithShared<T extends object, K extends keyof T>(o: T, shared: K, clone: <V>(v: V) => V = cloneSpec): T {
  if (!(shared in o)) return clone(o);
  const copy = clone({ ...o, [shared]: undefined }) as T;
  copy[shared] = o[shared];
  return copy;
}
