// Environments: one set of manifests, several places to apply it. `--env prod` reads
// environments/prod.yaml beside the Stack document (kind Environment, schema/Environment.schema.json):
// the project, the region, values of the Stack's variables, and per-resource overrides as JSON merge
// patches (RFC 7386: maps merge key by key, null removes, a list replaces the list). Patched fields
// keep pointing at the environment file, so an error about one says where the override wrote it.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Diagnostic } from './diagnostics.js';
import { locate, type ManifestDocument, type Path } from './document.js';
import { parseFile } from './load.js';
import { quote } from './quote.js';
import { type SchemaRegistry, schemaRegistry } from './schemas.js';
import { findStack, stackBeside } from './stack.js';
import { didYouMean } from './suggest.js';
import { validateDocument } from './validate.js';

export const ENVIRONMENTS_DIR = 'environments';

export interface Override {
  /** Its index in spec.overrides (for locating it). */
  index: number;
  kind: string;
  name: string;
  patch: Record<string, unknown>;
}

export interface Environment {
  name: string;
  file: string;
  /** The Environment document (absent when the file holds none: its diagnostics say so). */
  doc?: ManifestDocument;
  project?: string;
  region?: string;
  /** Values of the Stack's variables, as strings. */
  variables: Record<string, string>;
  overrides: Override[];
  /** What is wrong with the file itself (its schema, its name), located in it. */
  diagnostics: Diagnostic[];
}

export const isEnvironmentDocument = (d: ManifestDocument): boolean =>
  typeof d.value === 'object' && d.value !== null && (d.value as { kind?: unknown }).kind === 'Environment';

/** The environments a stack has: environments/*.yaml beside its Stack document (or the first -f path). */
export function environmentsDir(stackFile: string | undefined, paths: string[]): string {
  if (stackFile) return join(dirname(stackFile), ENVIRONMENTS_DIR);
  const first = paths[0] ?? '.';
  return existsSync(join(first, ENVIRONMENTS_DIR)) ? join(first, ENVIRONMENTS_DIR) : join(dirname(first), ENVIRONMENTS_DIR);
}

export function environmentNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/** environments/NAME.yaml of the stack the paths belong to (beside its Stack document); a missing one names those there are. */
export function findEnvironment(paths: string[], name: string): Environment {
  if (!/^[a-z][a-z0-9-]{0,29}$/.test(name)) {
    throw new UserError(`--env ${name}: an environment name is 1-30 lower-case letters, digits and '-', starting with a letter`);
  }
  const dir = environmentsDir(findStack(paths).document?.file ?? stackBeside(paths), paths);
  const env = readEnvironment(dir, name, schemaRegistry());
  if (env) return env;
  const names = environmentNames(dir);
  throw new UserError(
    `--env ${name}: there is no ${join(dir, `${name}.yaml`)}`,
    names.length > 0
      ? `The stack's environments: ${names.join(', ')}.`
      : `Create it: apiVersion: musectl.dev/v1alpha1, kind: Environment, metadata: {name: ${name}}, spec: {project: PROJECT_ID}.`,
  );
}

/** Reads environments/NAME.yaml; undefined when there is no such file. */
export function readEnvironment(dir: string, name: string, registry: SchemaRegistry): Environment | undefined {
  const file = ['yaml', 'yml'].map((ext) => join(dir, `${name}.${ext}`)).find((f) => existsSync(f));
  if (!file) return undefined;
  const parsed = parseFile(file);
  const diagnostics = [...parsed.diagnostics];
  const [doc, ...more] = parsed.documents;
  for (const extra of more)
    diagnostics.push({ ...locate(extra, []), severity: 'error', subject: '', message: 'an environment file holds one Environment document' });
  if (!doc) {
    if (diagnostics.length === 0)
      diagnostics.push({ file, line: 1, col: 1, severity: 'error', subject: '', message: 'empty: an Environment document was expected' });
    return { name, file, variables: {}, overrides: [], diagnostics };
  }
  const subject = `Environment/${name}`;
  if (!isEnvironmentDocument(doc)) {
    diagnostics.push({ ...locate(doc, ['kind']), severity: 'error', subject, message: 'an environment file holds a document of kind Environment' });
  } else {
    diagnostics.push(...validateDocument(doc, registry).diagnostics);
    const written = (doc.value as { metadata?: { name?: unknown } }).metadata?.name;
    if (written !== name) {
      diagnostics.push({
        ...locate(doc, ['metadata', 'name']),
        severity: 'error',
        subject,
        message: `metadata.name is ${quote(written)}, but the file is ${name}.yaml: they must agree`,
      });
    }
  }
  return { name, file, doc, ...fieldsOf(doc), diagnostics };
}

