// IAM v1 service accounts through @googleapis/iam (gcp-api-facts.md §3), raw HTTP for exact bodies.

import { iam, type iam_v1 } from '@googleapis/iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixedTokenAuth, rawJson } from './helpers.js';

let emu: RunningEmulator;
let client: iam_v1.Iam;
const P = 'iam-test-project';
const email = (id: string, project = P) => `${id}@${project}.iam.gserviceaccount.com`;

beforeAll(async () => {
  emu = await startEmulator();
  client = iam({ version: 'v1', rootUrl: `${emu.url}/`, auth: fixedTokenAuth() as any });
});
afterAll(async () => {
  await emu.close();
});

const sa = () => client.projects.serviceAccounts;
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e) => e,
  );

describe('IAM service accounts: create', () => {
  it('creates an account with email, 21-digit uniqueId = oauth2ClientId, the fixed etag and no disabled field', async () => {
    const res = await sa().create({
      name: `projects/${P}`,
      requestBody: { accountId: 'create-basic', serviceAccount: { displayName: 'Runner', description: 'runs things' } },
    });
    const a = res.data;
    expect(a.name).toBe(`projects/${P}/serviceAccounts/${email('create-basic')}`);
    expect(a.email).toBe(email('create-basic'));
    expect(a.projectId).toBe(P);
    expect(a.uniqueId).toMatch(/^\d{21}$/);
    expect(a.oauth2ClientId).toBe(a.uniqueId);
    expect(a.etag).toBe('MDEwMjE5MjA=');
    expect(a.displayName).toBe('Runner');
    expect(a.description).toBe('runs things');
    expect('disabled' in a).toBe(false);
  });

  it('refuses a duplicate with 409 ALREADY_EXISTS in Google words and a ResourceInfo detail', async () => {
    await sa().create({ name: `projects/${P}`, requestBody: { accountId: 'dup-account' } });
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'dup-account' });
    expect(raw.status).toBe(409);
    expect(raw.body.error).toEqual({
      code: 409,
      message: `Service account dup-account already exists within project projects/${P}.`,
      status: 'ALREADY_EXISTS',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceName: `projects/${P}/serviceAccounts/${email('dup-account')}` }],
    });
    const err = await fail(sa().create({ name: `projects/${P}`, requestBody: { accountId: 'dup-account' } }));
    expect(err.code).toBe(409);
  });

  it.each([
    ['short', 'The account ID "short" does not have a length between 6 and 30.'],
    ['a'.repeat(31), `The account ID "${'a'.repeat(31)}" does not have a length between 6 and 30.`],
    ['', 'The account ID "" does not have a length between 6 and 30.'],
  ])('refuses accountId %j by length', async (accountId, message) => {
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId });
    expect(raw.status).toBe(400);
    expect(raw.body.error.status).toBe('INVALID_ARGUMENT');
    expect(raw.body.error.message).toBe(message);
  });

  it.each(['1starts-digit', 'Upper-case', 'ends-with-', 'under_score'])('refuses accountId %j by pattern', async (accountId) => {
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId });
    expect(raw.status).toBe(400);
    expect(raw.body.error.status).toBe('INVALID_ARGUMENT');
    expect(raw.body.error.message).toContain(`"${accountId}"`);
  });

  it('accepts the length limits exactly (6 and 30 characters, 100-byte displayName, 256-byte description)', async () => {
    await sa().create({
      name: `projects/${P}`,
      requestBody: { accountId: 'six-ch', serviceAccount: { displayName: 'é'.repeat(50), description: 'd'.repeat(256) } },
    });
    await sa().create({ name: `projects/${P}`, requestBody: { accountId: 'a'.repeat(30) } });
  });

  it('counts displayName and description in UTF-8 bytes', async () => {
    const long = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'long-name', serviceAccount: { displayName: 'é'.repeat(51) } });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe('The display_name length (102) is longer than the maximum allowed length 100.');
    const desc = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'long-desc', serviceAccount: { description: 'x'.repeat(257) } });
    expect(desc.status).toBe(400);
    expect(desc.body.error.message).toBe('The description length (257) is longer than the maximum allowed length 256.');
  });

  it("rejects unknown request fields with Google's message and a BadRequest detail", async () => {
    const top = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'unknown-f', foo: 1 });
    expect(top.status).toBe(400);
    expect(top.body.error.message).toBe('Invalid JSON payload received. Unknown name "foo": Cannot find field.');
    const nested = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'unknown-f', serviceAccount: { displayNam: 'x' } });
    expect(nested.body.error.message).toBe(`Invalid JSON payload received. Unknown name "displayNam" at 'service_account': Cannot find field.`);
    expect(nested.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(nested.body.error.details[0].fieldViolations[0].field).toBe('service_account');
    // Nothing was created by the refused calls.
    expect((await rawJson(emu, 'GET', `/v1/projects/${P}/serviceAccounts/${email('unknown-f')}`)).status).toBe(404);
  });

  it('accepts snake_case field names as Google does', async () => {
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { account_id: 'snake-case', service_account: { display_name: 'Snake' } });
    expect(raw.status).toBe(200);
    expect(raw.body.displayName).toBe('Snake');
  });
});

