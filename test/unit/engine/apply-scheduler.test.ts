// The apply scheduler with fake controllers (the engine takes whatever controllers it is given):
// dependency order, the parallelism bound, a failure skipping only what depends on it, batches
// written once, held-back actions left alone with their dependents, and stopping between actions;
// which ready action gets a free slot first (the longest way to go), and an action waiting (for an
// operation, a quota token) giving its slot up and getting it back before new ones start.
import { describe, expect, it } from 'vitest';
import type { AnyController, Batched, BatchItem, ControllerContext, ControllerRegistry, KindFacts, Observed } from '../../../src/contract/controller.js';
import { applyPlan } from '../../../src/engine/apply.js';
import type { ApplyEvent } from '../../../src/engine/events.js';
import { type ActionContext, type ExecutablePlan, type PlanAction, summarize } from '../../../src/engine/plan.js';
import { NOMINAL_CALL_MS, NOMINAL_OPERATION_MS, startPriorities } from '../../../src/engine/schedule.js';
import { whileWaiting } from '../../../src/gcp/waiting-room.js';
import type { Resource } from '../../../src/manifest/index.js';
import { until } from '../../support/until.js';

interface Recorder {
  log: string[];
  running: number;
  maxRunning: number;
}

const observedOf = (id: string): Observed => ({ id, spec: {}, labels: {}, outputs: {}, raw: undefined });

/**
 * A kind whose create and update take `ms` (or runs `work`, which a test resolves when it wants) and fails
 * for the names in `failing`.
 */
