// observeAll's one round: a read about one resource (an IAM policy, a secret's value) may start
// with the lists when the inventory says the resource exists, and otherwise learns from its
// kind's list whether it is there; what is not the stack's is never guessed absent.
import { describe, expect, it } from 'vitest';
import type { AnyController, ControllerContext, ControllerRegistry, Observed } from '../../../src/contract/controller.js';
import { observeAll } from '../../../src/engine/observe.js';
import type { Resource } from '../../../src/manifest/index.js';

const seen = (id: string): Observed => ({ id, spec: {}, labels: {}, outputs: {}, raw: undefined });

/** Lists things/1 only, after a delay (as a list call would). */
const thing: AnyController = {
  kind: 'Thing',
  facts: { deletionPolicy: 'delete' },
  identify: (r) => ({ id: `things/${r.name}`, scope: 'p' }),
  desired: () => ({}),
  observe: async () => {
    await new Promise((r) => setTimeout(r, 20));
    return new Map([['things/1', seen('things/1')]]);
  },
  create: async () => seen('x'),
  update: async (_c, _r, _d, _l, a) => a,
  delete: async () => undefined,
};

/** Asks, for each thing its scope names, whether it exists, and records the answers (and whether at once). */
const answers: Record<string, { value: boolean; atOnce: boolean }> = {};
const asker: AnyController = {
  ...thing,
  kind: 'Asker',
  identify: (r) => ({ id: `askers/${r.name}`, scope: r.spec.about }),
  observe: async (ctx, scope) => {
    const a = ctx.observing!.exists('Thing', scope);
    answers[scope] = { value: await a, atOnce: a === true };
    return new Map();
  },
};

const controllers: ControllerRegistry = new Map([
  ['Thing', thing],
  ['Asker', asker],
]);
const ctx = { project: 'p', resource: () => undefined, controller: (k: string) => controllers.get(k)! } as unknown as ControllerContext;
const res = (kind: string, name: string, spec: Record<string, unknown> = {}): Resource =>
  ({ kind, name, key: `${kind}/${name}`, labels: {}, annotations: {}, spec, refs: [], doc: {} }) as unknown as Resource;

describe('observeAll in one round', () => {
  it('answers from the inventory at once, from the list otherwise, and never guesses about what is not the stack s', async () => {
    const resources = [
      res('Thing', '1'),
      res('Thing', '2'),
      res('Thing', '3'),
      res('Asker', 'a', { about: 'things/1' }), // listed, not in the inventory: after the list, true
      res('Asker', 'b', { about: 'things/2' }), // in the inventory: at once
      res('Asker', 'c', { about: 'things/3' }), // neither: after the list, false (no read of it)
      res('Asker', 'd', { about: 'things/elsewhere' }), // not the stack's: at once, true
    ];
    const inventory = [
      { kind: 'Thing', scope: 'p', id: 'things/2' },
      { kind: 'Thing', scope: 'p', id: 'things/3', pending: true }, // pending proves nothing
    ];
    const observed = await observeAll(resources, controllers, ctx, inventory);
    expect(answers).toEqual({
      'things/1': { value: true, atOnce: false },
      'things/2': { value: true, atOnce: true },
      'things/3': { value: false, atOnce: false },
      'things/elsewhere': { value: true, atOnce: true },
    });
    expect([...observed.byKey.keys()]).toEqual(['Thing/1']);
  });
});
