// Every field of every kind's spec says what it is: editors show the description as you type
// (yaml-language-server), and the README promises one on every field.
import { describe, expect, it } from 'vitest';
import { deref, type JsonSchema } from '../../../src/manifest/schema-walk.js';
import { readSchemas } from '../../../src/manifest/schemas.js';

const { schemas } = readSchemas();
const byId = new Map(schemas.map((s) => [s.$id as string, s]));

describe('schema descriptions', () => {
  it("gives every spec field a description (its own, or its definition's)", () => {
    const bare: string[] = [];
    for (const s of schemas) {
      if (!s.properties?.spec) continue;
      const walk = (node: JsonSchema, file: JsonSchema, path: string, depth: number): void => {
        const [n, f] = deref(node, file, byId);
        if (depth > 14) return;
        for (const [k, child] of Object.entries((n.properties ?? {}) as Record<string, JsonSchema>)) {
          if (typeof deref(child, f, byId)[0].description !== 'string') bare.push(`${s.$id} ${path}.${k}`);
          walk(child, f, `${path}.${k}`, depth + 1);
        }
        if (n.items) walk(n.items, f, `${path}[]`, depth + 1);
        if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, f, `${path}{}`, depth + 1);
      };
      walk(s.properties.spec, s, 'spec', 0);
    }
    expect(bare).toEqual([]);
  });
});
