// A process that loads the same manifests again (the watcher) takes the checked set from a cache
// keyed by the files' text and the options (src/manifest/set-cache.ts). What a load returns must be
// exactly what a load from scratch returns: edits seen at once (whatever the files' mtimes),
// Secrets' values read fresh, the same diagnostics, and nothing a caller changes kept.
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Environment, readEnvironment } from '../../../src/manifest/environment.js';
import { forgetCheckedSets, type LoadOptions, loadManifestSet, type ManifestSet } from '../../../src/manifest/index.js';
import { schemaRegistry } from '../../../src/manifest/schemas.js';
import { secretValue } from '../../../src/manifest/secret-source.js';
import { type CheckedSet, SetCache } from '../../../src/manifest/set-cache.js';
import { findStack, mayHoldStack } from '../../../src/manifest/stack.js';
import { SA, tree } from '../../support/manifest-tree.js';

const STACK = 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata: { name: s }\nspec:\n  variables:\n    TEAM: audio\n';
const SECRET = (name: string, from: string) =>
  `apiVersion: musectl.dev/v1alpha1\nkind: Secret\nmetadata: { name: ${name} }\nspec:\n  replication: { automatic: {} }\n  valueFrom: ${from}\n`;
const SERVICE = [
  'apiVersion: musectl.dev/v1alpha1',
  'kind: CloudRunService',
  'metadata: { name: web, labels: { team: "${TEAM}" } }',
  'spec:',
  '  location: us-central1',
  '  template:',
  '    containers: [{ image: example/web:1 }]',
  '',
].join('\n');

/** Everything a load returns, as data (the parsed documents by where they are). */
function asData(set: ManifestSet) {
  const { document, ...stack } = set.stack;
  const where = (d: { file: string; index: number }) => `${d.file}#${d.index}`;
  return {
    stack: { ...stack, document: document && where(document) },
    resources: set.resources.map((r) => ({ ...r, doc: where(r.doc), value: r.doc.value, secret: r.kind === 'Secret' ? secretValue(r) : undefined })),
    diagnostics: set.diagnostics,
    placeholdersUsed: set.placeholdersUsed,
    variablesUsed: set.variablesUsed,
    files: set.files,
    environment: set.environment,
    documents: set.documents.map((d) => ({ at: where(d), value: d.value })),
    outside: set.outside.map((o) => ({ from: o.from.key, ref: o.ref })),
  };
}

/** A load from scratch (nothing cached), for comparison. */
function fresh(paths: string[], opts: LoadOptions): ManifestSet {
  forgetCheckedSets();
  const set = loadManifestSet(paths, opts);
  forgetCheckedSets();
  return set;
}

/** The second load of a set: the first that is kept (a set loaded only once is not). */
function secondLoad(paths: string[], opts: LoadOptions): ManifestSet {
  loadManifestSet(paths, opts);
  return loadManifestSet(paths, opts);
}

const OPTS: LoadOptions = { variables: { PROJECT_ID: 'p' }, allowPlaceholders: false, deferMissingRefs: true };

afterEach(() => forgetCheckedSets());

