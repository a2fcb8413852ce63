// The reconcile engine end to end: the CLI as a process against an emulator on loopback.

import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

const require = createRequire(import.meta.url);
const { googleAuthLibrary } = require('google-gax') as typeof import('google-gax');

function runClient(s: Stage) {
  const auth = new googleAuthLibrary.OAuth2Client();
  auth.setCredentials({ access_token: 'test' });
  const { v2 } = require('@google-cloud/run') as typeof import('@google-cloud/run');
  return new v2.ServicesClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: s.emu.port, authClient: auth } as any);
}

const BACKEND = `projects/${PROJECT}/locations/asia-northeast1/services/sessionmuse-backend`;

describe('apply, plan and drift on the SessionMUSE stack', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(async () => s.close());

  it('applies the stack from empty (storage.googleapis.com is on in a new project already)', async () => {
    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: { GEMINI_API_KEY: 'e2e-key-1' } });
    expect(r.stderr).toMatch(/Apply complete: 34 created, 0 updated, 0 deleted/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan: 34 to create, 0 to update, 0 to delete, 1 unchanged.');
  });

  it("then plans no changes (exit 0 with --detailed-exitcode): one list per kind and scope, one read per IAM policy, the secret's latest value and the project lookup", async () => {
    const before = await s.stats();
    const r = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env: { GEMINI_API_KEY: 'e2e-key-1' } });
    expect(r.stdout.split('\n').filter((l) => !l.startsWith('warning: CloudRunService/') || !l.includes('is not in Artifact Registry'))).toEqual([
      `No changes. Project ${PROJECT} matches the manifests (35 resources).`,
      '',
    ]);
    expect(r.code).toBe(0);
    const calls = callsBetween(before, await s.stats());
    expect(calls).toEqual({
      // one list per kind and scope (7)
      'GET /v1/projects/{project}/services': 1,
      'GET /v1/projects/{project}/serviceAccounts': 1,
      'GET /storage/v1/b': 1,
      'GET /v1/projects/{project}/secrets': 1,
      'GET /v1/projects/{project}/locations/{location}/repositories': 1,
      'GET /v2/projects/{project}/locations/{location}/services': 1,
      'GET /v2/projects/{project}/locations/{location}/jobs': 1,
      // one read per IAM policy that has members in the stack (9: the front end is public by
      // invokerIamDisabled, so its policy holds no member of the stack)
      'POST /v3/projects/{project}:getIamPolicy': 1,
      'GET /v2/projects/{project}/locations/{location}/services/{service}:getIamPolicy': 1,
      'GET /storage/v1/b/{bucket}/iam': 3,
      'GET /v1/projects/{project}/secrets/{secret}:getIamPolicy': 1,
      'POST /v1/projects/{project}/serviceAccounts/{account}:getIamPolicy': 3,
      // the secret's latest value, to compare with GEMINI_API_KEY (1)
      'GET /v1/projects/{project}/secrets/{secret}/versions/{version}:access': 1,
      // ${PROJECT_NUMBER} in the frontend's env (1)
      'GET /v3/projects/{project}': 1,
      // the digest of each service's image tag (2)
      'HEAD /v2/{project}/{repository}/{i0}/manifests/{reference}': 2,
    });
    expect(Object.values(calls).reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('a second apply makes no write call and says so', async () => {
    const before = await s.stats();
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({});
  });

  it('shows exactly the field changed in a manifest, as JSON in the stable format', async () => {
    s.edit('backend.yaml', (t) => t.replace('memory: 2Gi', 'memory: 4Gi'));
    const r = await s.cli(['plan', '-f', s.dir, '-o', 'json', '--detailed-exitcode']);
    expect(r.code).toBe(2);
    const plan = JSON.parse(r.stdout);
    expect(plan.formatVersion).toBe(1);
    expect(plan.summary).toEqual({ create: 0, update: 1, replace: 0, adopt: 0, delete: 0, abandon: 0, noop: 34 });
    const update = plan.actions.find((a: any) => a.action === 'update');
    expect(update).toEqual({
      action: 'update',
      kind: 'CloudRunService',
      name: 'sessionmuse-backend',
      id: BACKEND,
      dependsOn: ['ServiceAccount/sa-backend', 'ProjectService/run.googleapis.com', 'ArtifactRegistryRepository/sessionmuse'],
      // The stage pushed the stack's images, so the image resolves and no "not pushed yet" warning comes.
      changes: [{ path: 'template.containers[0].resources.limits.memory', before: '2Gi', after: '4Gi' }],
    });
    const applied = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(applied.stderr).toContain('Apply complete: 0 created, 1 updated, 0 deleted');
    const [svc] = await runClient(s).getService({ name: BACKEND });
    expect(svc.template?.containers?.[0].resources?.limits?.memory).toBe('4Gi');
    expect((await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'])).code).toBe(0);
  });

  it('finds drift made out of band through the official client, and apply reverts it', async () => {
    const client = runClient(s);
    const [svc] = await client.getService({ name: BACKEND });
    svc.template!.scaling!.maxInstanceCount = 50;
    svc.labels = { ...svc.labels, 'added-by-hand': 'yes' };
    const [op] = await client.updateService({ service: svc });
    await op.promise();
    const r = await s.cli(['plan', '-f', s.dir]);
    expect(r.stdout).toContain('~ CloudRunService/sessionmuse-backend');
    expect(r.stdout).toContain('    template.scaling.maxInstanceCount: 50 -> 10');
    expect(r.stdout).toContain('    labels.added-by-hand: "yes" -> (none)');
    expect(r.stdout).toContain('Plan: 0 to create, 1 to update, 0 to delete, 34 unchanged.');
    expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    const [after] = await client.getService({ name: BACKEND });
    expect(after.template?.scaling?.maxInstanceCount).toBe(10);
    expect(after.labels?.['added-by-hand']).toBeUndefined();
    await client.close();
  });

  it('refuses to apply without --yes when there is no terminal, changing nothing', async () => {
    s.edit('service-accounts.yaml', (t) => t.replace('displayName: SessionMUSE frontend', 'displayName: SessionMUSE web'));
    const before = await s.stats();
    const r = await s.cli(['apply', '-f', s.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('apply needs confirmation and there is no terminal to ask on');
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({});
  });
});

describe('order, failures and invalid input', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({ operationMs: 150 });
  });
  afterAll(async () => s.close());

  it('sends nothing to Google Cloud when the manifests are invalid', async () => {
    s.edit('backend.yaml', (t) => t.replace('maxInstanceCount: 10', 'maxInstanceCount: ten'));
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backend\.yaml:\d+:\d+: CloudRunService\/sessionmuse-backend: spec\.template\.scaling\.maxInstanceCount: must be an integer/);
    expect((await s.stats()).total).toBe(0);
    s.edit('backend.yaml', (t) => t.replace('maxInstanceCount: ten', 'maxInstanceCount: 10'));
  });

  it('creates in dependency order: accounts before the services that run as them, the backend before the frontend that reads its URL', async () => {
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code).toBe(0);
    const log = await s.requests();
    const accountCreates = log.filter((e) => e.method === 'POST' && /\/serviceAccounts$/.test(e.path));
    const serviceCreate = (account: string) => log.find((e) => e.method === 'POST' && e.path.endsWith('/services') && e.body.includes(`${account}@`))!;
    const backend = serviceCreate('sa-backend');
    const frontend = serviceCreate('sa-frontend');
    expect(accountCreates).toHaveLength(3); // sa-frontend, sa-backend, sa-musectl-watcher
    for (const sa of accountCreates) expect(sa.end).toBeLessThanOrEqual(backend.start);
    // The backend's rollout takes 150 ms; its URL is known only when it is done.
    const backendDone = log.find((e) => e.start >= backend.end && e.path.includes('/operations/') && e.status === 200 && e.end - backend.end >= 150);
    expect(backendDone).toBeDefined();
    expect(frontend.start).toBeGreaterThanOrEqual(backend.end + 150);
    expect(JSON.parse(frontend.body).template.containers[0].env).toContainEqual({
      name: 'INTERNAL_API_ENDPOINT',
      value: expect.stringMatching(/^https:\/\/sessionmuse-backend-.*\.run\.app$/),
    });
  });

  it('on a failed rollout finishes the independent resources, reports what was not done, and a rerun converges', async () => {
    // An image that was pushed but whose container never listens on its port (the emulator's marker).
    const image = `asia-northeast1-docker.pkg.dev/${PROJECT}/sessionmuse/backend-fail-rollout:latest`;
    expect((await fetch(`${s.emu.url}/_emulator/images`, { method: 'POST', body: JSON.stringify({ images: [image] }) })).status).toBe(200);
    s.edit('backend.yaml', (t) => t.replace('/backend:latest', '/backend-fail-rollout:latest').replace('memory: 2Gi', 'memory: 3Gi'));
    s.edit('buckets.yaml', (t) => t.replace('content: tracks', 'content: generated-tracks'));
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /CloudRunService\/sessionmuse-backend: failed after [\d.]+s: the rollout failed: revision sessionmuse-backend-\d{5}-\w+ is not ready: ContainerHealthy: Revision 'sessionmuse-backend-\d{5}-\w+' is not ready and cannot serve traffic/,
    );
    expect(r.stderr).toContain('Bucket/sessionmuse-tracks-e2e-project: updated');
    expect(r.stderr, r.stderr).toMatch(/Apply failed after [\d.]+s: 1 done, 1 failed, 0 not attempted\./);
    s.edit('backend.yaml', (t) => t.replace('/backend-fail-rollout:latest', '/backend:latest'));
    const again = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(again.code).toBe(0);
    expect((await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('faults', () => {
  it('converges through injected 429/500/503 and dropped connections, with no duplicates', async () => {
    const s = await stage({ faults: { r429: 0.08, r500: 0.04, r503: 0.08, drop: 0.05, seed: 11 } });
    try {
      const r = await s.cli(['apply', '-f', s.dir, '--yes', '--log-level', 'info']);
      expect(r.stderr, r.stderr).toMatch(/Apply complete: 34 created/);
      expect(r.stderr).toContain('retrying a call');
      const faulted = (await s.requests()).filter((e) => e.status === 429 || e.status >= 500 || e.status === -1);
      expect(faulted.length).toBeGreaterThan(0);
      const plan = await s.cli(['plan', '-f', s.dir, '-o', 'json']);
      expect(plan.code).toBe(0);
      expect(JSON.parse(plan.stdout).summary).toEqual({ create: 0, update: 0, replace: 0, adopt: 0, delete: 0, abandon: 0, noop: 35 });
      // Exactly what the manifests name, once each.
      const state: any = await (await fetch(`${s.emu.url}/_emulator/state`)).json();
      const inProject = (c: string) =>
        Object.keys(state.collections[c] ?? {})
          .filter((k) => k.includes(PROJECT))
          .sort();
      expect(inProject('run.services')).toEqual([
        `projects/${PROJECT}/locations/asia-northeast1/services/sessionmuse-backend`,
        `projects/${PROJECT}/locations/asia-northeast1/services/sessionmuse-frontend`,
      ]);
    } finally {
      await s.close();
    }
  });
});
