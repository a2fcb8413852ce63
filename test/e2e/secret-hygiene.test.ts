// Secrets stay secret, through the CLI as a process:
//   - a server error that echoes the request (here a loopback proxy in front of the emulator answers
//     addVersion with 400 and the request in its message, plain, base64 and URL-encoded) prints and
//     logs no secret value;
//   - what musectl writes (state, inventory, saved plans, the emulator state of `musectl up`, which
//     holds the real key) is the user's alone: files 0600, directories 0700.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';
import { interceptingProxy } from './proxy.js';

const CANARY = 'canary-9f3a-s3cr3t/value+with=specials';

/** Forwards everything to the emulator, except addVersion, which it refuses echoing the request. */
const echoingProxy = (target: string) =>
  interceptingProxy(target, ({ method, url, body }) => {
    if (method !== 'POST' || !/:addVersion/.test(url)) return undefined;
    const data = (JSON.parse(body.toString()) as { payload?: { data?: string } }).payload?.data ?? '';
    const plain = Buffer.from(data, 'base64').toString();
    const message = `Invalid payload ${body.toString()} (data ${plain}, as a form: ${encodeURIComponent(plain)})`;
    return { status: 400, body: { error: { code: 400, message, status: 'INVALID_ARGUMENT' } } };
  });

describe('a server error that echoes the request prints no secret', () => {
  let s: Stage;
  let proxy: Awaited<ReturnType<typeof echoingProxy>>;
  beforeAll(async () => {
    s = await stage();
    proxy = await echoingProxy(s.emu.url);
  });
  afterAll(async () => {
    await proxy.close();
    await s.close();
  });

  it('the value is scrubbed, plain, base64 and URL-encoded, from the output and the logs', async () => {
    const r = await runCli(
      ['apply', '-f', s.dir, '--yes', '--emulator', proxy.url, '--project', PROJECT, '--state', join(s.dir, '.state'), '--log-level', 'debug'],
      {
        env: { GEMINI_API_KEY: CANARY },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Secret\/GEMINI_API_KEY: failed after [\d.]+s: Invalid payload .*\(redacted secret value\)/);
    // --log-level debug logs every call, the failed one with its error: scrubbed too.
    expect(r.stderr).toMatch(/"call":"list secrets of projects\/[^"]+","attempt":1,"ms":\d+,"msg":"api call"/);
    expect(r.stderr).toMatch(/"call":"add a version to [^"]+\/secrets\/GEMINI_API_KEY","attempt":1,"ms":\d+,"error":"(?:[^"\\]|\\.)*\(redacted secret value\)/);
    const all = r.stdout + r.stderr;
    for (const form of [CANARY, Buffer.from(CANARY).toString('base64'), encodeURIComponent(CANARY), 'canary-9f3a']) expect(all).not.toContain(form);
  });
});

describe('files musectl writes are the user’s alone', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  const mode = (p: string) => statSync(p).mode & 0o777;

  it('state and inventory 0600 in a 0700 directory; a saved plan 0600', async () => {
    const state = join(s.dir, 'private-state');
    expect((await s.cli(['apply', '-f', s.dir, '--yes', '--state', state], { env: { GEMINI_API_KEY: CANARY } })).code).toBe(0);
    expect(mode(state)).toBe(0o700);
    const files = readdirSync(state);
    expect(files).toContain(`${PROJECT}.sessionmuse.inventory.json`);
    for (const f of files) expect([f, mode(join(state, f))]).toEqual([f, 0o600]);
    const saved = join(s.dir, 'plan.json');
    expect((await s.cli(['plan', '-f', s.dir, '--state', state, '--out', saved], { env: { GEMINI_API_KEY: CANARY } })).code).toBe(0);
    expect(mode(saved)).toBe(0o600);
  });

  it('`musectl up`: the emulator state (which holds the key) 0600, its directories 0700', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'musectl-up-modes-')), 'dot-musectl');
    const r = await runCli(['up', '-f', 'manifests', '--state-dir', dir], { env: { GEMINI_API_KEY: CANARY } });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'emulator-state.json'))).toBe(0o600);
    expect(mode(join(dir, 'state'))).toBe(0o700);
  }, 120_000);
});