describe('loading the same manifests again', () => {
  it('takes the checked set from the cache, with the same answer as a load from scratch', () => {
    const dir = tree({ 'stack.yaml': STACK, 'svc.yaml': SERVICE, 'sa.yaml': SA('sa-${TEAM}') });
    const first = loadManifestSet([dir], OPTS);
    const second = loadManifestSet([dir], OPTS);
    const third = loadManifestSet([dir], OPTS);
    // Loaded once, nothing is kept; loaded again, it is, and the next load parses nothing.
    expect(second.resources[0].doc).not.toBe(first.resources[0].doc);
    expect(third.resources[0].doc).toBe(second.resources[0].doc);
    expect(asData(second)).toEqual(asData(first));
    expect(asData(third)).toEqual(asData(first));
    expect(asData(third)).toEqual(asData(fresh([dir], OPTS)));
  });

  it('keeps what YAML aliases share as one object in every load, as the first load made it', () => {
    const aliased = [
      'apiVersion: musectl.dev/v1alpha1',
      'kind: CloudRunService',
      'metadata: { name: web }',
      'spec:',
      '  location: us-central1',
      '  template:',
      '    containers:',
      '      - image: example/web:1',
      '        env: &envs [{ name: MODE, value: a }]',
      '      - image: example/side:1',
      '        env: *envs',
      '',
    ].join('\n');
    const dir = tree({ 'stack.yaml': STACK, 'svc.yaml': aliased, 'sa.yaml': SA('plain') });
    const shared = (set: ManifestSet) => {
      const [a, b] = set.resources.find((r) => r.kind === 'CloudRunService')!.spec.template.containers;
      return a.env === b.env;
    };
    const loads = [loadManifestSet([dir], OPTS), loadManifestSet([dir], OPTS), loadManifestSet([dir], OPTS)];
    expect(loads.map(shared)).toEqual([true, true, true]);
    // Each load still has its own copy.
    expect(loads[2].resources[0].spec).not.toBe(loads[1].resources[0].spec);
    expect(asData(loads[2])).toEqual(asData(fresh([dir], OPTS)));
  });

  it('sees an edit on the next load, even one that keeps the size and the mtime', () => {
    const dir = tree({ 'stack.yaml': STACK, 'sa.yaml': SA('sa-one') });
    const file = join(dir, 'sa.yaml');
    expect(loadManifestSet([dir], OPTS).resources.map((r) => r.key)).toContain('ServiceAccount/sa-one');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, SA('sa-two'));
    utimesSync(file, atime, mtime);
    const again = loadManifestSet([dir], OPTS);
    expect(again.resources.map((r) => r.key)).toEqual(['ServiceAccount/sa-two']);
    expect(asData(again)).toEqual(asData(fresh([dir], OPTS)));
  });

  it('sees a file added or removed on the next load', () => {
    const dir = tree({ 'stack.yaml': STACK, 'a.yaml': SA('sa-aaa') });
    loadManifestSet([dir], OPTS);
    writeFileSync(join(dir, 'b.yaml'), SA('sa-bbb'));
    expect(loadManifestSet([dir], OPTS).resources.map((r) => r.key)).toEqual(['ServiceAccount/sa-aaa', 'ServiceAccount/sa-bbb']);
    rmSync(join(dir, 'a.yaml'));
    const after = loadManifestSet([dir], OPTS);
    expect(after.resources.map((r) => r.key)).toEqual(['ServiceAccount/sa-bbb']);
    expect(asData(after)).toEqual(asData(fresh([dir], OPTS)));
  });

  it('loads again with other variables or options', () => {
    const dir = tree({ 'stack.yaml': STACK, 'sa.yaml': SA('sa-${TEAM}', 'spec:\n  displayName: in ${PROJECT_ID}\n') });
    expect(loadManifestSet([dir], OPTS).resources[0].name).toBe('sa-audio');
    expect(loadManifestSet([dir], { ...OPTS, variables: { ...OPTS.variables, TEAM: 'video' } }).resources[0].name).toBe('sa-video');
    expect(
      loadManifestSet([dir], { ...OPTS, variables: {} })
        .diagnostics.map((d) => d.message)
        .join('\n'),
    ).toContain('PROJECT_ID');
  });

  it('keeps nothing a caller changes in what it was given', () => {
    const dir = tree({ 'stack.yaml': STACK, 'svc.yaml': SERVICE, 'sa.yaml': SA('sa-${TEAM}') });
    const expected = asData(fresh([dir], OPTS));
    const first = secondLoad([dir], OPTS);
    const web = first.resources.find((r) => r.key === 'CloudRunService/web')!;
    web.spec.template.containers[0].image = 'changed';
    web.labels.team = 'changed';
    web.refs.push({ path: ['spec'], kind: 'Bucket', name: 'changed' });
    web.implicitDependencies = ['ProjectService/run.googleapis.com'];
    first.resources.pop();
    first.stack.name = 'changed';
    first.stack.variables.TEAM = 'changed';
    first.diagnostics.push({ file: 'x', line: 1, col: 1, severity: 'error', subject: '', message: 'changed' });
    first.variablesUsed.push('CHANGED');
    first.files.push('changed.yaml');
    const again = loadManifestSet([dir], OPTS);
    expect(again.documents[0]).toBe(first.documents[0]); // from the cache
    expect(asData(again)).toEqual(expected);
  });

  it('reads Secrets values fresh on every load, and their problems', () => {
    const dir = tree({
      'stack.yaml': STACK,
      'secrets.yaml': `${SECRET('from-file', '{ file: .values/key }')}---\n${SECRET('from-env', '{ env: MUSECTL_SET_CACHE_TEST }')}`,
      '.values/key': 'first-value',
    });
    process.env.MUSECTL_SET_CACHE_TEST = 'env-first';
    const values = (set: ManifestSet) => set.resources.map((r) => secretValue(r).value?.toString() ?? secretValue(r).missing);
    try {
      const first = secondLoad([dir], OPTS);
      expect(values(first)).toEqual(['first-value', 'env-first']);
      writeFileSync(join(dir, '.values', 'key'), 'second-value');
      process.env.MUSECTL_SET_CACHE_TEST = 'env-second';
      const second = loadManifestSet([dir], OPTS);
      expect(second.documents[0]).toBe(first.documents[0]); // the manifests from the cache, the values not
      expect(values(second)).toEqual(['second-value', 'env-second']);
      delete process.env.MUSECTL_SET_CACHE_TEST;
      expect(values(loadManifestSet([dir], OPTS))).toEqual(['second-value', 'environment variable MUSECTL_SET_CACHE_TEST is not set']);
      // A source that became a directory is an error at the Secret, as from scratch.
      rmSync(join(dir, '.values', 'key'));
      mkdirSync(join(dir, '.values', 'key'));
      const broken = loadManifestSet([dir], OPTS);
      expect(broken.diagnostics.filter((d) => d.severity === 'error').map((d) => d.subject)).toEqual(['Secret/from-file']);
      expect(asData(broken)).toEqual(asData(fresh([dir], OPTS)));
    } finally {
      delete process.env.MUSECTL_SET_CACHE_TEST;
    }
  });

  it('gives the same diagnostics as a load from scratch, in the same order', () => {
    const dir = tree({
      'stack.yaml': STACK,
      'bad.yaml': `${SA('Bad_Name')}---\n${SA('sa-${NOPE}')}---\nkind: [unclosed\n`,
      'svc.yaml': SERVICE.replace('example/web:1', 'example/web:1, ports: [{ containerPort: nope }]'),
      'refs.yaml': SA('sa-x', 'spec:\n  displayName: x\n  unknownField: 1\n'),
    });
    const first = loadManifestSet([dir], OPTS);
    expect(first.diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThan(3);
    const kept = loadManifestSet([dir], OPTS);
    const second = loadManifestSet([dir], OPTS);
    expect(second.documents[0]).toBe(kept.documents[0]); // from the cache
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(asData(second)).toEqual(asData(fresh([dir], OPTS)));
  });

  it('with an environment: the same set, the same errors in its file, and its fields as after a load from scratch', () => {
    const dir = tree({
      'stack.yaml': STACK,
      'svc.yaml': SERVICE,
      'environments/e.yaml': [
        'apiVersion: musectl.dev/v1alpha1',
        'kind: Environment',
        'metadata: { name: e }',
        'spec:',
        '  variables: { TEAM: video }',
        '  overrides:',
        '    - kind: CloudRunService',
        '      name: web',
        '      patch: { spec: { template: { containers: [{ image: "example/${TEAM}:2", ports: [{ containerPort: bad }] }] } } }',
        '    - { kind: CloudRunService, name: "nothing-${TEAM}", patch: { spec: {} } }',
        '',
      ].join('\n'),
    });
    const env = (): Environment => readEnvironment(join(dir, 'environments'), 'e', schemaRegistry())!;
    const withEnv = (e: Environment): LoadOptions => ({ ...OPTS, environment: e });
    const scratchEnv = env();
    const expected = asData(fresh([dir], withEnv(scratchEnv)));
    expect(expected.diagnostics.filter((d) => d.file.endsWith('e.yaml')).map((d) => d.message)).toEqual([
      'spec.template.containers[0].ports[0].containerPort: must be an integer, not the string "bad"',
      'spec.overrides[1]: no CloudRunService named "nothing-video" in the manifests',
    ]);
    loadManifestSet([dir], withEnv(env()));
    const kept = loadManifestSet([dir], withEnv(env()));
    const cachedEnv = env();
    const cached = loadManifestSet([dir], withEnv(cachedEnv));
    expect(cached.documents[0]).toBe(kept.documents[0]); // from the cache
    expect(asData(cached)).toEqual(expected);
    const { doc: a, ...fieldsA } = cachedEnv;
    const { doc: b, ...fieldsB } = scratchEnv;
    expect(fieldsA).toEqual(fieldsB);
    expect(a?.value).toEqual(b?.value);
    // An edit of the environment file is seen on the next load.
    writeFileSync(join(dir, 'environments', 'e.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Environment\nmetadata: { name: e }\n');
    const edited = loadManifestSet([dir], withEnv(env()));
    expect(edited.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(edited.resources[0].spec.template.containers[0].image).toBe('example/web:1');
  });
});

describe('finding the Stack document again (the watcher with --env, every cycle)', () => {
  it('sees the Stack renamed, added and removed, whatever the mtime', () => {
    const dir = tree({ 'stack.yaml': STACK, 'sa.yaml': SA('sa-one') });
    expect(findStack([dir]).name).toBe('s');
    const file = join(dir, 'stack.yaml');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, STACK.replace('name: s ', 'name: t '));
    utimesSync(file, atime, mtime);
    expect(findStack([dir]).name).toBe('t');
    rmSync(file);
    expect(findStack([dir]).document).toBeUndefined();
    writeFileSync(join(dir, 'sa.yaml'), `${SA('sa-one')}---\n${STACK}`);
    expect(findStack([dir])).toMatchObject({ name: 's', document: { file: join(dir, 'sa.yaml'), index: 1 } });
  });
});

describe('finding the Stack document without parsing every file', () => {
  it('parses only files that can hold one: the word, or an escape that can spell it', () => {
    expect(mayHoldStack('kind: ServiceAccount\n')).toBe(false);
    expect(mayHoldStack('kind: Stack\n')).toBe(true);
    expect(mayHoldStack('kind: "St\\x61ck"\n')).toBe(true);
    // Each of these is a Stack document in YAML without the word in the text: found all the same.
    for (const kind of ['"\\x53tack"', '"St\\u0061ck"', '"St\\\n  ack"']) {
      const dir = tree({ 'a.yaml': SA('sa-one'), 'b.yaml': `apiVersion: musectl.dev/v1alpha1\nkind: ${kind}\nmetadata: { name: escaped }\n` });
      expect(findStack([dir]).name, kind).toBe('escaped');
      expect(loadManifestSet([dir], OPTS).stack.name, kind).toBe('escaped');
    }
  });
});

describe('SetCache: what it keeps', () => {
  const ofSize = (n: number) => ({ resources: new Array(n) }) as unknown as CheckedSet;

  it('keeps every set of a watcher going round a dozen stacks (each loaded twice a cycle), so each is found again', () => {
    const cache = new SetCache();
    const keys = Array.from({ length: 24 }, (_, i) => `stack-${i >> 1}-${i % 2 ? 'number' : 'stand-in'}`);
    for (const k of keys) cache.set(k, ofSize(41));
    for (let round = 0; round < 3; round++) for (const k of keys) expect(cache.get(k), k).toBeDefined();
  });

  it('keeps at most 10,000 resources: the least recently used go first, the newest stays however large', () => {
    const cache = new SetCache();
    cache.set('a', ofSize(4000));
    cache.set('b', ofSize(4000));
    cache.get('a'); // now b is the least recently used
    cache.set('c', ofSize(4000));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true]);
    cache.set('huge', ofSize(50_000));
    expect(cache.size).toBe(1);
    expect(cache.get('huge')).toBeDefined();
    cache.set('huge', ofSize(10)); // set again: counted once
    cache.set('d', ofSize(9000));
    expect(cache.size).toBe(2);
  });
});
