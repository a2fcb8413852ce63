// cloneSpec: a deep copy of a spec, Sensitive values kept as they are, every key a key.
import { describe, expect, it } from 'vitest';
import { cloneSpec, sensitive } from '../../../src/contract/spec.js';

describe('cloneSpec', () => {
  it('copies objects and lists deeply, keeps Sensitive values and scalars', () => {
    const secret = sensitive(Buffer.from('canary-value'));
    const spec = { a: { b: [1, { c: 'x' }], n: null, u: undefined }, s: secret, t: true };
    const copy = cloneSpec(spec);
    expect(copy).toEqual(spec);
    expect(Object.keys(copy.a)).toEqual(['b', 'n', 'u']);
    expect(copy.a).not.toBe(spec.a);
    expect(copy.a.b[1]).not.toBe(spec.a.b[1]);
    expect(copy.s).toBe(secret);
    copy.a.b.push(2);
    expect(spec.a.b).toHaveLength(2);
  });

  it('keeps a key named __proto__ a key, never the prototype', () => {
    const spec = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
    const copy = cloneSpec(spec);
    expect(Object.keys(copy)).toEqual(['__proto__', 'x']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: true });
  });
});
