// The controller contract, checked for every registered controller against the emulator (over
// HTTP, through the official clients the controllers use): observe never writes; create, observe
// and diff agree; a second create meets Google's already-exists (or, for shared state, changes
// nothing); its outputs are those its schema declares, with a value for each one it shows; one
// that reports health calls it ready; deleting
// what is gone succeeds; what export writes plans as no change; and changing
// an identity field gives exactly one replacement and leaves no old resource behind.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allControllers } from '../../controllers/index.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { controllerFor, idOf, isExportable, isLabelled, reportsHealth, scopeOf } from '../../src/contract/controller.js';
import { desiredLabels } from '../../src/engine/ownership.js';
import { applyWithInventory } from '../../src/engine/pipeline.js';
import { DEFAULT_PLAN_OPTIONS, outputLookup, resourceChanges } from '../../src/engine/planner.js';
import { observeAndPlan, openSession, type Session } from '../../src/engine/session.js';
import { isAlreadyExists } from '../../src/gcp/errors.js';
import { createLogger } from '../../src/log.js';
import { schemaRegistry } from '../../src/manifest/schemas.js';
import { writeCalls } from '../e2e/harness.js';
import { exportRoundTrip } from './export-check.js';
import { SAMPLES } from './samples.js';

const PROJECT = 'contract-project';
const CONTROLLERS = allControllers();

describe('every registered controller has a sample', () => {
  it('names each kind', () => {
    expect([...CONTROLLERS.keys()].filter((k) => !SAMPLES[k])).toEqual([]);
  });
});

