import { describe, expect, it } from 'vitest';
import { isLongRunning, SHORT_RUN_INTERRUPT_BUDGET, startFlags } from '../../src/v8-flags.js';

const none = { execArgv: [] as string[] };
const budget = `--interrupt-budget=${SHORT_RUN_INTERRUPT_BUDGET}`;

describe('startFlags', () => {
  it('gives a short command the larger TurboFan budget and baseline-only WebAssembly', () => {
    for (const args of [
      ['plan', '-f', 'manifests'],
      ['apply'],
      ['validate'],
      ['--no-color', 'up'],
      ['watch', '--once'],
      ['watch', '--once=true', '-f', 'm'],
      [],
    ])
      expect(startFlags(args, none)).toEqual(['--liftoff-only', budget]);
    expect(SHORT_RUN_INTERRUPT_BUDGET).toBe(4 * 66 * 1024);
  });

  it("leaves V8's default budget to a process that runs until stopped", () => {
    for (const args of [['watch'], ['watch', '-f', 'manifests', '--interval', '60'], ['--no-color', 'watch'], ['watch', '--once=false'], ['emulator']]) {
      expect(isLongRunning(args)).toBe(true);
      expect(startFlags(args, none)).toEqual(['--liftoff-only']);
    }
    // A file or value named "watch" is not the command.
    expect(isLongRunning(['plan', '-f', 'watch'])).toBe(false);
  });

  it('lets a flag the user gave win, from node arguments or NODE_OPTIONS', () => {
    expect(startFlags(['plan'], { execArgv: ['--interrupt-budget=1000'] })).toEqual(['--liftoff-only']);
    expect(startFlags(['plan'], { execArgv: [], nodeOptions: '--max-old-space-size=512 --interrupt_budget=5000' })).toEqual(['--liftoff-only']);
    expect(startFlags(['plan'], { execArgv: ['--no-liftoff'] })).toEqual([budget]);
    expect(startFlags(['plan'], { execArgv: [], nodeOptions: '--liftoff-only' })).toEqual([budget]);
  });
});
