import { describe, expect, it } from 'vitest';
import { cpuMillis, mapPath } from '../../../src/contract/normalize.js';
import { hasUnknowns, unknown, valueAt } from '../../../src/contract/spec.js';
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