describe('IAM service accounts: get, list, patch, delete', () => {
  let created: iam_v1.Schema$ServiceAccount;
  beforeAll(async () => {
    created = (await sa().create({ name: `projects/${P}`, requestBody: { accountId: 'lookup-sa', serviceAccount: { displayName: 'Lookup' } } })).data;
  });

  it('gets an account by projects/-/ + email, by unique id, and by projects/P/ + email', async () => {
    for (const name of [
      `projects/-/serviceAccounts/${created.email}`,
      `projects/-/serviceAccounts/${created.uniqueId}`,
      `projects/${P}/serviceAccounts/${created.email}`,
    ]) {
      const got = await sa().get({ name });
      expect(got.data).toEqual(created);
    }
  });

  it('answers 404 NOT_FOUND for a missing account, and 403 when it is addressed as projects/-/ (as the discovery document warns)', async () => {
    const err = await fail(sa().get({ name: `projects/${P}/serviceAccounts/${email('nobody-here')}` }));
    expect(err.code).toBe(404);
    const wildcard = await rawJson(emu, 'GET', `/v1/projects/-/serviceAccounts/${email('nobody-here')}`);
    expect(wildcard.status).toBe(403);
    expect(wildcard.body.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: "Permission 'iam.serviceAccounts.get' denied on resource (or it may not exist).",
    });
    const raw = await rawJson(emu, 'GET', `/v1/projects/${P}/serviceAccounts/123456789012345678901`);
    expect(raw.status).toBe(404);
    expect(raw.body.error.status).toBe('NOT_FOUND');
    for (const method of ['PATCH', 'DELETE'] as const) {
      const r = await rawJson(
        emu,
        method,
        `/v1/projects/${P}/serviceAccounts/${email('nobody-here')}`,
        method === 'PATCH' ? { serviceAccount: {}, updateMask: 'displayName' } : undefined,
      );
      expect(r.status).toBe(404);
    }
  });

  it("lists a project's accounts in pages of pageSize with nextPageToken, and nothing of other projects", async () => {
    const project = 'iam-list-project';
    for (let i = 0; i < 5; i++) await sa().create({ name: `projects/${project}`, requestBody: { accountId: `list-sa-${i}` } });
    await sa().create({ name: 'projects/iam-other-project', requestBody: { accountId: 'other-sa' } });
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const res = await sa().list({ name: `projects/${project}`, pageSize: 2, pageToken });
      expect(res.data.accounts!.length).toBeLessThanOrEqual(2);
      seen.push(...res.data.accounts!.map((a) => a.email!));
      pageToken = res.data.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => email(`list-sa-${i}`, project)));
    const empty = await rawJson(emu, 'GET', '/v1/projects/iam-empty-project/serviceAccounts');
    expect(empty.body).toEqual({});
  });

  it('patches displayName and description under updateMask only', async () => {
    const name = `projects/-/serviceAccounts/${created.email}`;
    const res = await sa().patch({ name, requestBody: { serviceAccount: { displayName: 'Renamed', description: 'ignored' }, updateMask: 'displayName' } });
    expect(res.data.displayName).toBe('Renamed');
    expect(res.data.description).toBeUndefined();
    await sa().patch({ name, requestBody: { serviceAccount: { description: 'now set' }, updateMask: 'description' } });
    const got = (await sa().get({ name })).data;
    expect(got.displayName).toBe('Renamed');
    expect(got.description).toBe('now set');
    // Clearing a masked field removes it.
    await sa().patch({ name, requestBody: { serviceAccount: {}, updateMask: 'description' } });
    expect((await sa().get({ name })).data.description).toBeUndefined();
  });

  it('refuses a patch of anything but displayName/description, without a mask, or over the length limit', async () => {
    const path = `/v1/projects/-/serviceAccounts/${created.email}`;
    const email2 = await rawJson(emu, 'PATCH', path, { serviceAccount: { email: 'x@y.z' }, updateMask: 'email' });
    expect(email2.status).toBe(400);
    const noMask = await rawJson(emu, 'PATCH', path, { serviceAccount: { displayName: 'x' } });
    expect(noMask.status).toBe(400);
    const long = await rawJson(emu, 'PATCH', path, { serviceAccount: { displayName: 'x'.repeat(101) }, updateMask: 'display_name' });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('maximum allowed length 100');
    expect((await sa().get({ name: `projects/-/serviceAccounts/${created.email}` })).data.email).toBe(created.email);
  });

  it('disables and enables an account; disabled shows only while true', async () => {
    const name = `projects/-/serviceAccounts/${created.email}`;
    expect((await sa().disable({ name })).data).toEqual({});
    expect((await sa().get({ name })).data.disabled).toBe(true);
    expect((await sa().enable({ name })).data).toEqual({});
    expect('disabled' in (await sa().get({ name })).data).toBe(false);
  });

  it('deletes an account (answer {}), after which it 404s; a new account of the same id gets a new uniqueId', async () => {
    const victim = (await sa().create({ name: `projects/${P}`, requestBody: { accountId: 'delete-me' } })).data;
    const res = await sa().delete({ name: `projects/-/serviceAccounts/${victim.email}` });
    expect(res.data).toEqual({});
    expect((await fail(sa().get({ name: `projects/${P}/serviceAccounts/${victim.email}` }))).code).toBe(404);
    expect((await fail(sa().delete({ name: `projects/${P}/serviceAccounts/${victim.email}` }))).code).toBe(404);
    expect((await fail(sa().delete({ name: `projects/-/serviceAccounts/${victim.email}` }))).code).toBe(403);
    const again = (await sa().create({ name: `projects/${P}`, requestBody: { accountId: 'delete-me' } })).data;
    expect(again.email).toBe(victim.email);
    expect(again.uniqueId).not.toBe(victim.uniqueId);
  });
});
