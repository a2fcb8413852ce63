// The apply scheduler with fake controllers (the engine takes whatever controllers it is given):
// dependency order, the parallelism bound, a failure skipping only what depends on it, batches
// written once, held-back actions left alone with their dependents, and stopping between actions.
import { describe, expect, it } from 'vitest';
import type { AnyController, Batched, BatchItem, ControllerContext, ControllerRegistry, Observed } from '../../../src/contract/controller.js';
import { applyPlan } from '../../../src/engine/apply.js';
import type { ApplyEvent } from '../../../src/engine/events.js';
import { type ActionContext, type ExecutablePlan, type PlanAction, summarize } from '../../../src/engine/plan.js';
import type { Resource } from '../../../src/manifest/index.js';

interface Recorder {
  log: string[];
  running: number;
  maxRunning: number;
}

const observedOf = (id: string): Observed => ({ id, spec: {}, labels: {}, outputs: {}, raw: undefined });

/** A kind whose create takes `ms` and fails for the names in `failing`. */
function fakeKind(kind: string, rec: Recorder, opts: { ms?: number; failing?: Set<string> } = {}): AnyController {
  return {
    kind,
    facts: { deletionPolicy: 'delete' },
    identify: (r) => ({ id: `${kind}/${r.name}`, scope: 'p' }),
    desired: () => ({}),
    observe: async () => new Map(),
    async create(_ctx, r) {
      rec.running++;
      rec.maxRunning = Math.max(rec.maxRunning, rec.running);
      rec.log.push(`start ${r.key}`);
      await new Promise((res) => setTimeout(res, opts.ms ?? 5));
      rec.running--;
      if (opts.failing?.has(r.name)) throw new Error(`${r.key} refused`);
      rec.log.push(`done ${r.key}`);
      return observedOf(`${kind}/${r.name}`);
    },
    update: async (_ctx, _r, _d, _l, actual) => actual,
    delete: async () => undefined,
  };
}

function fakeBatchedKind(kind: string, rec: Recorder): AnyController & Batched {
  return {
    ...fakeKind(kind, rec),
    batchKey: () => 'one-policy',
    async applyBatch(_ctx, items: BatchItem[]) {
      rec.log.push(`batch ${items.map((i) => i.resource?.name).join(',')}`);
      return new Map(items.map((i) => [i, observedOf(`${kind}/${i.resource?.name}`)]));
    },
  };
}

function resource(kind: string, name: string): Resource {
  return { kind, name, key: `${kind}/${name}`, labels: {}, annotations: {}, spec: {}, refs: [], doc: {} as any };
}

function planOf(actions: Array<Partial<PlanAction> & { kind: string; name: string }>): ExecutablePlan {
  const full: PlanAction[] = actions.map((a) => ({ action: 'create', id: `${a.kind}/${a.name}`, dependsOn: [], changes: [], warnings: [], ...a }));
  const context = new Map<string, ActionContext>(full.map((a) => [`${a.kind}/${a.name}`, { resource: resource(a.kind, a.name) }]));
  return { plan: { formatVersion: 1, stack: 's', project: 'p', actions: full, wouldPrune: [], summary: summarize(full) }, context };
}

function ctxFor(controllers: ControllerRegistry): ControllerContext {
  return {
    project: 'p',
    projectNumber: async () => '1',
    stack: 's',
    clients: {} as any,
    api: {} as any,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as any,
    consistencyTimeoutMs: 0,
    resource: () => undefined,
    imageDigests: new Map(),
    controller: (k) => controllers.get(k)!,
  };
}

async function run(exec: ExecutablePlan, controllers: ControllerRegistry, extra: { parallelism?: number; shouldStop?: () => boolean } = {}) {
  const events: ApplyEvent[] = [];
  const result = await applyPlan(exec, controllers, ctxFor(controllers), { parallelism: extra.parallelism ?? 10, listener: (e) => events.push(e), ...extra });
  return { result, events };
}

