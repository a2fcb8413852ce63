import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLongRunning, SHORT_RUN_INTERRUPT_BUDGET, startFlags, WATCHER_NODE_FLAGS } from '../../src/v8-flags.js';
import { ROOT } from '../e2e/cli.js';

const budget = `--interrupt-budget=${SHORT_RUN_INTERRUPT_BUDGET}`;

describe('startFlags', () => {
  it('gives a short command the larger TurboFan budget and baseline-only WebAssembly', () => {
    for (const args of [['plan', '-f', 'manifests'], ['apply'], ['validate'], ['--no-color', 'up'], ['watch', '--once'], ['watch', '-f', 'm', '--once'], []])
      expect(startFlags(args, [])).toEqual(['--liftoff-only', budget]);
    expect(SHORT_RUN_INTERRUPT_BUDGET).toBe(4 * 66 * 1024);
  });

  it("leaves V8's default budget to a process that runs until stopped", () => {
    for (const args of [['watch'], ['watch', '-f', 'manifests', '--interval', '60'], ['--no-color', 'watch'], ['watch', '--cycles', '3'], ['emulator']]) {
      expect(isLongRunning(args)).toBe(true);
      expect(startFlags(args, [])).toEqual(['--liftoff-only']);
    }
    // A file or value named "watch" is not the command.
    expect(isLongRunning(['plan', '-f', 'watch'])).toBe(false);
  });

  it("lets a flag the user gave node win, by its exact name (V8's _ read as -)", () => {
    expect(startFlags(['plan'], ['--interrupt-budget=1000'])).toEqual(['--liftoff-only']);
    expect(startFlags(['plan'], ['--interrupt_budget=5000'])).toEqual(['--liftoff-only']);
    expect(startFlags(['plan'], ['--no-liftoff'])).toEqual([budget]);
    expect(startFlags(['plan'], ['--liftoff-only'])).toEqual([budget]);
    // Other flags that only start alike are not the same flag.
    expect(startFlags(['plan'], ['--interrupt-budget-for-feedback-allocation=1', '--liftoff-tier-up'])).toEqual(['--liftoff-only', budget]);
  });
});

describe("the watcher's node flags", () => {
  it("are the ones the watcher's image starts node with (the bench starts its warm plans with them too)", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
    const entrypoint = JSON.parse(line!.slice('ENTRYPOINT '.length)) as string[];
    expect(entrypoint[0]).toBe('node');
    expect(entrypoint.at(-1)).toBe('/app/bin/musectl.js');
    expect(entrypoint.slice(1, -1)).toEqual(WATCHER_NODE_FLAGS);
  });
});
