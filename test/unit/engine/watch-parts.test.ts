import { describe, expect, it } from 'vitest';
import { shareOfTasks } from '../../../src/cli/commands/watch.js';
import { Backoff } from '../../../src/engine/backoff.js';
import { matchesPattern, underDriftPolicy } from '../../../src/engine/drift.js';
import type { ExecutablePlan, PlanAction } from '../../../src/engine/plan.js';

describe('drift policy', () => {
  it('matches a field, what is inside it, and any list element', () => {
    expect(matchesPattern('template.containers[0].image', 'template.containers[].image')).toBe(true);
    expect(matchesPattern('template.scaling.maxInstanceCount', 'template.scaling')).toBe(true);
    expect(matchesPattern('template.scalingX', 'template.scaling')).toBe(false);
    expect(matchesPattern('labels.version', 'labels.version')).toBe(true);
  });

  const plan = (): ExecutablePlan => {
    const action = (name: string, changes: string[], act: PlanAction['action'] = 'update'): PlanAction => ({
      action: act,
      kind: 'CloudRunService',
      name,
      id: name,
      dependsOn: [],
      warnings: [],
      changes: changes.map((path) => ({ path, before: 'a', after: 'b' })),
    });
    const resource = (report?: string) => ({ annotations: report ? { 'musectl.dev/drift-report': report } : {} }) as any;
    return {
      plan: {
        formatVersion: 1,
        stack: 's',
        project: 'p',
        wouldPrune: [],
        summary: {} as any,
        actions: [
          action('only-image', ['template.containers[0].image']),
          action('mixed', ['template.containers[0].image', 'template.timeout']),
          action('plain', ['template.timeout']),
          action('new', [], 'create'),
        ],
      },
      context: new Map([
        ['CloudRunService/only-image', { resource: resource('template.containers[].image') }],
        ['CloudRunService/mixed', { resource: resource('template.containers[].image') }],
        ['CloudRunService/plain', { resource: resource() }],
        ['CloudRunService/new', { resource: resource('template.containers[].image') }],
      ]),
    };
  };

  /** The drift policy as the planner applies it, action by action; returns what is reported. */
  const applyDriftPolicy = (p: ExecutablePlan, observeOnly: boolean) => {
    const reported: Array<{ key: string; path: string }> = [];
    p.plan.actions = p.plan.actions.map((a) => {
      const key = `${a.kind}/${a.name}`;
      const ctx = p.context.get(key);
      const { action, preserve } = underDriftPolicy(a, ctx?.resource, observeOnly ? 'observe-only' : 'annotated');
      if (preserve && ctx) ctx.preserve = preserve;
      for (const c of action.reported?.changes ?? []) reported.push({ key, path: c.path });
      return action;
    });
    return reported;
  };

  it("turns a report-only update into a no-op and keeps Google's value on report-only paths of a mixed one", () => {
    const p = plan();
    const reported = applyDriftPolicy(p, false);
    expect(p.plan.actions.map((a) => a.action)).toEqual(['noop', 'update', 'update', 'create']);
    expect(p.context.get('CloudRunService/mixed')?.preserve).toEqual(['template.containers[0].image']);
    expect(reported.map((r) => `${r.key} ${r.path}`)).toEqual([
      'CloudRunService/only-image template.containers[0].image',
      'CloudRunService/mixed template.containers[0].image',
    ]);
  });

  it('with observe-only reports everything and leaves nothing to do', () => {
    const p = plan();
    const reported = applyDriftPolicy(p, true);
    expect(p.plan.actions.every((a) => a.action === 'noop')).toBe(true);
    expect(reported).toHaveLength(4);
  });
});

describe('backoff', () => {
  it('doubles per failure up to the cap, and forgets a resource that succeeds', () => {
    let now = 0;
    const b = new Backoff(1_000, 4_000, () => now);
    b.failed('A', 'boom');
    expect([...b.holding().keys()]).toEqual(['A']);
    now = 1_300; // past 1 s + 20% jitter
    expect(b.holding().size).toBe(0);
    b.failed('A', 'boom');
    b.failed('A', 'boom');
    b.failed('A', 'boom'); // 4th: 8 s capped at 4 s
    now += 3_100;
    expect(b.holding().get('A')).toMatch(/^backing off after 4 failures until .* \(last: boom\)$/);
    now += 2_000;
    expect(b.holding().size).toBe(0);
    b.failed('A', 'x');
    b.succeeded('A');
    expect(b.holding().size).toBe(0);
  });

  it('carries its counts to the next process (one cycle per execution), so the next wait still doubles', () => {
    let now = 0;
    const first = new Backoff(1_000, 60_000, () => now);
    first.failed('A', 'boom');
    first.failed('A', 'boom');
    const saved = first.snapshot();
    expect(saved.A).toMatchObject({ failures: 2, error: 'boom' });
    now = 10_000; // its wait ran out
    const next = new Backoff(1_000, 60_000, () => now);
    next.restore(saved);
    expect(next.holding().size).toBe(0);
    next.failed('A', 'again'); // the 3rd failure: 4 s (+-20%), not 1 s
    now += 3_000;
    expect(next.holding().get('A')).toMatch(/^backing off after 3 failures/);
  });
});

describe('Cloud Run job tasks', () => {
  it('share the stacks by CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT', () => {
    const stacks = ['d', 'a', 'c', 'b', 'e'];
    expect(shareOfTasks(stacks, {})).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(shareOfTasks(stacks, { CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '2' })).toEqual(['a', 'c', 'e']);
    expect(shareOfTasks(stacks, { CLOUD_RUN_TASK_INDEX: '1', CLOUD_RUN_TASK_COUNT: '2' })).toEqual(['b', 'd']);
    expect(() => shareOfTasks(stacks, { CLOUD_RUN_TASK_INDEX: '2', CLOUD_RUN_TASK_COUNT: '2' })).toThrow(/do not make sense/);
  });
});
