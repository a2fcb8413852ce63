// export: manifests for what exists, so a team can start from what it has. Each resource is read
// in spec form, turned into what a person would write (Google's defaults and empty fields left
// out, references to other exported resources by name), and checked against the schema.
import { stringify } from 'yaml';
import type { Controller, ControllerContext, Exportable, ExportIndex, Observed } from '../contract/controller.js';
import { deepEqual, isPlainObject } from '../contract/spec.js';
import { schemaRegistry } from '../manifest/schemas.js';
import { API_VERSION } from '../manifest/validate.js';
import { MANAGED_BY_LABEL, ownedBy, STACK_LABEL } from './ownership.js';

export interface ExportedDocument {
  kind: string;
  name: string;
  /** Google's id of the resource. */
  id: string;
  doc: Record<string, any>;
  /** Schema problems of the exported document (it is written anyway, with these as comments). */
  problems: string[];
  /** The stack that labelled it, if any. */
  stack?: string;
}

/** The manifest for one resource found for export (with its Google id and manifest name). */
export function exportResource(
  controller: Controller & Exportable,
  { observed, id, name }: { observed: Observed; id: string; name: string },
  ctx: ControllerContext,
  index: ExportIndex,
): ExportedDocument {
  const spec = controller.toManifestSpec(observed, ctx, index);
  const { [MANAGED_BY_LABEL]: _m, [STACK_LABEL]: _s, ...labels } = observed.labels;
  const doc: Record<string, any> = {
    apiVersion: API_VERSION,
    kind: controller.kind,
    metadata: { name, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
    spec,
  };
  const stripped = escapeVariables(stripDefaults(doc));
  const problems = schemaProblems(stripped);
  return { kind: controller.kind, name, id, doc: stripped, problems, stack: ownedBy(observed.labels) };
}

/**
 * Leaves out every spec field whose value is the schema's default (what Google fills in anyway),
 * in objects and in list items alike, and every empty list or map that means no more than its
 * absence (a container's `command: []`, a template's `labels: {}`).
 */
export function stripDefaults(doc: Record<string, any>): Record<string, any> {
  const kind = schemaRegistry().get(doc.kind);
  if (!kind) return doc;
  const check = (d: unknown) => schemaRegistry().check(kind, d);
  // What the document means: an accepted removal of an empty list or map changes it, so it moves on.
  let full = check(doc).withDefaults;
  const fullErrors = check(doc).errors.length;
  let current = structuredClone(doc);
  const visit = (path: Array<string | number>): void => {
    const value = path.reduce<any>((o, k) => o?.[k], current);
    if (isPlainObject(value)) for (const k of Object.keys(value)) visit([...path, k]);
    if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) visit([...path, i]);
    if (path.length < 2 || path[0] !== 'spec' || typeof path[path.length - 1] === 'number') return; // spec fields; keep spec itself and list items
    const stripped = path.reduce<any>((o, k) => o?.[k], current); // what its own fields left of it
    const candidate = structuredClone(current);
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], candidate);
    delete parent[path[path.length - 1]];
    const after = check(candidate);
    if (after.errors.length > fullErrors) return; // required, or its absence means something else
    if (deepEqual(after.withDefaults, full)) current = candidate;
    else if (isEmpty(stripped)) [current, full] = [candidate, after.withDefaults];
  };
  visit([]);
  if (isPlainObject(current.spec) && Object.keys(current.spec).length === 0 && !kind.schema.required?.includes('spec')) delete current.spec;
  return current;
}

/**
 * An empty list, map or object (a template's `labels: {}`, an Artifact Registry `dockerConfig: {}`)
 * says no more than its absence. One that selects one of several forms (a Secret's replication
 * `automatic: {}`) is required by its schema's oneOf, and the error check above keeps it.
 */
const isEmpty = (value: unknown): boolean => (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);

/** `${` in a value would be read as a stack variable: written as `$${`, the manifest's literal `${`. */
function escapeVariables<T>(v: T): T {
  if (typeof v === 'string') return v.replace(/\$\{/g, () => '$${') as T;
  if (Array.isArray(v)) return v.map(escapeVariables) as T;
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeVariables(x)])) as T;
  return v;
}

function schemaProblems(doc: Record<string, any>): string[] {
  const kind = schemaRegistry().get(doc.kind);
  if (!kind) return [`unknown kind ${doc.kind}`];
  return schemaRegistry()
    .check(kind, doc)
    .errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Multi-document YAML with a schema modeline, problems as comments. */
export function exportedYaml(docs: ExportedDocument[], schemaDir: string): string {
  const parts = docs.map((d) => {
    const head = d.problems.map((p) => `# musectl export: check this document: ${p}\n`).join('');
    return `${head}${stringify(d.doc, { lineWidth: 0 })}`;
  });
  const kinds = [...new Set(docs.map((d) => d.kind))];
  const modeline = kinds.length === 1 ? `# yaml-language-server: $schema=${schemaDir}/${kinds[0]}.schema.json\n` : '';
  return `${modeline}${parts.join('---\n')}`;
}

export function stackDocument(name: string, region?: string): string {
  return stringify({ apiVersion: API_VERSION, kind: 'Stack', metadata: { name }, spec: { variables: region ? { REGION: region } : {} } });
}
