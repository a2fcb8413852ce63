// Registers the round-trip tests of one kind: every schema field has a case, and each case sets,
// re-plans, changes, and removes its field against a fresh emulator (round-trip.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { changedValue, harness, type KindRoundTrip, leavesOf, planPathOf, schemaLeaves, withField } from './round-trip.js';

const NO_CHANGE = { action: 'noop', paths: [] };

/** Whether a plan path is at or under another (list items by key or index). */
const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

export function describeRoundTrip(rt: KindRoundTrip): void {
  describe(`${rt.kind}: every field round-trips`, () => {
    let emu: RunningEmulator;
    const h = harness(() => emu, rt);
    let before: Record<string, any> | undefined;

    beforeAll(async () => {
      emu = await startEmulator({});
      h.write(rt.base);
      await h.apply();
      before = await h.observedSpec();
    });
    afterAll(async () => emu?.close());

    it('has a case for every field of the schema (or says why not)', () => {
      const leaves = schemaLeaves(rt.kind);
      const pattern = (p: string) => p.replace(/\[\d+\]/g, '[]');
      const set = new Set(rt.cases.flatMap(leavesOf).map(pattern));
      const covered = new Set(leaves.filter((l) => set.has(l.path)).map((l) => l.field));
      const missing = leaves.filter((l) => !covered.has(l.field) && !(l.path in (rt.notRoundTripped ?? {}))).map((l) => l.path);
      expect(missing).toEqual([]);
    });

    for (const c of rt.cases) {
      const at = c.planPath ?? planPathOf(c.at);
      const action = c.replaces ? 'replace' : 'update';
      const allowed = [at, ...(c.with ?? []).map((w) => planPathOf(w.at)), ...(c.without ?? []).map(planPathOf), ...(c.also ?? [])];
      const isUnder = (p: string) => allowed.some((x) => under(p, x));
      it(`${at}: set, plan again, change, remove`, async () => {
        // From the base, whatever an earlier case left behind.
        h.write(rt.base, c.extra);
        await h.apply(c.replaces);
        // Set it: one change of this resource, under the field (and what the case needs with it).
        h.write(withField(rt.base, c), c.extra);
        const set = await h.apply(c.replaces);
        expect(set.action, 'setting it').toBe(action);
        expect(set.paths.length, 'setting it changes something').toBeGreaterThan(0);
        expect(
          set.paths.filter((p) => !isUnder(p)),
          `setting it changes only ${allowed.join(', ')}`,
        ).toEqual([]);
        expect(await h.plan(), 'planned again after it was set').toEqual(NO_CHANGE);
        expect(await h.exported(), 'what export writes for it plans as no change').toEqual({ problems: [], changes: [] });
        // Change it: exactly that change.
        if (!c.noChange) {
          h.write(withField(rt.base, c, changedValue(c)), c.extra);
          const changeAction = c.changeInPlace ? 'update' : action;
          expect(await h.plan(), 'changing it').toEqual({ action: changeAction, paths: c.changePaths });
          await h.apply(c.replaces && !c.changeInPlace);
          expect(await h.plan(), 'planned again after the change').toEqual(NO_CHANGE);
        }
        // Remove it: back to what Google had before it was set.
        const changed = await h.observedSpec();
        h.write(rt.base, c.extra);
        if (c.changeToDefault || c.leftToGoogle) {
          // Nothing left to remove (it holds the default already), or Google's choice (kept as it is).
          const same = (c.with ?? []).length === 0 && (c.without ?? []).length === 0;
          if (same) expect(await h.plan(), 'removing it changes nothing').toEqual(NO_CHANGE);
          await h.apply(c.replaces);
          expect(await h.plan(), 'planned again after it was removed').toEqual(NO_CHANGE);
          if (c.leftToGoogle) expect(await h.observedSpec(), 'left as Google has it').toEqual(changed);
          else expect(await h.observedSpec(), 'back to the default').toEqual(before);
          return;
        }
        const removed = await h.apply(c.replaces);
        expect(removed.action, 'removing it').toBe(action);
        expect(
          removed.paths.filter((p) => !isUnder(p)),
          `removing it changes only ${allowed.join(', ')}`,
        ).toEqual([]);
        expect(await h.plan(), 'planned again after it was removed').toEqual(NO_CHANGE);
        expect(await h.observedSpec(), 'back to the default').toEqual(before);
      });
    }
  });
}
