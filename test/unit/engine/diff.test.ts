import { describe, expect, it } from 'vitest';
import { cpuMillis, mapPath } from '../../../src/contract/normalize.js';
import { hasUnknowns, setAt, unknown, valueAt } from '../../../src/contract/spec.js';
import { diffForDisplay, diffSpecs } from '../../../src/engine/diff.js';

describe('diff', () => {
  it('reports leaf changes with their full path', () => {
    const desired = {
      a: 1,
      b: { c: 'x', d: [1, 2] },
      e: [
        { n: 'A', v: '1' },
        { n: 'B', v: '2' },
      ],
    };
    const actual = {
      a: 1,
      b: { c: 'y', d: [1, 2] },
      e: [
        { n: 'A', v: '1' },
        { n: 'B', v: '3' },
      ],
    };
    expect(diffSpecs(desired, actual)).toEqual([
      { path: 'b.c', before: 'y', after: 'x' },
      { path: 'e[1].v', before: '3', after: '2' },
    ]);
  });

  it('does not manage fields the desired spec leaves out (Google chooses them)', () => {
    expect(diffSpecs({ a: 1 }, { a: 1, serverFilled: 'x', uid: '123' })).toEqual([]);
  });

  it('takes a desired null as "none": what Google has there is a change, an absent value is not', () => {
    expect(diffSpecs({ probe: null }, { probe: { port: 8080 } })).toEqual([{ path: 'probe', before: { port: 8080 }, after: null }]);
    expect(diffSpecs({ probe: null }, {})).toEqual([]);
    expect(diffSpecs({ probe: null }, { probe: null })).toEqual([]);
    expect(diffSpecs({ probe: { port: 8080 } }, {})).toEqual([{ path: 'probe', before: undefined, after: { port: 8080 } }]);
  });

  it('shows added and removed list elements whole', () => {
    expect(diffSpecs({ l: [{ n: 1 }, { n: 2 }] }, { l: [{ n: 1 }] })).toEqual([{ path: 'l[1]', before: undefined, after: { n: 2 } }]);
    expect(diffSpecs({ l: [] }, { l: [{ n: 1 }] })).toEqual([{ path: 'l[0]', before: { n: 1 }, after: undefined }]);
  });

  it('treats maps as wholly managed: a key only Google has is a change', () => {
    const isMap = (p: string) => p === 'm' || p === 'l[].m';
    expect(diffSpecs({ m: {} }, { m: { extra: 'x' } }, { isMap })).toEqual([{ path: 'm', before: { extra: 'x' }, after: {} }]);
    expect(diffSpecs({ l: [{ m: { a: '1' } }] }, { l: [{ m: { a: '1', b: '2' } }] }, { isMap })).toEqual([
      { path: 'l[0].m', before: { a: '1', b: '2' }, after: { a: '1' } },
    ]);
    // An object with declared fields: a field only Google has is not ours.
    expect(diffSpecs({ o: {} }, { o: { extra: 'x' } }, { isMap })).toEqual([]);
  });

  it('compares normalized values but shows them as written', () => {
    const norm = (s: any) => {
      mapPath(s, 'cpu', cpuMillis);
      return s;
    };
    expect(diffForDisplay({ cpu: '1' }, { cpu: '1000m' }, norm)).toEqual([]);
    expect(diffForDisplay({ cpu: '2' }, { cpu: '1000m' }, norm)).toEqual([{ path: 'cpu', before: '1000m', after: '2' }]);
  });

  it('marks values known only after apply as changes', () => {
    const desired = { env: [{ name: 'URL', value: unknown('CloudRunService/b.uri') }] };
    expect(hasUnknowns(desired)).toBe(true);
    expect(diffSpecs(desired, { env: [{ name: 'URL', value: 'https://old' }] })).toEqual([
      { path: 'env[0].value', before: 'https://old', after: { $unknown: 'CloudRunService/b.uri' } },
    ]);
  });

  it('reads values back at a diff path', () => {
    expect(valueAt({ a: { b: [{ c: 5 }] } }, 'a.b[0].c')).toBe(5);
    expect(valueAt({ a: {} }, 'a.b[0].c')).toBeUndefined();
  });
});

