// musectl.dev/renamed-from through the planner and the inventory record, with a fake kind whose
// Google id does not come from its manifest name (as a grant's) and that offers evidence (as a
// Cloud Run service's uid), in a real local state store: a rename is neither a replacement nor a
// prune, the entry moves to the new name with the evidence it was recorded with, and a resource
// that no longer matches that evidence is held back instead of taken over.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyController, ControllerContext, ControllerRegistry, Observed } from '../../../src/contract/controller.js';
import { applyPlan } from '../../../src/engine/apply.js';
import type { ObservedState } from '../../../src/engine/observe.js';
import { buildPlan, DEFAULT_PLAN_OPTIONS } from '../../../src/engine/planner.js';
import { recordOutcome } from '../../../src/engine/record.js';
import type { Resource } from '../../../src/manifest/index.js';
import { InventoryStore } from '../../../src/state/inventory.js';
import { LocalStateStore } from '../../../src/state/local-store.js';

const thing: AnyController = {
  kind: 'Thing',
  facts: { deletionPolicy: 'delete' },
  identify: (r) => ({ id: r.spec.target, scope: 'p' }),
  desired: (r) => ({ size: r.spec.size }),
  observe: async () => new Map(),
  create: async () => {
    throw new Error('a rename must not create');
  },
  update: async (_c, _r, _d, _l, actual) => actual,
  delete: async () => {
    throw new Error('a rename must not delete');
  },
};
const controllers: ControllerRegistry = new Map([['Thing', thing]]);

const ctx: ControllerContext = {
  project: 'p',
  projectNumber: async () => '1',
  stack: 's',
  clients: {} as any,
  api: {} as any,
  log: { info: () => undefined, warn: () => undefined } as any,
  consistencyTimeoutMs: 0,
  resource: () => undefined,
  imageDigests: new Map(),
  controller: () => thing,
};

const manifest = (name: string, annotations: Record<string, string>): Resource => ({
  kind: 'Thing',
  name,
  key: `Thing/${name}`,
  labels: {},
  annotations,
  spec: { target: 'things/1', size: 2 },
  refs: [],
  doc: {} as any,
});

function observedState(r: Resource, live: Observed): ObservedState {
  return { byKey: new Map([[r.key, live]]), listed: new Map([['Thing', new Map([[live.id, live]])]]) };
}

async function storeWithOldEntry(): Promise<InventoryStore> {
  const store = new InventoryStore(new LocalStateStore(mkdtempSync(join(tmpdir(), 'musectl-rename-'))), 'p', 's');
  await store.update((all) =>
    all.set('Thing/old', { kind: 'Thing', name: 'old', id: 'things/1', scope: 'p', dependsOn: [], deletionPolicy: 'delete', evidence: { uid: 'u-1' } }),
  );
  return store;
}

/** Plans the manifest `r` against `live` with the inventory `store` holds. */
async function planWith(store: InventoryStore, r: Resource, live: Observed, prune: boolean) {
  return buildPlan({
    resources: [r],
    observed: observedState(r, live),
    controllers,
    ctx,
    inventory: await store.load(),
    inventoryAt: 'here',
    options: { ...DEFAULT_PLAN_OPTIONS, prune },
  });
}

describe('musectl.dev/renamed-from', () => {
  it('moves the entry to the new name with its evidence: no replacement, no prune', async () => {
    const store = await storeWithOldEntry();
    const r = manifest('new', { 'musectl.dev/renamed-from': 'old' });
    const live: Observed = { id: 'things/1', spec: { size: 2 }, labels: {}, outputs: {}, evidence: { uid: 'u-1', seen: 'later' }, raw: undefined };
    const exec = await planWith(store, r, live, true);
    expect(exec.plan.actions.map((a) => `${a.action} ${a.kind}/${a.name}`)).toEqual(['noop Thing/new']);
    expect(exec.plan.actions[0].warnings).toEqual([
      'renamed from Thing/old (things/1): the same Google resource, not replaced; apply moves its inventory entry',
    ]);
    const result = await applyPlan(exec, controllers, ctx, { parallelism: 1, listener: () => undefined });
    await recordOutcome(store, exec, result, controllers, ctx, []);
    const after = (await store.load()).entries;
    expect(after).toEqual([
      { kind: 'Thing', name: 'new', id: 'things/1', scope: 'p', dependsOn: [], deletionPolicy: 'delete', evidence: { uid: 'u-1', seen: 'later' } },
    ]);
  });

  it("without the annotation the new name is not the stack's, and the old one is kept, not pruned", async () => {
    const store = await storeWithOldEntry();
    const r = manifest('new', {});
    const live: Observed = { id: 'things/1', spec: { size: 2 }, labels: {}, outputs: {}, evidence: { uid: 'u-1' }, raw: undefined };
    const exec = await planWith(store, r, live, true);
    expect(exec.plan.actions.map((a) => `${a.action} ${a.kind}/${a.name}${a.heldBack ? ' (held back)' : ''}`)).toEqual([
      'adopt Thing/new (held back)',
      'noop Thing/old',
    ]);
    expect(exec.plan.actions[1].warnings[0]).toContain('Thing/new names the same Google resource, so it is kept');
  });

  it("a resource that no longer matches the old entry's evidence is held back, not taken over", async () => {
    const store = await storeWithOldEntry();
    const r = manifest('new', { 'musectl.dev/renamed-from': 'old' });
    const live: Observed = { id: 'things/1', spec: { size: 2 }, labels: {}, outputs: {}, evidence: { uid: 'u-2' }, raw: undefined };
    const exec = await planWith(store, r, live, false);
    expect(exec.plan.actions[0].action).toBe('adopt');
    expect(exec.plan.actions[0].heldBack).toContain('it is not the one this stack created (uid u-1 when this stack created it, u-2 now)');
  });
});