function fakeKind(
  kind: string,
  rec: Recorder,
  opts: { ms?: number; failing?: Set<string>; facts?: Partial<KindFacts>; work?: (name: string) => Promise<void> } = {},
): AnyController {
  const work = async (r: Resource): Promise<Observed> => {
    rec.running++;
    rec.maxRunning = Math.max(rec.maxRunning, rec.running);
    rec.log.push(`start ${r.key}`);
    await (opts.work ? opts.work(r.name) : new Promise((res) => setTimeout(res, opts.ms ?? 5)));
    rec.running--;
    if (opts.failing?.has(r.name)) throw new Error(`${r.key} refused`);
    rec.log.push(`done ${r.key}`);
    return observedOf(`${kind}/${r.name}`);
  };
  return {
    kind,
    facts: { deletionPolicy: 'delete', ...opts.facts },
    identify: (r) => ({ id: `${kind}/${r.name}`, scope: 'p' }),
    desired: () => ({}),
    observe: async () => new Map(),
    create: (_ctx, r) => work(r),
    update: (_ctx, r) => work(r),
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

/** Promises a test resolves by name, to say when a fake action's work is over. */
function gates() {
  const opened = new Map<string, () => void>();
  return {
    wait: (name: string) => new Promise<void>((resolve) => opened.set(name, resolve)),
    open: (name: string) => opened.get(name)!(),
    waiting: (name: string) => opened.has(name),
  };
}

const soon = (what: string, check: () => boolean) => until(what, check, 5_000, 1);

/** A quick kind K and a long-running kind L (a rollout), both recording into `rec`, and `more`. */
const quickAndRollout = (rec: Recorder, more: Array<[string, AnyController]> = []): ControllerRegistry =>
  new Map<string, AnyController>([['K', fakeKind('K', rec)], ['L', fakeKind('L', rec, { facts: { longRunning: true } })], ...more]);

describe('which action gets a free slot', () => {
  it('the one with the longest way to go after it, ties in plan order', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = quickAndRollout(rec);
    const exec = planOf([
      { kind: 'K', name: 'a' },
      { kind: 'K', name: 'b' },
      { kind: 'K', name: 'x' },
      { kind: 'K', name: 'y', dependsOn: ['K/x'] },
      { kind: 'L', name: 'rollout' },
    ]);
    await run(exec, controllers, { parallelism: 1 });
    // The long-running one first, then x (y waits for it), then the rest as they asked.
    expect(rec.log.filter((l) => l.startsWith('start'))).toEqual(['start L/rollout', 'start K/x', 'start K/a', 'start K/b', 'start K/y']);
  });

  it('counts an operation, and the time a quota needs for all of the plan’s calls to it', () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const bucketQuotas = { read: 'storage.read', write: 'storage.bucketUpdate', createDelete: 'storage.bucketCreateDelete' } as const;
    const controllers = quickAndRollout(rec, [['B', fakeKind('B', rec, { facts: { quotas: bucketQuotas } })]]);
    const exec = planOf([
      { kind: 'B', name: 'new1' },
      { kind: 'B', name: 'new2' },
      { kind: 'B', name: 'new3' },
      { kind: 'B', name: 'old1', action: 'update' },
      { kind: 'B', name: 'old2', action: 'update' },
      { kind: 'L', name: 'l' },
      { kind: 'K', name: 'after-l', dependsOn: ['L/l'] },
      { kind: 'K', name: 'k' },
    ]);
    const p = startPriorities(exec.plan.actions, exec.context, controllers, ctxFor(controllers));
    // Three bucket creates at one per 2 s after a burst of one: the last starts 4 s after the first.
    expect(p.get('B/new1')).toBe(NOMINAL_CALL_MS + 4_000);
    // Updates count per bucket (one a second each): no wait.
    expect(p.get('B/old1')).toBe(NOMINAL_CALL_MS);
    expect(p.get('L/l')).toBe(NOMINAL_CALL_MS + NOMINAL_OPERATION_MS + NOMINAL_CALL_MS);
    expect(p.get('K/k')).toBe(NOMINAL_CALL_MS);
  });

  it('nothing waits through a no-op or a held-back action: what it depends on is as urgent as its own dependents make it', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const controllers = quickAndRollout(rec);
    // The bench's update, small: a secret that changes, the service reading it left as it is, the
    // front end that needs that service's URL changing; and a service changing on its own.
    const exec = planOf([
      { kind: 'K', name: 'secret', action: 'update' },
      { kind: 'L', name: 'api', action: 'noop', dependsOn: ['K/secret'] },
      { kind: 'L', name: 'web', action: 'update', dependsOn: ['L/api'] },
      { kind: 'L', name: 'other', action: 'update' },
      // A held-back action is skipped, and so is what depends on it: nothing waits through it either.
      { kind: 'K', name: 'key', action: 'update' },
      { kind: 'L', name: 'theirs', action: 'update', heldBack: 'not provably ours', dependsOn: ['K/key'] },
      { kind: 'L', name: 'after-theirs', action: 'update', dependsOn: ['L/theirs'] },
    ]);
    const p = startPriorities(exec.plan.actions, exec.context, controllers, ctxFor(controllers));
    expect(p.get('K/secret')).toBe(NOMINAL_CALL_MS);
    expect(p.get('K/key')).toBe(NOMINAL_CALL_MS);
    expect(p.get('L/web')).toBe(NOMINAL_CALL_MS + NOMINAL_OPERATION_MS);
    // With one place, both rollouts start before the secret and the key, which nothing waits for.
    await run(exec, controllers, { parallelism: 1 });
    const starts = rec.log.filter((l) => l.startsWith('start'));
    expect(starts.slice(0, 2).sort()).toEqual(['start L/other', 'start L/web']);
    expect(starts.slice(2)).toEqual(['start K/secret', 'start K/key']);
  });

  it('an action waiting gives its slot up, and gets it back before actions that have not started', async () => {
    const rec: Recorder = { log: [], running: 0, maxRunning: 0 };
    const gate = gates();
    const controllers = new Map<string, AnyController>([
      [
        'W',
        fakeKind('W', rec, {
          facts: { longRunning: true },
          work: async (name) => {
            rec.log.push(`wait ${name}`);
            await whileWaiting(() => gate.wait(name));
            rec.log.push(`resume ${name}`);
          },
        }),
      ],
      ['K', fakeKind('K', rec, { work: (name) => gate.wait(name) })],
    ]);
    const exec = planOf([
      { kind: 'K', name: 'k1' },
      { kind: 'K', name: 'k2' },
      { kind: 'W', name: 'w' },
    ]);
    const applying = run(exec, controllers, { parallelism: 1 });
    await soon('k1 to start while w waits', () => gate.waiting('k1'));
    gate.open('w'); // the operation is done: w wants its slot back, which k1 holds
    gate.open('k1');
    await soon('k2 to start', () => gate.waiting('k2'));
    gate.open('k2');
    const { result } = await applying;
    expect(result.done.map((a) => a.name).sort()).toEqual(['k1', 'k2', 'w']);
    expect(rec.log).toEqual(['start W/w', 'wait w', 'start K/k1', 'done K/k1', 'resume w', 'done W/w', 'start K/k2', 'done K/k2']);
    // Two under way at once with --parallelism 1: one of them waiting, not calling.
    expect(rec.maxRunning).toBe(2);
  });
});
