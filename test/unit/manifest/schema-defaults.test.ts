// ajv fills a property's default only from the property's own schema node, never from the
// definition a $ref points at: a field whose definition has a default must repeat it beside its
// $ref, or leaving it out of a manifest would leave it unmanaged instead of meaning the default.
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../../src/manifest/schema-walk.js';
import { readSchemas } from '../../../src/manifest/schemas.js';

const { schemas } = readSchemas();
const byId = new Map(schemas.map((s) => [s.$id as string, s]));

function target(ref: string, file: JsonSchema): JsonSchema | undefined {
  const [id, pointer] = ref.split('#');
  const f = id ? byId.get(id) : file;
  return pointer
    .split('/')
    .filter(Boolean)
    .reduce((o: any, k) => o?.[k], f);
}

describe('schema defaults', () => {
  it('repeats the default of a $ref target beside the $ref of every spec property', () => {
    const lost: string[] = [];
    for (const s of schemas) {
      const walk = (n: unknown, path: string): void => {
        if (!n || typeof n !== 'object') return;
        const node = n as JsonSchema;
        for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
          const t = typeof v.$ref === 'string' ? target(v.$ref, s) : undefined;
          if (t?.default !== undefined && v.default === undefined && path.startsWith('spec')) lost.push(`${s.$id} ${path}.${k}`);
          walk(v, `${path}.${k}`);
        }
        if (node.items) walk(node.items, `${path}[]`);
      };
      walk(s.properties?.spec, 'spec');
      for (const [k, d] of Object.entries((s.$defs ?? {}) as Record<string, JsonSchema>)) walk(d, `spec#${k}`);
    }
    expect(lost).toEqual([]);
  });
});
