// Reading the schemas as data: following $ref, finding the paths of annotated nodes, and
// collecting the references (x-musectl-ref) a document makes. Kept apart from validation so that
// validation can be precompiled.
export type JsonSchema = Record<string, any>;
export type SchemaIndex = Map<string, JsonSchema>;

export type RefSpec = string | { kindProperty: string; when?: string };

export interface CollectedRef {
  /** JSON pointer of the reference object in the document. */
  instancePath: string;
  spec: RefSpec;
  data: Record<string, unknown>;
}

/** Follows $ref within a file (#/...) or to a sibling schema (common.schema.json#/...); siblings of a $ref apply too. */
export function deref(node: JsonSchema, file: JsonSchema, byId: SchemaIndex): [JsonSchema, JsonSchema] {
  let n = node;
  let f = file;
  while (typeof n?.$ref === 'string') {
    const [id, pointer] = (n.$ref as string).split('#');
    if (id) f = byId.get(id) ?? f;
    const siblings = { ...n };
    delete siblings.$ref;
    n = {
      ...pointer
        .split('/')
        .filter(Boolean)
        .reduce((o: any, k) => o?.[k], f),
      ...siblings,
    };
  }
  return [n, f];
}

/** Paths under `root` (with [] for list elements) of the schema nodes `test` picks. */
export function findPaths(root: JsonSchema | undefined, file: JsonSchema, byId: SchemaIndex, test: (n: JsonSchema) => boolean): Set<string> {
  return new Set(findAnnotated(root, file, byId, (n) => (test(n) ? true : undefined)).keys());
}

/** Paths under `root` of the schema nodes for which `value` gives something, with what it gives. */
export function findAnnotated<T>(root: JsonSchema | undefined, file: JsonSchema, byId: SchemaIndex, value: (n: JsonSchema) => T | undefined): Map<string, T> {
  const out = new Map<string, T>();
  const walk = (node: JsonSchema | undefined, f: JsonSchema, path: string, depth: number): void => {
    if (!node || depth > 20) return;
    const [n, nf] = deref(node, f, byId);
    const v = path ? value(n) : undefined;
    if (v !== undefined) out.set(path, v);
    if (n.properties) {
      for (const [k, child] of Object.entries(n.properties as Record<string, JsonSchema>)) walk(child, nf, path ? `${path}.${k}` : k, depth + 1);
    }
    if (n.items) walk(n.items, nf, `${path}[]`, depth + 1);
  };
  walk(root, file, '', 0);
  return out;
}

const pointerSegment = (s: string | number): string => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

/** Every object of `data` whose schema node carries x-musectl-ref: the document's references. */
export function collectRefs(schema: JsonSchema, data: unknown, byId: SchemaIndex): CollectedRef[] {
  const out: CollectedRef[] = [];
  const walk = (node: JsonSchema | undefined, f: JsonSchema, value: unknown, pointer: string, depth: number): void => {
    if (!node || depth > 40 || value === null || typeof value !== 'object') return;
    const [n, nf] = deref(node, f, byId);
    const spec = n['x-musectl-ref'] as RefSpec | undefined;
    if (spec !== undefined && !Array.isArray(value)) {
      const applies = typeof spec === 'string' || !spec.when || spec.when in (value as object);
      if (applies) out.push({ instancePath: pointer, spec, data: value as Record<string, unknown> });
    }
    if (Array.isArray(value)) {
      if (n.items) for (const [i, v] of value.entries()) walk(n.items, nf, v, `${pointer}/${i}`, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    const properties = (n.properties ?? {}) as Record<string, JsonSchema>;
    for (const [k, child] of Object.entries(properties)) {
      if (k in record) walk(child, nf, record[k], `${pointer}/${pointerSegment(k)}`, depth + 1);
    }
    // Maps whose values are references (a Stack's named outputs).
    const rest = n.additionalProperties;
    if (rest && typeof rest === 'object') {
      for (const [k, v] of Object.entries(record)) if (!(k in properties)) walk(rest, nf, v, `${pointer}/${pointerSegment(k)}`, depth + 1);
    }
  };
  walk(schema, schema, data, '', 0);
  return out;
}
