// Every hostile input of the corpus (corpus-cases.ts: the files in corpus/ and the cases that need
// bytes, sizes, FIFOs or links) through the CLI as a process: `plan` against an emulator and
// `validate`. Each must exit 1 with the expected error at its FILE:LINE:COL, print no stack trace
// and nothing long (a 2 MB value is not echoed), send no API call, and finish in under 5 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { runCli } from '../e2e/cli.js';
import { corpus } from './corpus-cases.js';
import { STACK_TRACE } from './mutations.js';

const PROJECT = 'corpus-project';
const cases = corpus();

describe(`hostile input corpus (${cases.length} cases)`, () => {
  let emu: RunningEmulator;
  const dirs: string[] = [];

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: a located error, exit 1, no API call, under 5 s', async (_name, c) => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-corpus-'));
    dirs.push(dir);
    const { path, expect: want, env } = c.setup(dir);
    const prefix = `${want.file}:${want.line}:${want.col}: `;
    for (const args of [
      ['plan', '-f', path, '--emulator', emu.url, '--project', PROJECT, '--state', join(dir, '.state')],
      ['validate', '-f', path],
    ]) {
      const before = emu.emulator.stats.total;
      const started = Date.now();
      const r = await runCli(args, { cwd: dir, env, timeoutMs: 20_000 });
      const took = Date.now() - started;
      const what = `${args[0]} ${c.name}`;
      const lines = r.stderr.split('\n');
      expect(
        lines.find((l) => l.startsWith(prefix) && l.includes(want.text)),
        `${what}: no line "${prefix}...${want.text}" in:\n${r.stderr.slice(0, 3000)}`,
      ).toBeDefined();
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).not.toMatch(STACK_TRACE);
      expect(r.stderr, what).not.toContain('internal error');
      expect(r.stderr.length + r.stdout.length, `${what}: output stays short`).toBeLessThan(20_000);
      expect(emu.emulator.stats.total - before, `${what}: API calls`).toBe(0);
      expect(took, `${what}: took ${took} ms`).toBeLessThan(5_000);
    }
  });
});
