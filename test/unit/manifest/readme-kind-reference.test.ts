// The README's kind reference names every field of every kind's spec down to the container, the
// volume and the Bucket's first level: a field added to a schema without a line in the README
// fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deref, type JsonSchema } from '../../../src/manifest/schema-walk.js';
import { readSchemas } from '../../../src/manifest/schemas.js';
import { PACKAGE_ROOT } from '../../../src/paths.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const reference = readme.slice(readme.indexOf('### Kind reference'), readme.indexOf('### IAM grants'));
const { schemas } = readSchemas();
const byId = new Map(schemas.map((s) => [s.$id as string, s]));

/** The properties at these depths of a kind's spec: the spec, its template(s), containers and volumes. */
function fieldsOf(kind: string): string[] {
  const file = schemas.find((s) => s.properties?.kind?.const === kind)!;
  const names = new Set<string>();
  const walk = (node: JsonSchema, f: JsonSchema, depth: number): void => {
    const [n, nf] = deref(node, f, byId);
    for (const [k, child] of Object.entries((n.properties ?? {}) as Record<string, JsonSchema>)) {
      names.add(k);
      const [c, cf] = deref(child, nf, byId);
      if (depth < 3 && (k === 'template' || k === 'containers' || k === 'volumes')) walk(c.items ?? c, cf, depth + 1);
    }
  };
  walk(file.properties.spec, file, 0);
  return [...names];
}

describe("the README's kind reference", () => {
  it.each(['CloudRunService', 'CloudRunJob', 'Bucket', 'Secret', 'ArtifactRegistryRepository', 'ServiceAccount'])('names every field of %s', (kind) => {
    expect(reference.length).toBeGreaterThan(0);
    expect(fieldsOf(kind).filter((f) => !reference.includes(`\`${f}\``))).toEqual([]);
  });
});
