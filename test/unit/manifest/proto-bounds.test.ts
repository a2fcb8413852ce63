// The int32 bounds come from the protos in node_modules, not from hand-written numbers: these tests
// walk the schemas with the protos and fail when a field is unbounded or an enum drifts from Google's.
import { describe, expect, it } from 'vitest';
import { INT32, lookupProto, walkProtoFields, withProtoBounds } from '../../../src/manifest/proto-bounds.js';
import type { JsonSchema } from '../../../src/manifest/schema-walk.js';
import { readSchemas } from '../../../src/manifest/schemas.js';

const { schemas } = readSchemas();

/** Every integer-typed property in every schema, as "File#path" (following properties and items). */
function integerFields(list: JsonSchema[]): Array<{ where: string; node: JsonSchema }> {
  const out: Array<{ where: string; node: JsonSchema }> = [];
  const walk = (n: unknown, where: string): void => {
    if (!n || typeof n !== 'object') return;
    const rec = n as JsonSchema;
    if (rec.type === 'integer') out.push({ where, node: rec });
    for (const b of (rec.oneOf ?? []) as JsonSchema[]) if (b.type === 'integer') out.push({ where, node: b });
    for (const [k, v] of Object.entries((rec.properties ?? {}) as Record<string, JsonSchema>)) walk(v, `${where}.${k}`);
    if (rec.items) walk(rec.items, `${where}[]`);
    for (const [k, v] of Object.entries((rec.$defs ?? {}) as Record<string, JsonSchema>)) walk(v, `${where}#${k}`);
  };
  for (const s of list) walk(s, s.$id);
  return out;
}

describe('int32 bounds from the protos', () => {
  it('bounds every int32 field the protos know, e.g. Cloud Run max instances', () => {
    const bounded: string[] = [];
    walkProtoFields(withProtoBounds(schemas), ({ path, field, node }) => {
      if (field.type !== 'int32') return;
      bounded.push(path);
      expect(node.maximum, path).toBeLessThanOrEqual(INT32.maximum);
      expect(node.minimum, path).toBeGreaterThanOrEqual(INT32.minimum);
    });
    expect(bounded).toEqual(
      expect.arrayContaining([
        'template.scaling.minInstanceCount',
        'template.scaling.maxInstanceCount',
        'template.maxInstanceRequestConcurrency',
        'template.containers[].ports[].containerPort',
        'template.taskCount',
        'template.parallelism',
        'template.template.maxRetries',
        'traffic[].percent',
      ]),
    );
  });

  it('leaves no integer field of any kind without a maximum', () => {
    const unbounded = integerFields(withProtoBounds(schemas))
      .filter(({ node }) => typeof node.maximum !== 'number')
      .map(({ where }) => where);
    expect(unbounded).toEqual([]);
  });

  it('keeps a stricter bound of the schema (concurrency at most 1000)', () => {
    const svc = withProtoBounds(schemas).find((s) => s.$id === 'CloudRunService.schema.json')!;
    expect(svc.properties.spec.properties.template.properties.maxInstanceRequestConcurrency.maximum).toBe(1000);
  });

  it("offers only enum values Google's protos have (UNSPECIFIED aside)", () => {
    const drift: string[] = [];
    walkProtoFields(schemas, ({ path, node, typeName }) => {
      if (!typeName || !Array.isArray(node.enum)) return;
      const values = lookupProto(typeName)?.type.values;
      if (!values) return;
      for (const v of node.enum) if (!(v in values)) drift.push(`${path}: ${v} is not in ${typeName}`);
    });
    expect(drift).toEqual([]);
  });
});
