// A service account's own IAM policy, eventual consistency after creation, deleted members in
// policies, and IAM's quotas (gcp-api-facts.md §3, §4).

import { ProjectsClient } from '@google-cloud/resource-manager';
import { iam, type iam_v1 } from '@googleapis/iam';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorOptions, ManualClock, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { fixedTokenAuth, gaxOptions, rawJson } from './helpers.js';

const P = 'iam-policy-project';
let emu: RunningEmulator | undefined;
let projects: ProjectsClient | undefined;

async function start(options: EmulatorOptions = {}): Promise<{ client: iam_v1.Iam; emu: RunningEmulator }> {
  emu = await startEmulator(options);
  return { emu, client: iam({ version: 'v1', rootUrl: `${emu.url}/`, auth: fixedTokenAuth() as any }) };
}
afterEach(async () => {
  await projects?.close();
  projects = undefined;
  await emu?.close();
  emu = undefined;
});

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e) => e,
  );
const create = (client: iam_v1.Iam, accountId: string, project = P) =>
  client.projects.serviceAccounts.create({ name: `projects/${project}`, requestBody: { accountId } }).then((r) => r.data);

describe("IAM service accounts: the account's own policy", () => {
  it('starts as {"etag":"ACAB"} and takes roles/iam.serviceAccountTokenCreator on itself, etag-checked', async () => {
    const { client, emu } = await start();
    const a = await create(client, 'token-minter');
    const resource = `projects/${P}/serviceAccounts/${a.email}`;
    const first = await client.projects.serviceAccounts.getIamPolicy({ resource });
    expect(first.data).toEqual({ etag: 'ACAB' });
    const binding = { role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${a.email}`] };
    const set = await client.projects.serviceAccounts.setIamPolicy({ resource, requestBody: { policy: { etag: first.data.etag, bindings: [binding] } } });
    expect(set.data.bindings).toEqual([binding]);
    expect(set.data.etag).not.toBe('ACAB');
    const read = await client.projects.serviceAccounts.getIamPolicy({ resource: `projects/-/serviceAccounts/${a.uniqueId}` });
    expect(read.data).toEqual(set.data);
    // The etag of the first read is stale now.
    const stale = await rawJson(emu, 'POST', `/v1/${resource}:setIamPolicy`, { policy: { etag: 'ACAB', bindings: [] } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.status).toBe('ABORTED');
    expect(stale.body.error.message).toBe('There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
  });

  it('refuses a role that does not apply to a service account, and answers 404 for a missing account', async () => {
    const { client, emu } = await start();
    const a = await create(client, 'role-check');
    const res = await rawJson(emu, 'POST', `/v1/projects/-/serviceAccounts/${a.email}:setIamPolicy`, {
      policy: { bindings: [{ role: 'roles/run.invoker', members: ['user:a@example.com'] }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Role roles/run.invoker is not supported for this resource.');
    const missing = await rawJson(emu, 'POST', `/v1/projects/-/serviceAccounts/ghost-acct@${P}.iam.gserviceaccount.com:getIamPolicy`, {});
    expect(missing.status).toBe(404);
    expect(missing.body.error.status).toBe('NOT_FOUND');
    const unknownField = await rawJson(emu, 'POST', `/v1/projects/-/serviceAccounts/${a.email}:setIamPolicy`, {
      policy: { bindings: [{ role: 'roles/iam.serviceAccountUser', memberz: [] }] },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toBe(`Invalid JSON payload received. Unknown name "memberz" at 'policy.bindings[0]': Cannot find field.`);
  });
});

describe('IAM service accounts: binding in other policies', () => {
  it('refuses to bind an account that does not exist with 400 "Service account X does not exist."', async () => {
    const { emu } = await start();
    projects = new ProjectsClient(gaxOptions(emu));
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    const ghost = `ghost-acct@${P}.iam.gserviceaccount.com`;
    const err = await fail(
      projects.setIamPolicy({
        resource: `projects/${P}`,
        policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/viewer', members: [`serviceAccount:${ghost}`] }] },
      }),
    );
    expect(err.code === 400 || err.code === 3).toBe(true);
    expect(err.message).toContain(`Service account ${ghost} does not exist.`);
    // Google-managed accounts are always bindable.
    const compute = `serviceAccount:123456789012-compute@developer.gserviceaccount.com`;
    const [ok] = await projects.setIamPolicy({
      resource: `projects/${P}`,
      policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/viewer', members: [compute] }] },
    });
    expect(ok.bindings!.find((b) => b.role === 'roles/viewer')!.members).toEqual([compute]);
  });

  it('hides a new account from GET and from bindings for serviceAccountConsistencyMs, then shows it', async () => {
    const clock = new ManualClock();
    const { client, emu } = await start({ serviceAccountConsistencyMs: 400, clock });
    projects = new ProjectsClient(gaxOptions(emu));
    const a = await create(client, 'slow-to-appear');
    const name = `projects/-/serviceAccounts/${a.email}`;
    expect((await fail(client.projects.serviceAccounts.get({ name }))).code).toBe(404);
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    const withSa = { ...policy, bindings: [...policy.bindings!, { role: 'roles/run.invoker', members: [`serviceAccount:${a.email}`] }] };
    const early = await fail(projects.setIamPolicy({ resource: `projects/${P}`, policy: withSa }));
    expect(early.message).toContain(`Service account ${a.email} does not exist.`);
    // A second create inside the window still conflicts: the account exists.
    expect((await fail(create(client, 'slow-to-appear'))).code).toBe(409);
    clock.advance(399);
    expect((await fail(client.projects.serviceAccounts.get({ name }))).code).toBe(404);
    clock.advance(1);
    expect((await client.projects.serviceAccounts.get({ name })).data.email).toBe(a.email);
    const [set] = await projects.setIamPolicy({ resource: `projects/${P}`, policy: withSa });
    expect(set.bindings!.find((b) => b.role === 'roles/run.invoker')!.members).toEqual([`serviceAccount:${a.email}`]);
  });

  it('shows a deleted account as deleted:serviceAccount:EMAIL?uid=ID in policies, and drops its own policy', async () => {
    const { client, emu } = await start();
    projects = new ProjectsClient(gaxOptions(emu));
    const a = await create(client, 'short-lived');
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    await projects.setIamPolicy({
      resource: `projects/${P}`,
      policy: { ...policy, bindings: [...policy.bindings!, { role: 'roles/run.invoker', members: [`serviceAccount:${a.email}`, 'user:b@example.com'] }] },
    });
    await client.projects.serviceAccounts.setIamPolicy({
      resource: `projects/-/serviceAccounts/${a.email}`,
      requestBody: { policy: { bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:b@example.com'] }] } },
    });
    await client.projects.serviceAccounts.delete({ name: `projects/-/serviceAccounts/${a.email}` });
    const [after] = await projects.getIamPolicy({ resource: `projects/${P}` });
    expect(after.bindings!.find((b) => b.role === 'roles/run.invoker')!.members).toEqual([
      `deleted:serviceAccount:${a.email}?uid=${a.uniqueId}`,
      'user:b@example.com',
    ]);
    const again = await create(client, 'short-lived');
    expect((await client.projects.serviceAccounts.getIamPolicy({ resource: `projects/-/serviceAccounts/${again.email}` })).data).toEqual({ etag: 'ACAB' });
  });
});

describe('IAM service accounts: quotas', () => {
  it('allows 100 accounts per project with quotas on, then 429 RESOURCE_EXHAUSTED', async () => {
    const { client, emu } = await start({ quotas: true });
    await Promise.all(Array.from({ length: 100 }, (_, i) => create(client, `quota-sa-${i}`)));
    const res = await rawJson(emu, 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'one-too-many' });
    expect(res.status).toBe(429);
    expect(res.body.error).toEqual({
      code: 429,
      message: 'Maximum number of service accounts on project reached.',
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '86401s' }],
    });
    // Another project has its own allowance.
    expect((await create(client, 'quota-sa-0', 'iam-quota-other')).email).toBe('quota-sa-0@iam-quota-other.iam.gserviceaccount.com');
  });

  it('has no account limit with quotas off', async () => {
    const { client } = await start();
    await Promise.all(Array.from({ length: 101 }, (_, i) => create(client, `free-sa-${i}`)));
  });

  it("charges writes to iam.write (600 per minute per project) with Google's quota error", async () => {
    const { client, emu } = await start({ quotas: true });
    const a = await create(client, 'write-heavy');
    const path = `/v1/projects/-/serviceAccounts/${a.email}:enable`;
    const statuses = await Promise.all(Array.from({ length: 600 }, () => rawJson(emu, 'POST', path, {}).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200).length).toBe(599);
    const over = await rawJson(emu, 'POST', path, {});
    expect(over.status).toBe(429);
    expect(over.body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(over.body.error.message).toMatch(
      /^Quota exceeded for quota metric '.+' and limit '.+' of service 'iam\.googleapis\.com' for consumer 'project_number:\d{12}'\.$/,
    );
    expect(over.body.error.details[0]).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED' });
    // Reads have their own allowance.
    expect((await client.projects.serviceAccounts.get({ name: `projects/-/serviceAccounts/${a.email}` })).status).toBe(200);
  });
});