/** project, region, variables and overrides as they are in the document now (read again after substitution). */
export function fieldsOf(doc: ManifestDocument): Pick<Environment, 'project' | 'region' | 'variables' | 'overrides'> {
  const spec = ((doc.value as { spec?: unknown })?.spec ?? {}) as Record<string, unknown>;
  const variables: Record<string, string> = {};
  const given = spec.variables !== null && typeof spec.variables === 'object' ? (spec.variables as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(given)) if (['string', 'number', 'boolean'].includes(typeof v)) variables[k] = String(v);
  const overrides = (Array.isArray(spec.overrides) ? spec.overrides : []).flatMap((o: any, index: number) =>
    o && typeof o.kind === 'string' && typeof o.name === 'string' && isObject(o.patch)
      ? [{ index, kind: o.kind, name: o.name, patch: patchable(o.patch) }]
      : [],
  );
  return {
    ...(typeof spec.project === 'string' ? { project: spec.project } : {}),
    ...(typeof spec.region === 'string' ? { region: spec.region } : {}),
    variables,
    overrides,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a patch may change: the spec, the labels and the annotations, never the identity (the schema says so too). */
function patchable(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('spec' in patch) out.spec = patch.spec;
  if (isObject(patch.metadata)) {
    const m: Record<string, unknown> = {};
    for (const k of ['labels', 'annotations']) if (k in patch.metadata) m[k] = patch.metadata[k];
    out.metadata = m;
  }
  return out;
}

/** RFC 7386 JSON merge patch: maps merge key by key, null removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Applies the override that names this manifest (by kind and metadata.name, after substitution),
 * and makes the fields it wrote point at the environment file. Returns the override used.
 */
export function applyOverride(d: ManifestDocument, env: Environment): Override | undefined {
  const v = d.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const o = env.overrides.find((x) => x.kind === v?.kind && x.name === v?.metadata?.name);
  const envDoc = env.doc;
  if (!o || !envDoc) return undefined;
  d.value = mergePatch(d.value, o.patch);
  const at = ['spec', 'overrides', o.index, 'patch'];
  d.overlay = (path: Path) => {
    let node: unknown = o.patch;
    for (const [i, seg] of path.entries()) {
      if (Array.isArray(node)) return locate(envDoc, [...at, ...path]); // a list the patch replaced
      if (!isObject(node)) return locate(envDoc, [...at, ...path.slice(0, i)]); // a value the patch set
      if (!(String(seg) in node)) return undefined; // not patched here: the manifest's own
      node = node[String(seg)];
    }
    return locate(envDoc, [...at, ...path]);
  };
  return o;
}

/** Overrides that matched no manifest: an error at each, with the closest name. */
export function unusedOverrides(env: Environment, used: Set<Override>, resources: Array<{ kind: string; name: string }>): Diagnostic[] {
  const envDoc = env.doc;
  if (!envDoc) return [];
  return env.overrides
    .filter((o) => !used.has(o))
    .map((o) => {
      const sameKind = resources.filter((r) => r.kind === o.kind).map((r) => r.name);
      const kinds = [...new Set(resources.map((r) => r.kind))];
      const hint = sameKind.length > 0 ? didYouMean(o.name, sameKind) : didYouMean(o.kind, kinds);
      return {
        ...locate(envDoc, ['spec', 'overrides', o.index, 'name']),
        severity: 'error' as const,
        subject: `Environment/${env.name}`,
        message: `spec.overrides[${o.index}]: no ${o.kind} named ${quote(o.name)} in the manifests${hint}`,
      };
    });
}
