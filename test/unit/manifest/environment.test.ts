// JSON merge patches (RFC 7386, its own examples) and where an error about a patched field points.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergePatch, readEnvironment } from '../../../src/manifest/environment.js';
import { loadManifestSet } from '../../../src/manifest/index.js';
import { schemaRegistry } from '../../../src/manifest/schemas.js';

describe('mergePatch (RFC 7386, appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j patched with %j is %j', (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });

  it('does not change what it patches', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('an override', () => {
  const dir = mkdtempSync(join(tmpdir(), 'musectl-env-unit-'));
  mkdirSync(join(dir, 'environments'));
  writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata: { name: s }\n');
  writeFileSync(
    join(dir, 'svc.yaml'),
    'apiVersion: musectl.dev/v1alpha1\nkind: CloudRunService\nmetadata: { name: web }\nspec:\n  location: us-central1\n  template:\n    containers: [{ image: example/web:1 }]\n',
  );
  writeFileSync(
    join(dir, 'environments', 'e.yaml'),
    [
      'apiVersion: musectl.dev/v1alpha1',
      'kind: Environment',
      'metadata: { name: e }',
      'spec:',
      '  overrides:',
      '    - kind: CloudRunService',
      '      name: web',
      '      patch:',
      '        spec:',
      '          template:',
      '            containers:',
      '              - image: example/web:2',
      '                ports: [{ containerPort: not-a-port }]',
      '',
    ].join('\n'),
  );
  const load = () =>
    loadManifestSet([dir], { variables: {}, allowPlaceholders: true, environment: readEnvironment(join(dir, 'environments'), 'e', schemaRegistry()) });

  it('replaces a list as a whole, and an error inside it points into the environment file', () => {
    const set = load();
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: join(dir, 'environments', 'e.yaml'), line: 13, subject: 'CloudRunService/web' });
    expect(errors[0].message).toContain('containerPort');
  });

  it('changes the resource the manifests describe, for this environment only', () => {
    writeFileSync(
      join(dir, 'environments', 'e.yaml'),
      'apiVersion: musectl.dev/v1alpha1\nkind: Environment\nmetadata: { name: e }\nspec:\n  overrides:\n    - { kind: CloudRunService, name: web, patch: { spec: { template: { containers: [{ image: example/web:2 }] } } } }\n',
    );
    const set = load();
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(set.resources[0].spec.template.containers[0].image).toBe('example/web:2');
    expect(set.environment).toBe('e');
    const without = loadManifestSet([dir], { variables: {}, allowPlaceholders: true });
    expect(without.resources[0].spec.template.containers[0].image).toBe('example/web:1');
  });
});