describe.each([...CONTROLLERS.keys()].filter((k) => SAMPLES[k]))('the %s controller', (kind) => {
  const sample = SAMPLES[kind];
  const controller = controllerFor(CONTROLLERS, kind);
  let emu: RunningEmulator;
  let dir: string;
  let yaml: string;
  let variables: Record<string, string>;

  const session = (): Promise<Session> =>
    openSession({
      controllers: CONTROLLERS,
      paths: [dir],
      variables,
      target: { kind: 'emulator', project: PROJECT, url: new URL(emu.url) },
      log: createLogger('silent'),
      state: join(dir, '.state'),
      writes: true,
    });
  const writes = async (fn: () => Promise<unknown>): Promise<Record<string, number>> => {
    const before = (await (await fetch(`${emu.url}/_emulator/stats`)).json()) as { requests: Record<string, number> };
    await fn();
    const after = (await (await fetch(`${emu.url}/_emulator/stats`)).json()) as { requests: Record<string, number> };
    const delta: Record<string, number> = {};
    for (const [route, n] of Object.entries(after.requests)) if (n - (before.requests[route] ?? 0) > 0) delta[route] = n - (before.requests[route] ?? 0);
    return writeCalls(delta);
  };
  /** Plans and applies the current manifests; returns the plan's changes. */
  const apply = async (): Promise<string[]> => {
    const s = await session();
    try {
      const planned = await observeAndPlan(s, DEFAULT_PLAN_OPTIONS);
      const result = await applyWithInventory(s, planned, { parallelism: 4, listener: () => undefined });
      expect(result.failed, JSON.stringify(result.failed)).toEqual([]);
      return planned.exec.plan.actions.filter((a) => a.action !== 'noop').map((a) => `${a.action} ${a.kind}/${a.name}`);
    } finally {
      await s.close();
    }
  };
  const planChanges = async (): Promise<string[]> => {
    const s = await session();
    try {
      const { exec } = await observeAndPlan(s, DEFAULT_PLAN_OPTIONS);
      return exec.plan.actions.filter((a) => a.action !== 'noop').map((a) => `${a.action} ${a.kind}/${a.name}`);
    } finally {
      await s.close();
    }
  };

  beforeAll(async () => {
    process.env.CONTRACT_SECRET = 'contract-secret-value';
    emu = await startEmulator({});
    dir = mkdtempSync(join(tmpdir(), `musectl-contract-${kind}-`));
    yaml = sample.yaml;
    variables = { ...sample.variables };
    writeFileSync(join(dir, 'stack.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata: { name: contract }\n');
    writeFileSync(join(dir, 'sample.yaml'), yaml);
  });
  afterAll(async () => emu.close());

  it('observe makes no write call', async () => {
    const s = await session();
    try {
      const r = s.set.resources.find((x) => x.key === sample.key)!;
      expect(await writes(() => controller.observe(s.ctx, scopeOf(controller, r, s.ctx)))).toEqual({});
    } finally {
      await s.close();
    }
  });

  it('create, then observe, then diff: no change; a second create meets already-exists; delete of a missing one succeeds', async () => {
    const s = await session();
    try {
      const { ctx } = s;
      const r = s.set.resources.find((x) => x.key === sample.key)!;
      const lookup = outputLookup(s.set.resources, CONTROLLERS, ctx, () => undefined);
      const desired = controller.desired(r, ctx, lookup);
      const labels = desiredLabels(r.labels, ctx.stack, isLabelled(controller));
      await controller.create(ctx, r, desired, labels);
      // observe keys what it lists by the manifest's identity (identify().id), whatever form Google names it in.
      const observed = (await controller.observe(ctx, scopeOf(controller, r, ctx))).get(idOf(controller, r, ctx));
      expect(observed, 'observe finds what create made').toBeDefined();
      expect(resourceChanges(controller, desired, labels, observed!)).toEqual([]);
      // Its outputs are the ones its schema declares, and those a person is shown have a value.
      const declared = Object.keys(schemaRegistry().get(kind)!.outputs);
      expect(Object.keys(observed!.outputs).filter((o) => !declared.includes(o))).toEqual([]);
      for (const o of controller.facts.shownOutputs ?? []) expect(observed!.outputs[o], `output ${o}`).toMatch(/\S/);
      // A kind that reports health calls what it just made ready, from what observe returned.
      if (reportsHealth(controller)) expect(controller.health(observed!).state).toBe('ready');
      if (controller.facts.sharedIdentity) {
        // Shared state (a grant, an API): creating what exists changes nothing.
        await controller.create(ctx, r, desired, labels);
        expect((await controller.observe(ctx, scopeOf(controller, r, ctx))).get(idOf(controller, r, ctx))).toBeDefined();
      } else {
        const again = await controller.create(ctx, r, desired, labels).then(
          () => 'resolved',
          (err) => (isAlreadyExists(err) ? 'already exists' : String(err)),
        );
        expect(again).toBe('already exists');
      }
      await controller.delete(ctx, observed!);
      await controller.delete(ctx, observed!); // already gone: done
      expect((await controller.observe(ctx, scopeOf(controller, r, ctx))).get(idOf(controller, r, ctx))).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it('what export writes for it plans as no change', async () => {
    expect(await apply()).toContain(`create ${sample.key}`);
    const s = await session();
    try {
      if (!isExportable(controller)) return;
      const r = s.set.resources.find((x) => x.key === sample.key)!;
      const id = idOf(controller, r, s.ctx);
      const observed = (await controller.observe(s.ctx, scopeOf(controller, r, s.ctx))).get(id)!;
      expect(exportRoundTrip(CONTROLLERS, controller, r, observed, s.set.resources, s.ctx)).toEqual({ problems: [], changes: [] });
    } finally {
      await s.close();
    }
    expect(await planChanges()).toEqual([]);
  });

  for (const spelling of sample.spellings ?? []) {
    it(`another spelling converges: ${spelling.field}`, async () => {
      writeFileSync(join(dir, 'sample.yaml'), spelling.rewrite(yaml));
      try {
        expect(await planChanges()).toEqual([]);
      } finally {
        writeFileSync(join(dir, 'sample.yaml'), yaml);
      }
    });
  }

  for (const edit of sample.identity) {
    it(`changing ${edit.field} replaces it once and leaves no old resource`, async () => {
      const before = await session();
      let oldId: string;
      let oldScope: string;
      try {
        const r = before.set.resources.find((x) => x.kind === kind)!;
        oldId = idOf(controller, r, before.ctx);
        oldScope = scopeOf(controller, r, before.ctx);
      } finally {
        await before.close();
      }
      if (edit.rewrite) {
        yaml = edit.rewrite(yaml);
        writeFileSync(join(dir, 'sample.yaml'), yaml);
      }
      if (edit.variables) variables = { ...variables, ...edit.variables };
      const changes = await apply();
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatch(new RegExp(`^replace ${kind}/`));
      expect(await planChanges()).toEqual([]);
      const after = await session();
      try {
        const old = (await controller.observe(after.ctx, oldScope)).get(oldId);
        if (controller.facts.deletionPolicy === 'abandon') {
          // Abandoned by policy: it may stay, but it is no longer marked or inventoried as the stack's.
          if (old && isLabelled(controller)) expect(old.labels['musectl-stack']).toBeUndefined();
          const inv = await after.inventory.load();
          expect(inv.entries.map((e) => e.id)).not.toContain(oldId);
        } else {
          expect(old, `${oldId} is gone`).toBeUndefined();
        }
      } finally {
        await after.close();
      }
    });
  }
});
