// Secrets: canary values (the Gemini key from the environment, and a second secret read from a
// file) go through every command that reads them: validate, plan in every format and saved to a
// file, apply of the saved plan, a rotation (with -o json), status, an apply that fails, output, export,
// graph; logs at trace
// level, against an emulator that injects 429s, 503s and dropped connections so that retries are
// logged too. A canary (as text, base64, base64url or hex) must never appear in stdout, stderr,
// the saved plan, the GitHub step summary and outputs, the state directory or the exported manifests, and in
// the emulator's request log only in the bodies of addVersion calls.

import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { type CliResult, ROOT, runCli } from '../e2e/cli.js';
import { pushStackImages, tempDir } from './helpers.js';

const PROJECT = 'secrets-project';
const KEY_1 = 'CANARY-gemini-9c2e7f41d0';
const KEY_2 = 'CANARY-rotated-3b8a55e6c1';
const KEY_3 = 'CANARY-failing-71f0d2aa94';
const FILE_1 = 'CANARY-file-value-e41b0c77';
const CANARIES = [KEY_1, KEY_2, KEY_3, FILE_1];

/** Every form a value could leak in. */
const forms = (v: string): string[] => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url'), Buffer.from(v).toString('hex')];

function leaks(text: string): string[] {
  return CANARIES.flatMap((c) =>
    forms(c)
      .filter((f) => text.includes(f))
      .map((f) => (f === c ? c : `${c} as ${f}`)),
  );
}

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

