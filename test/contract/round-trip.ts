// The field round-trip: every field of a kind's schema is set in a manifest, applied, planned again
// (no change), changed (exactly that change), and removed (back to what Google had before it was
// set), against the emulator through the real controllers and the engine. A field that does not
// converge, that drags other fields into a change, or that cannot be removed fails here. Each kind's
// cases are data (round-trip-cases-*.ts); `schemaLeaves` makes sure no field of the schema is left
// without one.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { allControllers } from '../../controllers/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { controllerFor, idOf, normalized, scopeOf } from '../../src/contract/controller.js';
import { cloneSpec, deepEqual } from '../../src/contract/spec.js';
import { applyWithInventory } from '../../src/engine/pipeline.js';
import { DEFAULT_PLAN_OPTIONS } from '../../src/engine/planner.js';
import { observeAndPlan, openSession, type Session } from '../../src/engine/session.js';
import { createLogger } from '../../src/log.js';
import { deref, type JsonSchema } from '../../src/manifest/schema-walk.js';
import { readSchemas } from '../../src/manifest/schemas.js';
import { exportRoundTrip } from './export-check.js';

export const CONTROLLERS = allControllers();
export const PROJECT = 'round-trip-project';

export type ManifestPath = Array<string | number>;

export interface FieldCase {
  /** Where the field is in the manifest, under spec. */
  at: ManifestPath;
  /** The value set there. */
  set: unknown;
  /** The edit that changes it: a path under `at` (or none: `at` itself) and its new value. */
  change: { at?: ManifestPath; to: unknown };
  /**
   * The plan's paths of that change (list items by key or index), e.g.
   * ["template.containers[0].livenessProbe.periodSeconds"]: exactly these, in the plan's order.
   */
  changePaths: string[];
  /** The plan's path under which setting and removing it show (default: `at` in plan form). */
  planPath?: string;
  /** Other plan paths setting or removing it may show (Google's default startup probe follows the port). */
  also?: string[];
  /** Fields of the base the case takes out (a serviceAccount replaces the base's serviceAccountRef). */
  without?: ManifestPath[];
  /** The change writes Google's default (a boolean set to true, changed back to false): removing it then changes nothing. */
  changeToDefault?: boolean;
  /** Google's own choice when left out (no default in the schema): removing it leaves it as it is, as the README says. */
  leftToGoogle?: boolean;
  /** Google cannot change it in place: setting, changing and removing it each replace the resource. */
  replaces?: boolean;
  /** With replaces: the change itself is made in place (a replication's key, where its form is not). */
  changeInPlace?: boolean;
  /** The field has one value only (object retention is Enabled or absent): there is nothing to change it to; why. */
  noChange?: string;
  /** Other manifests the case needs (a bucket to mount, a grant), added for the case. */
  extra?: string;
  /** Other fields the case must set for the field to be valid (a MANUAL scaling mode for a manual count). */
  with?: Array<{ at: ManifestPath; value: unknown }>;
}

export interface KindRoundTrip {
  kind: string;
  name: string;
  /** The manifest's spec without any of the cases' fields. */
  base: Record<string, any>;
  /** Manifests the base needs (accounts, grants). */
  extra?: string;
  cases: FieldCase[];
  /** Schema leaves no case sets, each with why (identity fields, which the contract suite replaces). */
  notRoundTripped?: Record<string, string>;
}

const setPath = (obj: any, path: ManifestPath, value: unknown): void => {
  let cur = obj;
  for (const [i, seg] of path.slice(0, -1).entries()) {
    if (cur[seg] === undefined) cur[seg] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[seg];
  }
  cur[path[path.length - 1]] = value;
};

/** The plan's form of a manifest path: template.containers[0].livenessProbe. */
export const planPathOf = (path: ManifestPath): string => path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');

/**
 * The leaves of a kind's spec schema, with [] for list items: scalars, maps, references and lists
 * of scalars (what a manifest sets as one value). Each comes with the field it is in its schema
 * definition: a leaf of a definition used in several places (a probe: startup, liveness,
 * readiness) is round-tripped once through any of them, since one piece of code handles them all.
 */
export function schemaLeaves(kind: string): Array<{ path: string; field: string }> {
  const { schemas } = readSchemas();
  const byId = new Map(schemas.map((s) => [s.$id as string, s]));
  const file = schemas.find((s) => s.properties?.kind?.const === kind)!;
  const out: Array<{ path: string; field: string }> = [];
  const walk = (node: JsonSchema, f: JsonSchema, path: string, field: string, depth: number): void => {
    const ref = typeof node.$ref === 'string' && node.$ref.includes('/$defs/') && !node.$ref.includes('common.schema.json') ? node.$ref : undefined;
    const here = ref ? ref.replace(/^#/, `${f.$id}#`) : field;
    const [n, nf] = deref(node, f, byId);
    if (depth > 12) return;
    const join = (a: string, k: string) => (a.endsWith('#') || a.endsWith('/') ? `${a}${k}` : a ? `${a}.${k}` : k);
    if (n.properties && !n['x-musectl-ref']) {
      for (const [k, child] of Object.entries(n.properties as Record<string, JsonSchema>))
        walk(child, nf, path ? `${path}.${k}` : k, join(ref ? `${here}/` : here, k), depth + 1);
      return;
    }
    if (n.items) {
      const [items] = deref(n.items, nf, byId);
      if (items.properties && !items['x-musectl-ref']) {
        walk(n.items, nf, `${path}[]`, `${here}[]`, depth + 1);
        return;
      }
    }
    out.push({ path, field: here });
  };
  walk(file.properties.spec, file, '', '', 0);
  return out;
}

/** The schema leaves a case's value reaches: its path, and every leaf below it in the value set. */
export function leavesOf(c: FieldCase): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)) for (const x of v) walk(x, `${path}[]`);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
    out.push(path);
  };
  const base = c.at
    .map((seg) => (typeof seg === 'number' ? '[]' : `.${seg}`))
    .join('')
    .replace(/^\./, '')
    .replace(/\.\[\]/g, '[]');
  walk(c.set, base);
  for (const w of c.with ?? [])
    walk(
      w.value,
      w.at
        .map((seg) => (typeof seg === 'number' ? '[]' : `.${seg}`))
        .join('')
        .replace(/^\./, '')
        .replace(/\.\[\]/g, '[]'),
    );
  return out;
}

