// Conformance of the emulator's Secret Manager versions (addVersion, get, list, access, enable,
// disable, destroy) to ../shared/gcp-api-facts.md §5, through the official client and raw HTTP.

import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../emulator/checksums.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { projectNumberFor } from '../../emulator/projects.js';
import { gaxOptions, rawJson } from './helpers.js';

const PROJECT = 'sm-versions-project';
const NUMBER = projectNumberFor(PROJECT);
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

let emu: RunningEmulator;
let sm: SecretManagerServiceClient;

beforeAll(async () => {
  emu = await startEmulator();
  sm = new SecretManagerServiceClient(gaxOptions(emu));
});
afterAll(async () => {
  await sm.close();
  await emu.close();
});

async function secret(id: string): Promise<string> {
  const [created] = await sm.createSecret({ parent: `projects/${PROJECT}`, secretId: id, secret: { replication: { automatic: {} } } });
  return created.name!;
}

const path = (id: string, rest = '') => `/v1/projects/${PROJECT}/secrets/${id}${rest}`;

describe('Secret Manager versions', () => {
  it('numbers versions from 1 and gives the payload back on access with its CRC32C', async () => {
    const name = await secret('numbered');
    const [v1] = await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from('first value') } });
    const [v2] = await sm.addSecretVersion({ parent: `projects/${PROJECT}/secrets/numbered`, payload: { data: Buffer.from('second value') } });
    expect(v1.name).toBe(`projects/${NUMBER}/secrets/numbered/versions/1`);
    expect(v2.name).toBe(`projects/${NUMBER}/secrets/numbered/versions/2`);
    expect(v1.state).toBe('ENABLED');
    expect(v1.replicationStatus?.automatic).toBeTruthy();
    expect(v1.etag).toMatch(/^"[0-9a-f]+"$/);

    const [access] = await sm.accessSecretVersion({ name: `${name}/versions/1` });
    expect(access.name).toBe(v1.name);
    expect(Buffer.from(access.payload!.data as Uint8Array).toString()).toBe('first value');
    expect(Number(access.payload!.dataCrc32c)).toBe(crc32c(Buffer.from('first value')));

    const raw = await rawJson(emu, 'GET', path('numbered', '/versions/2:access'));
    expect(raw.body).toEqual({ name: v2.name, payload: { data: b64('second value'), dataCrc32c: String(crc32c(Buffer.from('second value'))) } });
  });

  it('computes the standard CRC32C (Castagnoli)', () => {
    // The check value of CRC-32C over "123456789" is 0xE3069283.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('verifies a client checksum: a mismatch is 400 and stores nothing, a match is acknowledged', async () => {
    const name = await secret('checksummed');
    const data = Buffer.from('integrity');
    const bad = await rawJson(emu, 'POST', path('checksummed', ':addVersion'), { payload: { data: b64(data), dataCrc32c: String(crc32c(data) ^ 1) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.status).toBe('INVALID_ARGUMENT');
    expect(bad.body.error.message).toContain('crc32c');
    expect(bad.body.error.message).not.toContain(b64(data));
    const [listed] = await sm.listSecretVersions({ parent: name });
    expect(listed).toEqual([]);

    const [good] = await sm.addSecretVersion({ parent: name, payload: { data, dataCrc32c: crc32c(data) } });
    expect(good.name).toBe(`${name}/versions/1`); // the refused call used no number
    expect(good.clientSpecifiedPayloadChecksum).toBe(true);
    const [plain] = await sm.addSecretVersion({ parent: name, payload: { data } });
    expect(plain.clientSpecifiedPayloadChecksum).toBe(false);
  });

  it('takes payloads up to 64 KiB and refuses larger, empty and missing ones', async () => {
    await secret('sizes');
    const exact = await rawJson(emu, 'POST', path('sizes', ':addVersion'), { payload: { data: b64(Buffer.alloc(65_536, 7)) } });
    expect(exact.status).toBe(200);
    const over = await rawJson(emu, 'POST', path('sizes', ':addVersion'), { payload: { data: b64(Buffer.alloc(65_537, 7)) } });
    expect(over.status).toBe(400);
    expect(over.body.error.status).toBe('INVALID_ARGUMENT');
    const empty = await rawJson(emu, 'POST', path('sizes', ':addVersion'), { payload: { data: '' } });
    expect(empty.status).toBe(400);
    const missing = await rawJson(emu, 'POST', path('sizes', ':addVersion'), {});
    expect(missing.body.error.message).toBe('Field [payload] is required.');
    const notBase64 = await rawJson(emu, 'POST', path('sizes', ':addVersion'), { payload: { data: 'not base64!' } });
    expect(notBase64.status).toBe(400);
    expect(notBase64.body.error.message).not.toContain('not base64!');
  });

  it("resolves 'latest' to the newest version even when it is disabled, and refuses to access it", async () => {
    const name = await secret('latest');
    await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from('v1') } });
    await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from('v2') } });
    const [latest] = await sm.getSecretVersion({ name: `${name}/versions/latest` });
    expect(latest.name).toBe(`${name}/versions/2`);

    const [disabled] = await sm.disableSecretVersion({ name: `${name}/versions/2` });
    expect(disabled.state).toBe('DISABLED');
    const refused = await rawJson(emu, 'GET', path('latest', '/versions/latest:access'));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: 400,
      status: 'FAILED_PRECONDITION',
      message: `Secret Version [projects/${NUMBER}/secrets/latest/versions/2] is in DISABLED state.`,
    });
    const err = await sm.accessSecretVersion({ name: `${name}/versions/latest` }).catch((e) => e);
    expect(err.code === 400 || err.code === 9).toBe(true);

    const [older] = await sm.accessSecretVersion({ name: `${name}/versions/1` });
    expect(Buffer.from(older.payload!.data as Uint8Array).toString()).toBe('v1');

    await sm.enableSecretVersion({ name: `${name}/versions/2` });
    const [again] = await sm.accessSecretVersion({ name: `${name}/versions/latest` });
    expect(Buffer.from(again.payload!.data as Uint8Array).toString()).toBe('v2');
  });

  it('destroys a version for good: DESTROYED with destroyTime, access refused, payload gone from the state', async () => {
    const name = await secret('destroyed');
    const marker = 'destroy-me-payload-marker';
    await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from(marker) } });
    expect(JSON.stringify(emu.emulator.store.state)).toContain(b64(marker)); // kept (base64) while the version lives

    const [destroyed] = await sm.destroySecretVersion({ name: `${name}/versions/1` });
    expect(destroyed.state).toBe('DESTROYED');
    expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(0);
    expect(JSON.stringify(emu.emulator.store.state)).not.toContain(b64(marker));

    const access = await rawJson(emu, 'GET', path('destroyed', '/versions/1:access'));
    expect(access.body.error).toMatchObject({
      status: 'FAILED_PRECONDITION',
      message: `Secret Version [projects/${NUMBER}/secrets/destroyed/versions/1] is in DESTROYED state.`,
    });
    const enable = await rawJson(emu, 'POST', path('destroyed', '/versions/1:enable'), {});
    expect(enable.status).toBe(400);
    expect(enable.body.error.status).toBe('FAILED_PRECONDITION');

    // A new version after a destroyed one takes the next number.
    const [next] = await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from('fresh') } });
    expect(next.name).toBe(`${name}/versions/2`);
  });

  it('answers enums as names or numbers, as the client asks', async () => {
    await secret('enums');
    await rawJson(emu, 'POST', path('enums', ':addVersion'), { payload: { data: b64('x') } });
    const names = await rawJson(emu, 'GET', path('enums', '/versions/1'));
    expect(names.body.state).toBe('ENABLED');
    const numbers = await rawJson(emu, 'GET', `${path('enums', '/versions/1')}?$alt=json;enum-encoding=int`);
    expect(numbers.body.state).toBe(1);
  });

  it('lists versions newest first, filtered by state', async () => {
    const name = await secret('listed');
    for (const v of ['a', 'b', 'c']) await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from(v) } });
    await sm.disableSecretVersion({ name: `${name}/versions/2` });
    const [all] = await sm.listSecretVersions({ parent: name });
    expect(all.map((v) => v.name!.split('/').pop())).toEqual(['3', '2', '1']);
    const [enabled] = await sm.listSecretVersions({ parent: name, filter: 'state:ENABLED' });
    expect(enabled.map((v) => v.name!.split('/').pop())).toEqual(['3', '1']);
    const page = await rawJson(emu, 'GET', path('listed', '/versions?pageSize=1'));
    expect(page.body.versions).toHaveLength(1);
    expect(page.body.totalSize).toBe(3);
    expect(page.body.nextPageToken).toBeTruthy();
  });

  it('words missing secrets and versions as Google does', async () => {
    await secret('empty');
    const noVersions = await rawJson(emu, 'GET', path('empty', '/versions/latest:access'));
    expect(noVersions.status).toBe(404);
    expect(noVersions.body.error).toEqual({
      code: 404,
      status: 'NOT_FOUND',
      message: `Secret [projects/${NUMBER}/secrets/empty] not found or has no versions.`,
    });
    const noSecret = await rawJson(emu, 'GET', path('never-created', '/versions/latest:access'));
    expect(noSecret.body.error.message).toBe(`Secret [projects/${NUMBER}/secrets/never-created] not found or has no versions.`);
    const noVersion = await rawJson(emu, 'GET', path('empty', '/versions/7'));
    expect(noVersion.body.error).toMatchObject({ status: 'NOT_FOUND', message: `Secret Version [projects/${NUMBER}/secrets/empty/versions/7] not found.` });
    const err = await sm.getSecretVersion({ name: `projects/${PROJECT}/secrets/empty/versions/7` }).catch((e) => e);
    expect(err.code === 404 || err.code === 5).toBe(true);
  });

  it('changes state by number only, and checks the version etag', async () => {
    const name = await secret('states');
    const [v1] = await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from('s') } });
    const byAlias = await rawJson(emu, 'POST', path('states', '/versions/latest:disable'), {});
    expect(byAlias.status).toBe(400);

    const [disabled] = await sm.disableSecretVersion({ name: v1.name!, etag: v1.etag! });
    expect(disabled.etag).not.toBe(v1.etag);
    const stale = await rawJson(emu, 'POST', path('states', '/versions/1:enable'), { etag: v1.etag });
    expect(stale.status).toBe(400);
    expect(stale.body.error.status).toBe('FAILED_PRECONDITION');
    const [enabled] = await sm.enableSecretVersion({ name: v1.name!, etag: disabled.etag! });
    expect(enabled.state).toBe('ENABLED');
    // A version's change leaves the secret's etag alone.
    const [before] = await sm.getSecret({ name });
    await sm.disableSecretVersion({ name: v1.name! });
    const [after] = await sm.getSecret({ name });
    expect(after.etag).toBe(before.etag);
  });

  it('sends a secret value nowhere but its own addVersion request', async () => {
    const marker = 'ultra-secret-marker-value';
    const name = await secret('quiet');
    const since = emu.emulator.log.since(0).at(-1)?.seq ?? 0;
    await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from(marker), dataCrc32c: 1 } }).catch(() => undefined); // a refused add
    await sm.addSecretVersion({ parent: name, payload: { data: Buffer.from(marker) } });
    await sm.accessSecretVersion({ name: `${name}/versions/latest` });
    await sm.listSecretVersions({ parent: name });
    const carrying = emu.emulator.log.since(since).filter((e) => e.body.includes(b64(marker)));
    expect(carrying.map((e) => e.route)).toEqual([
      'POST /v1/projects/{project}/secrets/{secret}:addVersion',
      'POST /v1/projects/{project}/secrets/{secret}:addVersion',
    ]);
  });
});