describe('secrets: a canary value never shows up anywhere but its addVersion call', () => {
  let emu: RunningEmulator;
  let dir: string;
  let work: string;
  let valueFile: string;
  const outputs: Array<{ what: string; r: CliResult }> = [];

  beforeAll(async () => {
    emu = await startEmulator({ faults: { r429: 0.04, r503: 0.04, drop: 0.02, seed: 5 } });
    dir = tempDir('secrets-stack');
    work = tempDir('secrets-work');
    cpSync(join(ROOT, 'manifests'), dir, { recursive: true });
    pushStackImages(emu, dir, PROJECT);
    // A second secret, its value from a file outside the manifests.
    valueFile = join(work, 'api-token.txt');
    writeFileSync(valueFile, FILE_1);
    writeFileSync(
      join(dir, 'file-secret.yaml'),
      `apiVersion: musectl.dev/v1alpha1\nkind: Secret\nmetadata:\n  name: api-token\n  labels: { app: sessionmuse }\nspec:\n  valueFrom: { file: ${JSON.stringify(valueFile)} }\n`,
    );
  });
  afterAll(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const state = () => join(work, 'state');
  const summary = () => join(work, 'step-summary.md');
  const githubOutput = () => join(work, 'github-output.txt');
  async function cli(what: string, args: string[], key: string): Promise<CliResult> {
    // The value file is outside the manifests' directory, so reading it needs --allow-secret-path.
    const allow = ['export', 'output'].includes(args[0]) ? [] : ['--allow-secret-path', work];
    const target = ['validate', 'graph'].includes(args[0])
      ? allow
      : ['--emulator', emu.url, '--project', PROJECT, ...allow, ...(args[0] === 'export' ? [] : ['--state', state()])];
    const env = { GEMINI_API_KEY: key, GITHUB_STEP_SUMMARY: summary(), GITHUB_OUTPUT: githubOutput() };
    const r = await runCli([...args, ...target], { env, timeoutMs: 180_000 });
    outputs.push({ what, r });
    return r;
  }

  it('goes through validate, plan (text, json, markdown, saved), apply of the saved plan, rotation, a failed apply, export and graph', async () => {
    expect((await cli('validate', ['validate', '-f', dir, '-o', 'json'], KEY_1)).code).toBe(0);
    expect((await cli('graph', ['graph', '-f', dir], KEY_1)).code).toBe(0);
    expect((await cli('plan text', ['plan', '-f', dir, '--log-level', 'trace'], KEY_1)).code).toBe(0);
    expect((await cli('plan json', ['plan', '-f', dir, '-o', 'json'], KEY_1)).code).toBe(0);
    expect((await cli('plan markdown', ['plan', '-f', dir, '-o', 'markdown'], KEY_1)).code).toBe(0);
    const saved = join(work, 'plan.json');
    expect((await cli('plan --out', ['plan', '-f', dir, '--out', saved, '--detailed-exitcode'], KEY_1)).code).toBe(2);
    const applied = await cli('apply saved plan', ['apply', saved, '--log-level', 'trace'], KEY_1);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('retrying a call'); // the faults were there, and logged

    const rotated = await cli('plan rotation', ['plan', '-f', dir, '-o', 'json'], KEY_2);
    const update = JSON.parse(rotated.stdout).actions.find((a: { kind: string; name: string }) => a.kind === 'Secret' && a.name === 'GEMINI_API_KEY');
    expect(update.changes).toEqual([{ path: 'value', before: '(sensitive value)', after: '(sensitive value)', sensitive: true }]);
    const rotation = await cli('apply rotation', ['apply', '-f', dir, '--yes', '--log-level', 'trace', '-o', 'json'], KEY_2);
    expect(rotation.code).toBe(0);
    expect(JSON.parse(rotation.stdout).resources['Secret/GEMINI_API_KEY']).toEqual({
      name: expect.stringMatching(/^projects\/\d+\/secrets\/GEMINI_API_KEY$/),
      secretId: 'GEMINI_API_KEY',
    });
    expect((await cli('output', ['output', '-f', dir, '-o', 'json'], KEY_2)).code).toBe(0);
    // status compares the secret's value too (a drift count), and prints none of it.
    const status = await cli('status', ['status', '-f', dir, '-o', 'json'], KEY_3);
    expect(
      JSON.parse(status.stdout).resources.find((r: { kind: string; name: string }) => r.kind === 'Secret' && r.name === 'GEMINI_API_KEY').driftedFields,
    ).toEqual(['value']);
    expect((await cli('status text', ['status', '-f', dir], KEY_3)).code).toBe(2);

    // A failed apply: the backend's rollout fails while the key changes again.
    writeFileSync(join(dir, 'backend.yaml'), readFileSync(join(dir, 'backend.yaml'), 'utf8').replace('/backend:latest', '/backend-fail-rollout:latest'));
    const failed = await cli('failed apply', ['apply', '-f', dir, '--yes', '--log-level', 'debug'], KEY_3);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Apply failed');

    const exported = join(work, 'exported');
    expect((await cli('export', ['export', '--kinds', 'Secret,CloudRunService', '--region', 'asia-northeast1', '-o', exported], KEY_3)).code).toBe(0);
    expect(filesUnder(exported).length).toBeGreaterThan(0);
  }, 300_000);

  it('is in no output, no report, no saved plan, no state file and no exported manifest', () => {
    const found: string[] = [];
    for (const { what, r } of outputs) {
      for (const l of leaks(r.stdout)) found.push(`${what}: stdout has ${l}`);
      for (const l of leaks(r.stderr)) found.push(`${what}: stderr has ${l}`);
    }
    for (const f of [...filesUnder(work).filter((x) => x.path !== valueFile), ...filesUnder(dir)]) {
      for (const l of leaks(f.text)) found.push(`${f.path} has ${l}`);
    }
    expect(existsSync(summary())).toBe(true);
    expect(readFileSync(githubOutput(), 'utf8')).toMatch(/^frontendUrl=https:/m);
    expect(existsSync(join(work, 'plan.json'))).toBe(true);
    expect(found).toEqual([]);
  });

  it('reaches the emulator only in addVersion calls', () => {
    const log = emu.emulator.log.since(0);
    const carrying = log.filter((e) => leaks(`${e.path} ${e.body}`).length > 0);
    expect(new Set(carrying.map((e) => e.route))).toEqual(new Set(['POST /v1/projects/{project}/secrets/{secret}:addVersion']));
    // Each value was added (the file's, then three keys), and nothing else carried one.
    for (const c of [KEY_1, KEY_2, KEY_3, FILE_1]) expect(carrying.some((e) => e.body.includes(Buffer.from(c).toString('base64')))).toBe(true);
  });
});
