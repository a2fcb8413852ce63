// The published contract: one JSON Schema per kind in schema/, compiled once with ajv. Defaults in
// the schemas are Google's defaults. musectl's own annotations on schema nodes:
//   x-musectl-ref        a reference to another manifest: "Kind", or {kindProperty: "kind"}
//   x-musectl-outputs    (top level) outputs other manifests may reference, with descriptions
//   x-musectl-immutable  Google cannot change this field in place: a change replaces the resource
// References are collected by the x-musectl-ref keyword while ajv validates, so the schema is the
// only place that knows which fields are references.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction, ErrorObject } from 'ajv';
import { SCHEMA_DIR } from '../paths.js';

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with its function on `.default`.
const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;

export type RefSpec = string | { kindProperty: string; when?: string };

export interface CollectedRef {
  /** JSON pointer of the reference object in the document. */
  instancePath: string;
  spec: RefSpec;
  data: Record<string, unknown>;
}

export interface KindSchema {
  kind: string;
  schema: Record<string, any>;
  validate: ValidateFunction;
  outputs: Record<string, string>;
  /**
   * Paths under spec whose value is a map (free keys, e.g. annotations), written with [] for list
   * elements: template.containers[].resources.limits. A diff manages every key of a map, but only
   * the declared fields of an object.
   */
  mapPaths: Set<string>;
  /** Paths under spec that Google cannot change in place (x-musectl-immutable): a change replaces. */
  immutablePaths: Set<string>;
}

export interface SchemaCheck {
  errors: ErrorObject[];
  /** The document with schema defaults filled in (a copy). */
  withDefaults: unknown;
  refs: CollectedRef[];
}

let collecting: CollectedRef[] | undefined;

export class SchemaRegistry {
  private readonly kinds = new Map<string, KindSchema>();

  constructor(dir = SCHEMA_DIR) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true, useDefaults: true });
    addFormats(ajv);
    ajv.addKeyword({
      keyword: 'x-musectl-ref',
      schemaType: ['string', 'object'],
      errors: false,
      validate: (spec: RefSpec, data: unknown, _parent: unknown, cxt?: { instancePath: string }) => {
        const applies = typeof spec === 'string' || !spec.when || (typeof data === 'object' && data !== null && spec.when in data);
        if (collecting && cxt && applies && typeof data === 'object' && data !== null) {
          collecting.push({ instancePath: cxt.instancePath, spec, data: data as Record<string, unknown> });
        }
        return true;
      },
    });
    ajv.addVocabulary(['x-musectl-outputs', 'x-musectl-immutable']);
    const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
    const schemas = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, any>);
    for (const s of schemas) ajv.addSchema(s);
    const byId = new Map(schemas.map((s) => [s.$id as string, s]));
    for (const s of schemas) {
      const kind = s.properties?.kind?.const as string | undefined;
      if (!kind) continue; // shared definitions
      this.kinds.set(kind, {
        kind,
        schema: s,
        validate: ajv.getSchema(s.$id as string)! as ValidateFunction,
        outputs: (s['x-musectl-outputs'] ?? {}) as Record<string, string>,
        mapPaths: findPaths(s.properties?.spec, s, byId, (n) => !n.properties && n.additionalProperties && typeof n.additionalProperties === 'object'),
        immutablePaths: findPaths(s.properties?.spec, s, byId, (n) => n['x-musectl-immutable'] === true),
      });
    }
  }

  get kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  get(kind: string): KindSchema | undefined {
    return this.kinds.get(kind);
  }

  /** Validates one document against its kind's schema, collecting references on the way. */
  check(kind: KindSchema, value: unknown): SchemaCheck {
    const copy = structuredClone(value);
    collecting = [];
    try {
      kind.validate(copy);
      return { errors: [...(kind.validate.errors ?? [])], withDefaults: copy, refs: collecting };
    } finally {
      collecting = undefined;
    }
  }
}

/** Follows $ref within a file (#/...) or to a sibling schema (common.schema.json#/...). */
function deref(node: Record<string, any>, file: Record<string, any>, byId: Map<string, Record<string, any>>): [Record<string, any>, Record<string, any>] {
  let n = node;
  let f = file;
  while (typeof n?.$ref === 'string') {
    const [id, pointer] = (n.$ref as string).split('#');
    if (id) f = byId.get(id) ?? f;
    const siblings = { ...n };
    delete siblings.$ref;
    n = { ...pointer.split('/').filter(Boolean).reduce((o: any, k) => o?.[k], f), ...siblings };
  }
  return [n, f];
}

/** Paths under `root` (with [] for list elements) of the schema nodes `test` picks. */
function findPaths(root: Record<string, any> | undefined, file: Record<string, any>, byId: Map<string, Record<string, any>>, test: (n: Record<string, any>) => boolean): Set<string> {
  const out = new Set<string>();
  const walk = (node: Record<string, any> | undefined, f: Record<string, any>, path: string, depth: number): void => {
    if (!node || depth > 20) return;
    const [n, nf] = deref(node, f, byId);
    if (path && test(n)) out.add(path);
    if (n.properties) {
      for (const [k, child] of Object.entries(n.properties as Record<string, any>)) walk(child, nf, path ? `${path}.${k}` : k, depth + 1);
    }
    if (n.items) walk(n.items, nf, `${path}[]`, depth + 1);
  };
  walk(root, file, '', 0);
  return out;
}

let shared: SchemaRegistry | undefined;
export const schemaRegistry = (): SchemaRegistry => (shared ??= new SchemaRegistry());
