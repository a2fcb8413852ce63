// The --parallelism slots: handed out by priority once the turn is over, and an action's slot given
// up once however many of its calls wait at the same time, and taken back once.
import { describe, expect, it } from 'vitest';
import { ActionSlot, RESUMING, Slots } from '../../../src/engine/slots.js';

describe('Slots', () => {
  it('gives a free slot to the highest priority that asked in the same turn, ties first come', async () => {
    const slots = new Slots(1);
    await slots.acquire(0); // held by someone
    const order: string[] = [];
    const asks: Array<[string, number]> = [
      ['low', 1],
      ['high', 5],
      ['high-later', 5],
      ['resuming', RESUMING],
    ];
    for (const [name, priority] of asks) void slots.acquire(priority).then(() => order.push(name));
    for (let granted = 0; granted < asks.length; granted++) {
      slots.release(); // whoever held it is done
      await new Promise((r) => setImmediate(r)); // after the slots' own hand-out in this turn
      expect(order.length).toBe(granted + 1);
    }
    expect(order).toEqual(['resuming', 'high', 'high-later', 'low']);
  });
});

describe('ActionSlot', () => {
  it('parallel waits of one action give its slot up once and take it back once', async () => {
    const slots = new Slots(1);
    await slots.acquire(0);
    const slot = new ActionSlot(slots);
    const granted: string[] = [];
    const other = slots.acquire(0).then(() => granted.push('other'));
    let openFirst!: () => void;
    let openSecond!: () => void;
    const first = slot.without(() => new Promise<void>((r) => (openFirst = r)));
    const second = slot.without(() => new Promise<void>((r) => (openSecond = r)));
    await other; // the one slot given up went to another action
    const third = slots.acquire(0).then(() => granted.push('third'));
    openFirst();
    openSecond();
    slots.release(); // the other action is done: the waiting action resumes before `third` starts
    await Promise.all([first, second]);
    expect(granted).toEqual(['other']);
    expect(slots.waiting).toBe(1);
    await slot.done();
    await third;
    expect(granted).toEqual(['other', 'third']);
  });
});
