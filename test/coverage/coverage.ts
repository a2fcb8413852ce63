// Coverage of Google's settable fields by musectl's schemas, per message: a schema node marked
// x-musectl-proto (a proto message) or x-musectl-discovery (a discovery document's schema) is walked
// together with that message; each field Google lets a caller set is in the schema (a property of
// the same name, its message walked in turn), or excluded with a reason in
// schema/field-exclusions.json, or missing: what the coverage test fails on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deref, type JsonSchema, type SchemaIndex } from '../../src/manifest/schema-walk.js';
import { SCHEMA_DIR } from '../../src/paths.js';
import { discoveryMessage, protoMessage, type UpstreamField, type UpstreamMessage } from './upstream.js';

/** Why a settable field has no property of its own in the schema. */
export type ExclusionReason =
  | 'output-only' // Google fills it; not marked so in the API description (Cloud Storage's discovery document marks nothing)
  | 'input-only' // taken on a call, never read back: a reconciler cannot compare it
  | 'deprecated'
  | 'elsewhere' // musectl has it in another form: metadata.name, metadata.labels, valueFrom, a reference
  | 'not-managed'; // settable, and left alone on purpose: the note says why

export interface Exclusion {
  why: ExclusionReason;
  note: string;
  /** Only in these kinds (a job's container has no ports); every kind when left out. */
  only?: string[];
}

export interface ExclusionsFile {
  /** Message name -> field -> why it is not in the schema. */
  messages: Record<string, Record<string, Exclusion>>;
  /** Message name -> field -> how musectl sets a field Google's description calls output-only. */
  settableAnyway?: Record<string, Record<string, string>>;
}

export const EXCLUSIONS_FILE = join(SCHEMA_DIR, 'field-exclusions.json');
export const readExclusions = (file = EXCLUSIONS_FILE): ExclusionsFile => JSON.parse(readFileSync(file, 'utf8')) as ExclusionsFile;

export interface CoverageRow {
  kind: string;
  /** Schema path under spec, with [] for list items ('' for spec itself). */
  path: string;
  message: string;
  /** Fields a caller may set: neither output-only in the API description nor excluded as output-only in practice. */
  settable: string[];
  inSchema: string[];
  excluded: string[];
  missing: string[];
  /** Fields Google fills that the schema declares anyway (they would show up as perma-diffs). */
  outputOnlyInSchema: string[];
}

export interface CoverageReport {
  rows: CoverageRow[];
  /** Exclusions that name no field of their message, or a field the schema has after all. */
  staleExclusions: string[];
}

const upstreamOf = (node: JsonSchema): UpstreamMessage | undefined => {
  if (typeof node['x-musectl-proto'] === 'string') return protoMessage(node['x-musectl-proto']);
  if (typeof node['x-musectl-discovery'] === 'string') return discoveryMessage(node['x-musectl-discovery']);
  return undefined;
};

/** The object node a field's values are described by: the node itself, its list items, or its map values. */
function valueNode(node: JsonSchema, file: JsonSchema, byId: SchemaIndex, field: UpstreamField): [JsonSchema, JsonSchema] | undefined {
  const [n, f] = deref(node, file, byId);
  if (field.map) return typeof n.additionalProperties === 'object' ? deref(n.additionalProperties, f, byId) : undefined;
  if (field.repeated) return n.items ? deref(n.items, f, byId) : undefined;
  return [n, f];
}

export function measureCoverage(schemas: JsonSchema[], exclusions: ExclusionsFile): CoverageReport {
  const byId: SchemaIndex = new Map(schemas.map((s) => [s.$id as string, s]));
  const rows: CoverageRow[] = [];
  const used = new Set<string>();
  const stale: string[] = [];

  const walk = (kind: string, node: JsonSchema, file: JsonSchema, message: UpstreamMessage, path: string, depth: number): void => {
    if (depth > 12) return;
    const [n, f] = deref(node, file, byId);
    const properties = (n.properties ?? {}) as Record<string, JsonSchema>;
    const row: CoverageRow = { kind, path, message: message.name, settable: [], inSchema: [], excluded: [], missing: [], outputOnlyInSchema: [] };
    for (const field of message.fields) {
      const anyway = exclusions.settableAnyway?.[message.name]?.[field.name];
      if (anyway) used.add(`${message.name}.${field.name}`);
      const inSchema = field.name in properties;
      if (field.outputOnly && !anyway) {
        if (inSchema) row.outputOnlyInSchema.push(field.name);
        continue;
      }
      const exclusion = exclusions.messages[message.name]?.[field.name];
      const applies = exclusion && (!exclusion.only || exclusion.only.includes(kind));
      if (exclusion) used.add(`${message.name}.${field.name}`);
      // Output-only in practice (Cloud Storage's discovery document marks none): not settable either.
      if (applies && exclusion.why === 'output-only' && !inSchema) continue;
      row.settable.push(field.name);
      if (inSchema) {
        row.inSchema.push(field.name);
        if (applies) stale.push(`${message.name}.${field.name}: excluded, but ${kind}'s schema has it at ${under(path, field.name)}`);
        const child = field.message?.();
        const target = child ? valueNode(properties[field.name], f, byId, field) : undefined;
        if (child && target) walk(kind, target[0], target[1], child, under(path, field.name) + (field.map ? '{}' : field.repeated ? '[]' : ''), depth + 1);
      } else if (applies) {
        row.excluded.push(field.name);
      } else {
        row.missing.push(field.name);
      }
    }
    rows.push(row);
  };

  for (const s of schemas) {
    const kind = s.properties?.kind?.const as string | undefined;
    const spec = s.properties?.spec as JsonSchema | undefined;
    if (!kind || !spec) continue;
    const [specNode, specFile] = deref(spec, s, byId);
    const message = upstreamOf(specNode);
    if (message) walk(kind, specNode, specFile, message, '', 0);
  }
  for (const [message, fields] of Object.entries(exclusions.messages)) {
    for (const field of Object.keys(fields)) if (!used.has(`${message}.${field}`)) stale.push(`${message}.${field}: no such settable field is reached`);
  }
  for (const [message, fields] of Object.entries(exclusions.settableAnyway ?? {})) {
    for (const field of Object.keys(fields))
      if (!used.has(`${message}.${field}`)) stale.push(`${message}.${field}: settableAnyway names no field that is reached`);
  }
  return { rows, staleExclusions: stale };
}

const under = (path: string, key: string): string => (path ? `${path}.${key}` : key);

const percent = (covered: number, of: number): string => (of === 0 ? '100%' : `${Math.floor((covered / of) * 100)}%`);

/** The report as a Markdown table: one row per message, in the schema, excluded, missing. */
export function coverageTable(report: CoverageReport): string {
  const lines = [
    '| kind | message | at | settable | in schema | excluded | missing | in schema or excluded |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.rows) {
    const short = r.message.replace(/^google\.(cloud|devtools)\.[a-z]+\.v\d+\./, '').replace(/^[a-z]+:v\d+#/, '');
    lines.push(
      `| ${r.kind} | ${short} | ${r.path ? `spec.${r.path}` : 'spec'} | ${r.settable.length} | ${r.inSchema.length} | ${r.excluded.length} | ${r.missing.length} | ${percent(r.inSchema.length + r.excluded.length, r.settable.length)} |`,
    );
  }
  return lines.join('\n');
}