describe('the apply scheduler', () => {
  it('starts an action only after what it depends on is done', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map([['K', fakeKind('K', rec)]]);
    const exec = planOf([
      { kind: 'K', name: 'c', dependsOn: ['K/b'] },
      { kind: 'K', name: 'b', dependsOn: ['K/a'] },
      { kind: 'K', name: 'a' },
    ]);
    const { result } = await run(exec, controllers);
    expect(result.done.map((a) => a.name).sort()).toEqual(['a', 'b', 'c']);
    expect(rec.log).toEqual(['start K/a', 'done K/a', 'start K/b', 'done K/b', 'start K/c', 'done K/c']);
  });

  it('runs independent actions at once, never more than the parallelism', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map([['K', fakeKind('K', rec, { ms: 20 })]]);
    const exec = planOf(Array.from({ length: 9 }, (_, i) => ({ kind: 'K', name: `r${i}` })));
    await run(exec, controllers, { parallelism: 3 });
    expect(rec.maxRunning).toBe(3);
  });

  it('a failure skips what depends on it; every independent branch still finishes', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map([['K', fakeKind('K', rec, { failing: new Set(['bad']) })]]);
    const exec = planOf([
      { kind: 'K', name: 'bad' },
      { kind: 'K', name: 'child', dependsOn: ['K/bad'] },
      { kind: 'K', name: 'grandchild', dependsOn: ['K/child'] },
      { kind: 'K', name: 'other' },
    ]);
    const { result } = await run(exec, controllers);
    expect(result.failed.map((f) => [f.action.name, f.error])).toEqual([['bad', 'K/bad refused']]);
    expect(result.skipped.map((s) => s.action.name).sort()).toEqual(['child', 'grandchild']);
    expect(result.skipped.find((s) => s.action.name === 'child')?.reason).toBe('not attempted: it depends on K/bad, which did not apply');
    expect(result.done.map((a) => a.name)).toEqual(['other']);
  });

  it('writes the actions of one batch key once, when all of them are ready', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map<string, AnyController>([
      ['K', fakeKind('K', rec)],
      ['G', fakeBatchedKind('G', rec)],
    ]);
    const exec = planOf([
      { kind: 'K', name: 'target' },
      { kind: 'G', name: 'g1', dependsOn: ['K/target'] },
      { kind: 'G', name: 'g2' },
    ]);
    const { result } = await run(exec, controllers);
    expect(rec.log.filter((l) => l.startsWith('batch'))).toEqual(['batch g2,g1']);
    expect(rec.log.indexOf('batch g2,g1')).toBeGreaterThan(rec.log.indexOf('done K/target'));
    expect(result.done.map((a) => a.name).sort()).toEqual(['g1', 'g2', 'target']);
  });

  it('leaves a held-back action and what depends on it alone, and applies the rest', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map([['K', fakeKind('K', rec)]]);
    const exec = planOf([
      { kind: 'K', name: 'theirs', action: 'adopt', heldBack: 'not provably ours' },
      { kind: 'K', name: 'uses-theirs', dependsOn: ['K/theirs'] },
      { kind: 'K', name: 'mine' },
    ]);
    const { result } = await run(exec, controllers);
    expect(result.done.map((a) => a.name)).toEqual(['mine']);
    expect(result.skipped.map((s) => [s.action.name, s.reason])).toEqual([
      ['theirs', 'held back: not provably ours'],
      ['uses-theirs', 'not attempted: it depends on K/theirs, which did not apply'],
    ]);
  });

  it('starts nothing new once asked to stop, and lets what runs finish', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map([['K', fakeKind('K', rec, { ms: 30 })]]);
    let stop = false;
    const exec = planOf([
      { kind: 'K', name: 'first' },
      { kind: 'K', name: 'second', dependsOn: ['K/first'] },
    ]);
    setTimeout(() => (stop = true), 10);
    const { result } = await run(exec, controllers, { shouldStop: () => stop });
    expect(result.done.map((a) => a.name)).toEqual(['first']);
    expect(result.skipped.map((s) => [s.action.name, s.reason])).toEqual([['second', 'not attempted: stopping']]);
  });

  it('refuses a plan with a blocked action before doing anything', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = new Map([['K', fakeKind('K', rec)]]);
    const exec = planOf([
      { kind: 'K', name: 'a' },
      { kind: 'K', name: 'b', action: 'replace', blocked: 'holds data' },
    ]);
    await expect(run(exec, controllers)).rejects.toThrow('the plan cannot be applied: K/b: holds data');
    expect(rec.log).toEqual([]);
  });
});
