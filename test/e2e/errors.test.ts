// Exit 70 means a bug, and only that: each condition a user or the machine causes ends in one line
// that says what and what to do, exit 1, no stack trace. The CLI runs as a process; permission
// cases run as the unprivileged user `nobody` when the suite runs as root (root reads and writes
// anything), and the full disk is a tiny tmpfs when this machine lets root mount one.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const STACK_TRACE = /\n\s+at .+[:(]\d+/;
const NOBODY = 65534;
const root = process.getuid?.() === 0;

/** Exit 1, no trace, no "internal error", and an "Error:" line with `words`. */
function expectOneLineError(r: CliResult, words: RegExp): void {
  expect(r.stderr, r.stderr).toMatch(words);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toMatch(STACK_TRACE);
  expect(r.stderr).not.toContain('internal error');
}

/** A directory anyone can read (mkdtemp makes them 0700). */
function openDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `musectl-errors-${what}-`));
  chmodSync(dir, 0o755);
  return dir;
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

describe('exit 1 with one line, never 70, for what the user or the machine causes', () => {
  let s: Stage;
  const cleanup: Array<() => void> = [];

  beforeAll(async () => {
    s = await stage();
    chmodSync(s.dir, 0o755);
  });
  afterAll(async () => {
    await s.close();
    for (const c of cleanup.reverse()) c();
  });

  it('an unreadable manifest file: its path and "permission denied"', async () => {
    const dir = openDir('unreadable');
    writeFileSync(join(dir, 'sa.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata: { name: sa-unreadable }\n', { mode: 0o000 });
    const as = root ? { uid: NOBODY } : {};
    const r = await runCli(['validate', '-f', join(dir, 'sa.yaml')], as);
    expectOneLineError(r, new RegExp(`${join(dir, 'sa.yaml')}:1:1: cannot be read: permission denied`));
    const plan = await s.cli(['plan', '-f', join(dir, 'sa.yaml'), '--state', join(dir, '.state')], as);
    expectOneLineError(plan, /sa\.yaml:1:1: cannot be read: permission denied/);
  });

  it('a --state that is a file', async () => {
    const file = join(openDir('state-file'), 'state');
    writeFileSync(file, 'not a directory');
    const r = await s.cli(['plan', '-f', s.dir, '--state', file]);
    expectOneLineError(r, /Error: --state .*state: it \(or a part of its path\) is a file, not a directory\n {2}Give a directory/);
  });

  it('a read-only state directory', async () => {
    const dir = openDir('read-only');
    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o555 });
    chmodSync(state, 0o555);
    const r = await s.cli(['apply', '-f', s.dir, '--yes', '--state', state], root ? { uid: NOBODY } : {});
    expectOneLineError(
      r,
      /Error: cannot write the stack's state in .*: permission denied\n {2}Make the directory writable by this user, or choose another with --state/,
    );
  });

  it('a full disk under the state directory', async (t) => {
    const dir = openDir('full');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      console.log('skipped: this machine does not let the test mount a small tmpfs to fill');
      t.skip();
      return;
    }
    cleanup.push(() => execFileSync('umount', [dir]));
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: the disk is full now, which is the point
    }
    const r = await s.cli(['apply', '-f', s.dir, '--yes', '--state', join(dir, 'state')]);
    expectOneLineError(r, /Error: cannot write the stack's state in .*: the disk is full\n {2}Free some space/);
  });

  it('a damaged inventory', async () => {
    const state = join(openDir('damaged'), 'state');
    mkdirSync(state);
    writeFileSync(join(state, `${PROJECT}.sessionmuse.inventory.json`), '{"generation": "3", "data": "not base64 of JSON');
    const r = await s.cli(['plan', '-f', s.dir, '--state', state]);
    expectOneLineError(r, /Error: .*inventory\.json is damaged \(not a musectl state object\).*\n {2}Restore it from a backup, or move it away/);
    // a good envelope around data that is not an inventory
    writeFileSync(join(state, `${PROJECT}.sessionmuse.inventory.json`), JSON.stringify({ generation: '3', data: Buffer.from('[1, 2').toString('base64') }));
    const again = await s.cli(['plan', '-f', s.dir, '--state', state]);
    expectOneLineError(again, /Error: the inventory .* is damaged \(not a musectl inventory\), so musectl cannot tell what stack sessionmuse owns/);
  });

  it('a bad emulator --port: out of range, or in use', async () => {
    expectOneLineError(await runCli(['emulator', '--port', '99999']), /--port 99999: a TCP port is 0 \(any free one\) to 65535/);
    expectOneLineError(await runCli(['emulator', '--port', 'http']), /--port http: expected a whole number >= 0/);
    const taken = Number(new URL(s.emu.url).port);
    expectOneLineError(
      await runCli(['emulator', '--port', String(taken)]),
      new RegExp(`Error: port ${taken} on 127.0.0.1 is already in use\\n {2}Choose another with --port N`),
    );
  });

  it('no Application Default Credentials: names the commands that provide them, sends nothing', async () => {
    const home = openDir('no-adc');
    const r = await runCli(['plan', '-f', s.dir, '--project', 'no-adc-project', '--state', join(home, 'state')], {
      env: {
        HOME: home,
        CLOUDSDK_CONFIG: join(home, 'gcloud'),
        GOOGLE_APPLICATION_CREDENTIALS: undefined,
        METADATA_SERVER_DETECTION: 'none',
        GCE_METADATA_HOST: '127.0.0.1:1',
      },
    });
    expectOneLineError(
      r,
      /Error: no Application Default Credentials were found\n {2}Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or pass --impersonate-service-account EMAIL/,
    );
  });

  it('an emulator URL where nothing listens: the URL, within a few seconds', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const r = await runCli(['plan', '-f', s.dir, '--emulator', url, '--project', PROJECT, '--state', join(openDir('nothing'), 'state')]);
    expectOneLineError(
      r,
      new RegExp(`Error: nothing answers at ${url} \\(connection refused\\): no emulator is listening there\\n {2}Start one with \`musectl emulator\``),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
