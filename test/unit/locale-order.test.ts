import { describe, expect, it } from 'vitest';
import { localeOrder } from '../../src/locale-order.js';

describe('localeOrder', () => {
  it('orders as localeCompare does, equal strings included', () => {
    const words = ['b.yaml', 'a.yaml', 'B.yaml', 'a.yaml', 'Ä.yaml', 'a-b.yaml', 'a_b.yaml', '10.yaml', '9.yaml', ''];
    const byLocale = [...words].sort((x, y) => x.localeCompare(y));
    expect([...words].sort(localeOrder)).toEqual(byLocale);
    for (const x of words) for (const y of words) expect(Math.sign(localeOrder(x, y))).toBe(Math.sign(x.localeCompare(y)));
  });
});