describe('lists diffed by key', () => {
  const listKey = (p: string) => ({ 'containers[].env': 'name', containers: 'name', traffic: 'tag' })[p];
  const env = (...pairs: Array<[string, string]>) => pairs.map(([name, value]) => ({ name, value }));

  it('one env var inserted in the middle is one change, named by its key', () => {
    const actual = { containers: [{ env: env(['A', '1'], ['B', '2'], ['C', '3'], ['D', '4']) }] };
    const desired = { containers: [{ env: env(['A', '1'], ['NEW', 'x'], ['B', '2'], ['C', '3'], ['D', '4']) }] };
    expect(diffSpecs(desired, actual, { listKey })).toEqual([{ path: 'containers[0].env[NEW]', before: undefined, after: { name: 'NEW', value: 'x' } }]);
  });

  it('an item or object added whole is shown without its nulls (none, in spec form)', () => {
    const listKey2 = (p: string) => ({ volumes: 'name' })[p];
    const volume = { name: 'scratch', emptyDir: { medium: 'MEMORY' }, secret: null, gcs: null };
    expect(diffSpecs({ volumes: [volume] }, { volumes: [] }, { listKey: listKey2 })).toEqual([
      { path: 'volumes[scratch]', before: undefined, after: { name: 'scratch', emptyDir: { medium: 'MEMORY' } } },
    ]);
    expect(diffSpecs({ probe: { tcpSocket: { port: 8080 }, grpc: null } }, {})).toEqual([
      { path: 'probe', before: undefined, after: { tcpSocket: { port: 8080 } } },
    ]);
  });

  it('a changed value and a removed var are named by their keys', () => {
    const actual = { containers: [{ env: env(['LOG_LEVEL', 'info'], ['OLD', 'x']) }] };
    const desired = { containers: [{ env: env(['LOG_LEVEL', 'debug']) }] };
    expect(diffSpecs(desired, actual, { listKey })).toEqual([
      { path: 'containers[0].env[LOG_LEVEL].value', before: 'info', after: 'debug' },
      { path: 'containers[0].env[OLD]', before: { name: 'OLD', value: 'x' }, after: undefined },
    ]);
  });

  it('named containers match by name, unnamed ones by position; a reorder is no change', () => {
    const actual = {
      containers: [
        { name: 'app', image: 'a:1' },
        { name: 'sidecar', image: 's:1' },
      ],
    };
    const desired = {
      containers: [
        { name: 'sidecar', image: 's:2' },
        { name: 'app', image: 'a:1' },
      ],
    };
    expect(diffSpecs(desired, actual, { listKey })).toEqual([{ path: 'containers[sidecar].image', before: 's:1', after: 's:2' }]);
    expect(diffSpecs({ containers: [{ image: 'x:2' }] }, { containers: [{ image: 'x:1' }] }, { listKey })).toEqual([
      { path: 'containers[0].image', before: 'x:1', after: 'x:2' },
    ]);
  });

  it('a key made of digits is quoted so it never reads as an index', () => {
    const changes = diffSpecs({ traffic: [{ tag: '2024', percent: 10 }] }, { traffic: [{ tag: '2024', percent: 0 }] }, { listKey });
    expect(changes.map((c) => c.path)).toEqual(['traffic["2024"].percent']);
  });

  it('valueAt and setAt follow keyed paths', () => {
    const spec = { containers: [{ name: 'app', env: env(['A', '1'], ['B', '2']) }] };
    expect(valueAt(spec, 'containers[app].env[B].value')).toBe('2');
    expect(valueAt(spec, 'containers[0].env[B].value')).toBe('2');
    setAt(spec, 'containers[app].env[B].value', '3');
    setAt(spec, 'containers[app].env[C]', { name: 'C', value: 'new' });
    setAt(spec, 'containers[app].env[A]', undefined);
    expect(spec.containers[0].env).toEqual(env(['B', '3'], ['C', 'new']));
  });
});