export interface Harness {
  dir: string;
  write(spec: Record<string, any>, extra?: string): void;
  /** Plans the manifests as they are: the changes of the kind's resource, and the action. */
  plan(): Promise<{ action: string; paths: string[] }>;
  apply(allowReplace?: boolean): Promise<{ action: string; paths: string[] }>;
  observedSpec(): Promise<Record<string, any> | undefined>;
  /** What export writes for the resource, planned against it: export's problems and the changes. */
  exported(): Promise<{ problems: string[]; changes: string[] }>;
}

export function harness(emu: () => RunningEmulator, rt: KindRoundTrip): Harness {
  const dir = mkdtempSync(join(tmpdir(), `musectl-round-trip-${rt.kind}-`));
  writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata: { name: round-trip }\n');
  const key = `${rt.kind}/${rt.name}`;
  const session = (): Promise<Session> =>
    openSession({
      controllers: CONTROLLERS,
      paths: [dir],
      variables: {},
      target: { kind: 'emulator', project: PROJECT, url: new URL(emu().url) },
      log: createLogger('silent'),
      state: join(dir, '.state'),
      writes: true,
      consistencyTimeoutMs: 0,
    });
  const summary = (actions: Array<{ kind: string; name: string; action: string; changes?: Array<{ path: string }> }>) => {
    const a = actions.find((x) => `${x.kind}/${x.name}` === key);
    const others = actions.filter((x) => `${x.kind}/${x.name}` !== key && x.action !== 'noop').map((x) => `${x.action} ${x.kind}/${x.name}`);
    return { action: [a?.action ?? 'none', ...others].join(', '), paths: (a?.changes ?? []).map((c) => c.path) };
  };
  return {
    dir,
    write(spec, extra) {
      const doc = { apiVersion: 'musectl.dev/v1alpha1', kind: rt.kind, metadata: { name: rt.name }, spec };
      writeFileSync(join(dir, 'sample.yaml'), [stringify(doc), rt.extra, extra].filter(Boolean).join('---\n'));
    },
    async plan() {
      const s = await session();
      try {
        const { exec } = await observeAndPlan(s, DEFAULT_PLAN_OPTIONS);
        return summary(exec.plan.actions);
      } finally {
        await s.close();
      }
    },
    async apply(allowReplace = false) {
      const s = await session();
      try {
        const planned = await observeAndPlan(s, allowReplace ? { ...DEFAULT_PLAN_OPTIONS, allowReplace: new Set([key]) } : DEFAULT_PLAN_OPTIONS);
        const result = await applyWithInventory(s, planned, { parallelism: 4, listener: () => undefined });
        if (result.failed.length > 0) throw new Error(`apply failed: ${JSON.stringify(result.failed)}`);
        const blocked = planned.exec.plan.actions.filter((a) => a.blocked || a.heldBack);
        if (blocked.length > 0) throw new Error(`held back: ${JSON.stringify(blocked)}`);
        return summary(planned.exec.plan.actions);
      } finally {
        await s.close();
      }
    },
    async exported() {
      const s = await session();
      try {
        const c = controllerFor(CONTROLLERS, rt.kind);
        const r = s.set.resources.find((x) => x.key === key)!;
        const found = (await c.observe(s.ctx, scopeOf(c, r, s.ctx))).get(idOf(c, r, s.ctx))!;
        return exportRoundTrip(CONTROLLERS, c, r, found, s.set.resources, s.ctx);
      } finally {
        await s.close();
      }
    },
    async observedSpec() {
      const s = await session();
      try {
        const c = controllerFor(CONTROLLERS, rt.kind);
        const r = s.set.resources.find((x) => x.key === key)!;
        const found = (await c.observe(s.ctx, scopeOf(c, r, s.ctx))).get(idOf(c, r, s.ctx));
        // A secret's value shows as "(sensitive value)": it is compared as written, never as read.
        return found ? (JSON.parse(JSON.stringify(normalized(c, cloneSpec(found.spec)))) as Record<string, any>) : undefined;
      } finally {
        await s.close();
      }
    },
  };
}

/** The manifest spec of a case: the base with the case's field (and what it needs) set. */
export function withField(base: Record<string, any>, c: FieldCase, value: unknown = c.set): Record<string, any> {
  const spec = structuredClone(base);
  for (const path of c.without ?? []) {
    const parent = path.slice(0, -1).reduce<any>((o, k) => o?.[k], spec);
    if (parent) delete parent[path[path.length - 1]];
  }
  for (const w of c.with ?? []) setPath(spec, w.at, structuredClone(w.value));
  setPath(spec, c.at, structuredClone(value));
  return spec;
}

/** The case's field with its change made. */
export function changedValue(c: FieldCase): unknown {
  if (!c.change.at || c.change.at.length === 0) return structuredClone(c.change.to);
  const v = structuredClone(c.set) as any;
  setPath(v, c.change.at, structuredClone(c.change.to));
  return v;
}

export const sameSpec = (a: unknown, b: unknown): boolean => deepEqual(a, b);
