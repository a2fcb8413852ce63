// Integer bounds derived from Google's protos rather than written by hand. A schema node marked
// `"x-musectl-proto": "google.cloud.run.v2.Service"` is walked together with that message: every
// integer property whose proto field is an int32 (uint32) gets the type's range as minimum and
// maximum (a stricter bound already in the schema stays). Without it, maxInstanceCount: 2147483648
// passes validation, is sent, and comes back as -2147483648 (the wire wraps it), so the plan never
// converges. The field lists are the protos shipped in node_modules/@google-cloud/*/build/protos,
// the authoritative ones for the client versions musectl runs.
import { createRequire } from 'node:module';
import type { JsonSchema } from './schema-walk.js';

const require = createRequire(import.meta.url);

/** Which npm package ships the protos of each API package. */
const PROTO_PACKAGES: Record<string, string> = {
  'google.cloud.run.v2': '@google-cloud/run',
  'google.cloud.secretmanager.v1': '@google-cloud/secret-manager',
  'google.devtools.artifactregistry.v1': '@google-cloud/artifact-registry',
};

export const INT32 = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
const UINT32 = { minimum: 0, maximum: 2 ** 32 - 1 };
const RANGES: Record<string, { minimum: number; maximum: number }> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
};

interface ProtoField {
  type: string;
  rule?: string;
  keyType?: string;
}
export interface ProtoType {
  fields?: Record<string, ProtoField>;
  values?: Record<string, number>;
  nested?: Record<string, ProtoType>;
}

const roots = new Map<string, ProtoType>();

function protoRoot(pkg: string): ProtoType {
  let root = roots.get(pkg);
  if (!root) {
    root = require(`${pkg}/build/protos/protos.json`) as ProtoType;
    roots.set(pkg, root);
  }
  return root;
}

/** The message or enum with this full name, and its namespace (for resolving its fields' types). */
export function lookupProto(fullName: string): { type: ProtoType; name: string } | undefined {
  const pkg = Object.keys(PROTO_PACKAGES).find((p) => fullName.startsWith(`${p}.`) || fullName.startsWith('google.protobuf.'));
  const root = protoRoot(PROTO_PACKAGES[pkg ?? ''] ?? PROTO_PACKAGES['google.cloud.run.v2']);
  let node: ProtoType | undefined = root;
  for (const part of fullName.split('.')) node = node?.nested?.[part];
  return node ? { type: node, name: fullName } : undefined;
}

/** Resolves a field's type name as protobuf does: from the innermost namespace outwards. */
export function resolveFieldType(scope: string, type: string): { type: ProtoType; name: string } | undefined {
  if (type.startsWith('.')) return lookupProto(type.slice(1));
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const found = lookupProto([...parts.slice(0, i), type].join('.'));
    if (found) return found;
  }
  return undefined;
}

export interface ProtoFieldVisit {
  /** Dotted schema path under the annotated node, with [] for list elements. */
  path: string;
  field: ProtoField;
  /** The schema node of the property (the node that holds type/minimum/maximum, not a $ref target). */
  node: JsonSchema;
  /** Full name of the field's message or enum type, when it is one. */
  typeName?: string;
}

/** The schema node a local or sibling-file $ref points at, as the object itself (to be edited in place). */
function target(node: JsonSchema, file: JsonSchema, byId: Map<string, JsonSchema>): [JsonSchema, JsonSchema] {
  let n = node;
  let f = file;
  for (let hops = 0; typeof n?.$ref === 'string' && hops < 10; hops++) {
    const [id, pointer] = (n.$ref as string).split('#');
    if (id) f = byId.get(id) ?? f;
    n = pointer
      .split('/')
      .filter(Boolean)
      .reduce((o: any, k) => o?.[k], f);
  }
  return [n, f];
}

/**
 * Walks every schema node annotated with x-musectl-proto together with its proto message, calling
 * `visit` for each property that has a proto field of the same (camelCase) name.
 */
export function walkProtoFields(schemas: JsonSchema[], visit: (v: ProtoFieldVisit) => void): void {
  const byId = new Map(schemas.map((s) => [s.$id as string, s]));
  const seen = new Set<JsonSchema>();
  const walk = (node: JsonSchema, file: JsonSchema, message: { type: ProtoType; name: string }, path: string): void => {
    const [n, nf] = target(node, file, byId);
    if (!n || seen.has(n)) return;
    seen.add(n);
    for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, JsonSchema>)) {
      const field = message.type.fields?.[key];
      if (!field) continue; // musectl's own fields (serviceAccountRef, imagePolicy, ...)
      const childPath = path ? `${path}.${key}` : key;
      const resolved = RANGES[field.type] || field.keyType ? undefined : resolveFieldType(message.name, field.type);
      visit({ path: childPath, field, node: child, typeName: resolved?.name });
      if (!resolved?.type.fields) continue;
      const [c, cf] = target(child, nf, byId);
      if (field.rule === 'repeated' && c?.items) walk(c.items, cf, resolved, `${childPath}[]`);
      else if (c) walk(c, cf, resolved, childPath);
    }
  };
  for (const s of schemas) {
    const annotated: Array<[JsonSchema, string]> = [];
    const find = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      const rec = n as JsonSchema;
      if (typeof rec['x-musectl-proto'] === 'string') annotated.push([rec, rec['x-musectl-proto']]);
      for (const v of Object.values(rec)) find(v);
    };
    find(s);
    for (const [node, name] of annotated) {
      const message = lookupProto(name);
      if (!message) throw new Error(`${s.$id}: x-musectl-proto ${name} is not a message in the shipped protos`);
      walk(node, s, message, '');
    }
  }
}

/** Copies of the schemas with every int32/uint32 field bounded by its type's range. */
export function withProtoBounds(schemas: JsonSchema[]): JsonSchema[] {
  const copies = structuredClone(schemas);
  walkProtoFields(copies, ({ field, node }) => {
    const range = RANGES[field.type];
    if (!range) return;
    // A duration or quantity given as an integer or a string: bound the integer branch.
    const branches = Array.isArray(node.oneOf) ? (node.oneOf as JsonSchema[]) : [node];
    for (const b of branches) {
      if (b.type !== 'integer' && !b.$ref) continue;
      b.minimum = typeof b.minimum === 'number' ? Math.max(b.minimum, range.minimum) : range.minimum;
      b.maximum = typeof b.maximum === 'number' ? Math.min(b.maximum, range.maximum) : range.maximum;
    }
  });
  return copies;
}
