// The published contract: one JSON Schema per kind in schema/. Defaults in the schemas are
// Google's defaults. musectl's own annotations on schema nodes:
//   x-musectl-ref        a reference to another manifest: "Kind", or {kindProperty: "kind"}
//   x-musectl-outputs    (top level) outputs other manifests may reference, with descriptions
//   x-musectl-immutable  Google cannot change this field in place: a change replaces the resource
//   x-musectl-security   the field decides who can reach the resource: reports show its changes first
//   x-musectl-key        (on a list) its items are matched by this property (env vars by name), not by position
//   x-musectl-kind-with  the value is a kind with a capability ({capability: iamPolicy, also: [Project]})
//   x-musectl-proto      the node is this proto message: int32 bounds are derived from it (proto-bounds.ts)
//   x-musectl-discovery  the node is this discovery document schema (storage:v1#Bucket): for the coverage test
// The schema is the only place that knows which fields are references, maps or immutable. The
// schemas are hand-written rather than generated from the protos: most fields differ from their
// proto in some way a generator would need an overlay for (references instead of names, "60s" or 60
// for a Duration, Google's defaults, keyed lists, musectl's own fields), and editors read these
// files as they are. The protos check them instead: bounds at compile time, coverage and enum
// values in tests (test/coverage/, test/unit/manifest/proto-bounds.test.ts).
// Validators come precompiled from the build (dist/schema-validators.cjs) when it matches the
// schemas, so `musectl validate` does not spend its start-up compiling them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { requireCached } from '../compile-cache.js';
import { PACKAGE_ROOT, SCHEMA_DIR } from '../paths.js';
import type { KindCapabilityRule } from './kind-capabilities.js';
import { compileValidators, schemasHash } from './schema-compile.js';
import { type CollectedRef, collectRefs, findAnnotated, findPaths, type JsonSchema } from './schema-walk.js';

export type { CollectedRef, RefSpec } from './schema-walk.js';

/** Where the build writes the precompiled validators. */
export const PRECOMPILED = join(PACKAGE_ROOT, 'dist', 'schema-validators.cjs');

export interface KindSchema {
  kind: string;
  schema: JsonSchema;
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
  /** Paths under spec that decide who can reach the resource (x-musectl-security). */
  securityPaths: Set<string>;
  /** Lists under spec whose items are matched by a property (x-musectl-key), by path -> property. */
  listKeys: Map<string, string>;
  /** Fields under spec whose value must be a kind with a capability (x-musectl-kind-with). */
  kindCapabilityPaths: Map<string, KindCapabilityRule>;
}

export interface SchemaCheck {
  errors: ErrorObject[];
  /** The document with schema defaults filled in (a copy). */
  withDefaults: unknown;
  refs: CollectedRef[];
}

/** The schema files: parsed, their texts (for the hash), and which kind each one validates. */
export function readSchemas(dir = SCHEMA_DIR): { schemas: JsonSchema[]; texts: string[]; kinds: Map<string, string> } {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
  const schemas = texts.map((t) => JSON.parse(t) as JsonSchema);
  const kinds = new Map<string, string>();
  for (const s of schemas) {
    const kind = s.properties?.kind?.const as string | undefined;
    if (kind) kinds.set(kind, s.$id as string);
  }
  return { schemas, texts, kinds };
}

function loadValidators(schemas: JsonSchema[], texts: string[], kinds: Map<string, string>, precompiled: string | undefined): Map<string, ValidateFunction> {
  if (precompiled && existsSync(precompiled)) {
    const mod = requireCached(precompiled) as Record<string, ValidateFunction> & { schemasHash?: string };
    if (mod.schemasHash === schemasHash(texts)) return new Map([...kinds.keys()].map((k) => [k, mod[k]]));
  }
  return compileValidators(schemas, kinds);
}

export class SchemaRegistry {
  private readonly kinds = new Map<string, KindSchema>();
  private readonly byId: Map<string, JsonSchema>;

  constructor(dir = SCHEMA_DIR, precompiled: string | undefined = PRECOMPILED) {
    const { schemas, texts, kinds } = readSchemas(dir);
    this.byId = new Map(schemas.map((s) => [s.$id as string, s]));
    // Loaded when a document is first checked: a plan whose checked set comes from the last
    // command (set-cache-file.ts) needs the rest of the registry, not the validators (~1 MB).
    let validators: Map<string, ValidateFunction> | undefined;
    const validatorOf = (kind: string): ValidateFunction => {
      validators ??= loadValidators(schemas, texts, kinds, precompiled);
      return validators.get(kind)!;
    };
    for (const s of schemas) {
      const kind = s.properties?.kind?.const as string | undefined;
      if (!kind) continue; // shared definitions
      this.kinds.set(kind, {
        kind,
        schema: s,
        get validate() {
          return validatorOf(kind);
        },
        outputs: (s['x-musectl-outputs'] ?? {}) as Record<string, string>,
        mapPaths: findPaths(s.properties?.spec, s, this.byId, (n) => !n.properties && n.additionalProperties && typeof n.additionalProperties === 'object'),
        immutablePaths: findPaths(s.properties?.spec, s, this.byId, (n) => n['x-musectl-immutable'] === true),
        securityPaths: findPaths(s.properties?.spec, s, this.byId, (n) => n['x-musectl-security'] === true),
        kindCapabilityPaths: findAnnotated(s.properties?.spec, s, this.byId, (n) => n['x-musectl-kind-with'] as KindCapabilityRule | undefined),
        listKeys: findAnnotated(s.properties?.spec, s, this.byId, (n) => (typeof n['x-musectl-key'] === 'string' ? (n['x-musectl-key'] as string) : undefined)),
      });
    }
  }

  get kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  get(kind: string): KindSchema | undefined {
    return this.kinds.get(kind);
  }

  /** Validates one document against its kind's schema and collects its references. */
  check(kind: KindSchema, value: unknown): SchemaCheck {
    const copy = structuredClone(value);
    kind.validate(copy);
    return { errors: [...(kind.validate.errors ?? [])], withDefaults: copy, refs: collectRefs(kind.schema, value, this.byId) };
  }
}

let shared: SchemaRegistry | undefined;
export const schemaRegistry = (): SchemaRegistry => (shared ??= new SchemaRegistry());
