// The emulator is a service on a developer's machine that holds secret values: bad bodies get a 400
// and leave nothing half-done, bodies have a size limit, only loopback names (or the --host it was
// given) are served, web pages from other sites cannot drive its admin routes, a non-loopback bind
// is warned about, and the state file is readable by its owner only.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { checkHost } from '../../emulator/request-guard.js';
import { rawJson } from './helpers.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A raw request with any headers (fetch would not send a Host of our choosing). */
function send(e: RunningEmulator, method: string, path: string, headers: Record<string, string>, body?: Buffer | string) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: e.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SECRETS = '/v1/projects/hardening-project/secrets';

describe('bad bodies', () => {
  it('answers 400 to a gzip body that is not gzip, and keeps serving', async () => {
    emu = await startEmulator();
    const bad = await send(emu, 'POST', `${SECRETS}?secretId=a`, { 'content-encoding': 'gzip', 'content-type': 'application/json' }, 'not gzip at all');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('The request body is not valid gzip (Content-Encoding: gzip).');
    const good = await send(
      emu,
      'POST',
      `${SECRETS}?secretId=a`,
      { 'content-encoding': 'gzip', 'content-type': 'application/json' },
      gzipSync(JSON.stringify({ replication: { automatic: {} } })),
    );
    expect(good.status).toBe(200);
  });

  it('refuses JSON nested 50,000 deep with 400, and memory and the state file still agree', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'emu-hardening-')), 'state.json');
    emu = await startEmulator({ stateFile: file });
    const deep = `${'{"labels":'.repeat(1)}${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const refused = await rawJson(emu, 'POST', `${SECRETS}?secretId=deep`, deep);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'Invalid JSON payload received. The message nests deeper than 100 levels.',
    });
    const after = await rawJson(emu, 'POST', `${SECRETS}?secretId=after`, { replication: { automatic: {} } });
    expect(after.status).toBe(200);
    const memory = (await rawJson(emu, 'GET', '/_emulator/state')).body;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(memory);
    expect(Object.keys(memory.collections['secretmanager.secrets'])).toEqual([expect.stringMatching(/\/secrets\/after$/)]);
  });

  it('limits API bodies to 10 MiB as Google does, and lets uploads be bigger', async () => {
    emu = await startEmulator();
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
    const refused = await send(emu, 'POST', `${SECRETS}?secretId=big`, { 'content-type': 'application/json' }, big);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('Request payload size exceeds the limit: 10485760 bytes.');
    await rawJson(emu, 'POST', '/storage/v1/b?project=hardening-project', { name: 'hardening-bucket' });
    const upload = await send(
      emu,
      'POST',
      '/upload/storage/v1/b/hardening-bucket/o?uploadType=media&name=big.bin',
      { 'content-type': 'application/octet-stream' },
      big,
    );
    expect(upload.status).toBe(200);
    expect(upload.body.size).toBe(String(big.length));
  });
});

describe('who may call', () => {
  it('serves loopback names and Google API names, and refuses any other Host (DNS rebinding)', async () => {
    emu = await startEmulator();
    for (const host of ['127.0.0.1', 'localhost', `localhost:${emu.port}`, 'run.googleapis.com', 'us-central1-docker.pkg.dev']) {
      expect((await send(emu, 'GET', '/_emulator/stats', { host })).status, host).toBe(200);
    }
    const evil = await send(emu, 'GET', `${SECRETS}`, { host: 'attacker.example:8085' });
    expect(evil.status).toBe(403);
    expect(evil.body.error.message).toContain('Host attacker.example is not served here');
    // --host NAME serves that name too; a bind to every interface serves any.
    expect(() => checkHost('devbox.internal', 'devbox.internal')).not.toThrow();
    expect(() => checkHost('devbox.internal', '127.0.0.1')).toThrow();
    expect(() => checkHost('192.168.1.20:8085', '0.0.0.0')).not.toThrow();
  });

  it('refuses cross-site browser requests to /_emulator/* (reset, the request log)', async () => {
    emu = await startEmulator();
    const crossSite = await send(emu, 'POST', '/_emulator/reset', { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const fromPage = await send(emu, 'GET', '/_emulator/requests', { origin: 'http://attacker.example' });
    expect(fromPage.status).toBe(403);
    expect((await send(emu, 'GET', '/_emulator/requests', { origin: `http://127.0.0.1:${emu.port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await send(emu, 'GET', '/_emulator/requests', {})).status).toBe(200);
  });

  it('warns when it listens on a non-loopback address', async () => {
    const warnings: string[] = [];
    emu = await startEmulator({ host: '0.0.0.0', warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('listening on 0.0.0.0, not a loopback address')]);
    const quiet: string[] = [];
    const local = await startEmulator({ warn: (m) => quiet.push(m) });
    await local.close();
    expect(quiet).toEqual([]);
  });

  it('writes the state file with mode 0600', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'emu-mode-')), 'state.json');
    emu = await startEmulator({ stateFile: file });
    await rawJson(emu, 'POST', `${SECRETS}?secretId=mode`, { replication: { automatic: {} } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
