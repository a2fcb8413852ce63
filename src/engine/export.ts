// export: manifests for what exists, so a team can start from what it has. Each resource is read
// in spec form, turned into what a person would write (Google's defaults left out, references to
// other exported resources by name), and checked against the schema.
import { stringify } from 'yaml';
import type { Controller, ControllerContext, Exportable, Observed } from '../contract/controller.js';
import { deepEqual, isPlainObject } from '../contract/spec.js';
import { schemaRegistry } from '../manifest/schemas.js';
import { API_VERSION } from '../manifest/validate.js';
import { MANAGED_BY_LABEL, ownedBy, STACK_LABEL } from './ownership.js';

export interface ExportedDocument {
  kind: string;
  name: string;
  doc: Record<string, any>;
  /** Schema problems of the exported document (it is written anyway, with these as comments). */
  problems: string[];
  /** The stack that labelled it, if any. */
  stack?: string;
}

/** The manifest for one observed resource. */
export function exportResource(controller: Controller & Exportable, observed: Observed, ctx: ControllerContext, exportedKeys: Set<string>): ExportedDocument {
  const name = controller.nameOf?.(observed) ?? observed.id.split('/').pop() ?? observed.id;
  const spec = controller.toManifestSpec(observed, ctx, (k, n) => exportedKeys.has(`${k}/${n}`));
  const { [MANAGED_BY_LABEL]: _m, [STACK_LABEL]: _s, ...labels } = observed.labels;
  const doc: Record<string, any> = {
    apiVersion: API_VERSION,
    kind: controller.kind,
    metadata: { name, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
    spec,
  };
  const stripped = stripDefaults(doc);
  const problems = schemaProblems(stripped);
  return { kind: controller.kind, name, doc: stripped, problems, stack: ownedBy(observed.labels) };
}

/** Leaves out every field whose value is the schema's default (what Google fills in anyway). */
export function stripDefaults(doc: Record<string, any>): Record<string, any> {
  const kind = schemaRegistry().get(doc.kind);
  if (!kind) return doc;
  const full = schemaRegistry().check(kind, doc).withDefaults;
  let current = structuredClone(doc);
  const visit = (path: string[]): void => {
    const value = path.reduce<any>((o, k) => o?.[k], current);
    if (isPlainObject(value)) for (const k of Object.keys(value)) visit([...path, k]);
    if (path.length < 2 || path[0] !== 'spec') return; // only spec fields; keep spec itself
    const candidate = structuredClone(current);
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], candidate);
    delete parent[path[path.length - 1]];
    if (deepEqual(schemaRegistry().check(kind, candidate).withDefaults, full)) current = candidate;
  };
  visit([]);
  if (isPlainObject(current.spec) && Object.keys(current.spec).length === 0 && !kind.schema.required?.includes('spec')) delete current.spec;
  return current;
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
