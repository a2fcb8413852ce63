// The whole SessionMUSE design applied to the emulator, read back through the official clients,
// with a canary as the Gemini API key that must never show up anywhere but its addVersion call.

import { createRequire } from 'node:module';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './cli.js';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

const require = createRequire(import.meta.url);
const gax = require('google-gax') as typeof import('google-gax');
const CANARY = 'CANARY-gemini-key-7f3a9c';
const CANARY_2 = 'CANARY-rotated-key-51be0d';
const REGION = 'asia-northeast1';

describe('SessionMUSE on the emulator', () => {
  let s: Stage;
  const outputs: CliResult[] = [];
  const cli = async (args: string[], key = CANARY) => {
    const r = await s.cli(args, { env: { GEMINI_API_KEY: key } });
    outputs.push(r);
    return r;
  };
  const opts = () => {
    const authClient = new gax.googleAuthLibrary.OAuth2Client();
    authClient.setCredentials({ access_token: 'test' });
    return { fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: s.emu.port, authClient } as any;
  };

  beforeAll(async () => {
    s = await stage();
    const r = await cli(['apply', '-f', s.dir, '--yes', '--log-level', 'debug']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => s.close());

  it('a second run reports no changes', async () => {
    const r = await cli(['plan', '-f', s.dir, '--detailed-exitcode']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
  });

  it('runs both services as designed', async () => {
    const { v2 } = require('@google-cloud/run') as typeof import('@google-cloud/run');
    const run = new v2.ServicesClient(opts());
    const [services] = await run.listServices({ parent: `projects/${PROJECT}/locations/${REGION}` });
    const byName = Object.fromEntries(services.map((x) => [x.name!.split('/').pop()!, x]));
    const front = byName['sessionmuse-frontend'];
    const back = byName['sessionmuse-backend'];
    expect(front.template?.scaling).toMatchObject({ minInstanceCount: 0, maxInstanceCount: 1 });
    expect(front.template?.containers?.[0].resources?.limits).toMatchObject({ cpu: '1', memory: '1Gi' });
    expect(front.template?.timeout?.seconds).toBe('30');
    expect(front.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(front.template?.serviceAccount).toBe(`sa-frontend@${PROJECT}.iam.gserviceaccount.com`);
    expect(back.template?.scaling).toMatchObject({ minInstanceCount: 0, maxInstanceCount: 10 });
    expect(back.template?.containers?.[0].resources?.limits).toMatchObject({ cpu: '1', memory: '2Gi' });
    expect(back.template?.timeout?.seconds).toBe('60');
    expect(back.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(back.template?.serviceAccount).toBe(`sa-backend@${PROJECT}.iam.gserviceaccount.com`);
    const env = (svc: typeof front) => Object.fromEntries((svc.template?.containers?.[0].env ?? []).map((e) => [e.name, e.value]));
    expect(env(front).INTERNAL_API_ENDPOINT).toBe(back.uri);
    expect(env(front).NEXT_PUBLIC_API_ENDPOINT).toMatch(new RegExp(`^https://sessionmuse-frontend-\\d{12}\\.${REGION}\\.run\\.app$`));
    expect(front.urls).toContain(env(front).NEXT_PUBLIC_API_ENDPOINT); // the deterministic URL really is the frontend's
    expect(env(back)).toMatchObject({
      GCS_UPLOAD_BUCKET: `sessionmuse-uploads-${PROJECT}`,
      GCS_TRACK_BUCKET: `sessionmuse-tracks-${PROJECT}`,
      GEMINI_API_KEY_SECRET_NAME: `projects/${PROJECT}/secrets/GEMINI_API_KEY/versions/latest`,
      GCS_LIFECYCLE_DAYS: '1',
    });
    const [backPolicy] = await run.getIamPolicy({ resource: back.name! });
    expect(backPolicy.bindings).toContainEqual(
      expect.objectContaining({ role: 'roles/run.invoker', members: [`serviceAccount:sa-frontend@${PROJECT}.iam.gserviceaccount.com`] }),
    );
    // Public through invokerIamDisabled, not an allUsers grant (refused under Domain Restricted Sharing).
    expect(front.invokerIamDisabled).toBe(true);
    const [frontPolicy] = await run.getIamPolicy({ resource: front.name! });
    expect((frontPolicy.bindings ?? []).flatMap((b) => b.members)).not.toContain('allUsers');
    await run.close();
  });

  it('keeps uploads and tracks one day in asia-northeast1, usable by sa-backend', async () => {
    const storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    for (const name of [`sessionmuse-uploads-${PROJECT}`, `sessionmuse-tracks-${PROJECT}`]) {
      const [meta] = await storage.bucket(name).getMetadata();
      expect(meta.location).toBe('ASIA-NORTHEAST1');
      expect(meta.storageClass).toBe('STANDARD');
      expect(meta.lifecycle?.rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 1 } }]);
      const [policy] = await storage.bucket(name).iam.getPolicy();
      expect(policy.bindings).toContainEqual(
        expect.objectContaining({ role: 'roles/storage.objectAdmin', members: [`serviceAccount:sa-backend@${PROJECT}.iam.gserviceaccount.com`] }),
      );
    }
  });

  it('holds the Gemini key in Secret Manager, readable by sa-backend only', async () => {
    const { SecretManagerServiceClient } = require('@google-cloud/secret-manager') as typeof import('@google-cloud/secret-manager');
    const sm = new SecretManagerServiceClient(opts());
    const [version] = await sm.accessSecretVersion({ name: `projects/${PROJECT}/secrets/GEMINI_API_KEY/versions/latest` });
    expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe(CANARY);
    const [policy] = await sm.getIamPolicy({ resource: `projects/${PROJECT}/secrets/GEMINI_API_KEY` });
    expect(policy.bindings).toEqual([
      expect.objectContaining({ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:sa-backend@${PROJECT}.iam.gserviceaccount.com`] }),
    ]);
    await sm.close();
  });

  it('grants Vertex AI on the project and token creation on itself to sa-backend, enables the APIs, has the image repository', async () => {
    const { ProjectsClient } = require('@google-cloud/resource-manager') as typeof import('@google-cloud/resource-manager');
    const projects = new ProjectsClient(opts());
    const [policy] = await projects.getIamPolicy({ resource: `projects/${PROJECT}` });
    expect(policy.bindings).toContainEqual(
      expect.objectContaining({ role: 'roles/aiplatform.user', members: [`serviceAccount:sa-backend@${PROJECT}.iam.gserviceaccount.com`] }),
    );
    expect(policy.bindings!.map((b) => b.role)).toContain('roles/owner'); // additive: the owner is still there
    await projects.close();

    const res = await fetch(`${s.emu.url}/v1/projects/${PROJECT}/serviceAccounts/sa-backend@${PROJECT}.iam.gserviceaccount.com:getIamPolicy`, {
      method: 'POST',
    });
    expect(((await res.json()) as { bindings: unknown }).bindings).toContainEqual({
      role: 'roles/iam.serviceAccountTokenCreator',
      members: [`serviceAccount:sa-backend@${PROJECT}.iam.gserviceaccount.com`],
    });

    const { ServiceUsageClient } = require('@google-cloud/service-usage') as typeof import('@google-cloud/service-usage');
    const usage = new ServiceUsageClient(opts());
    const [enabled] = await usage.listServices({ parent: `projects/${PROJECT}`, filter: 'state:ENABLED' });
    const names = enabled.map((x) => x.name!.split('/').pop());
    for (const api of ['run', 'storage', 'iam', 'secretmanager', 'aiplatform', 'artifactregistry', 'iamcredentials'])
      expect(names).toContain(`${api}.googleapis.com`);
    await usage.close();

    const { ArtifactRegistryClient } = require('@google-cloud/artifact-registry') as typeof import('@google-cloud/artifact-registry');
    const ar = new ArtifactRegistryClient(opts());
    const [repo] = await ar.getRepository({ name: `projects/${PROJECT}/locations/${REGION}/repositories/sessionmuse` });
    expect(repo.format).toBe('DOCKER');
    await ar.close();
  });

  it('shows a new key as "(sensitive value changed)" and adds one version', async () => {
    const text = await cli(['plan', '-f', s.dir], CANARY_2);
    expect(text.stdout).toContain('~ Secret/GEMINI_API_KEY');
    expect(text.stdout).toContain('    value: (sensitive value changed)');
    const json = await cli(['plan', '-f', s.dir, '-o', 'json'], CANARY_2);
    const update = JSON.parse(json.stdout).actions.find((a: any) => a.action === 'update');
    expect(update.changes).toEqual([{ path: 'value', before: '(sensitive value)', after: '(sensitive value)', sensitive: true }]);
    const before = await s.stats();
    const applied = await cli(['apply', '-f', s.dir, '--yes', '--log-level', 'debug'], CANARY_2);
    expect(applied.code).toBe(0);
    // The new value is one version; the secret itself, unchanged, is not written.
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({ 'POST /v1/projects/{project}/secrets/{secret}:addVersion': 1 });
    expect((await cli(['plan', '-f', s.dir, '--detailed-exitcode'], CANARY_2)).code).toBe(0);
  });

  it('leaves the value alone, with a warning, when its source is missing', async () => {
    const r = await cli(['plan', '-f', s.dir, '--detailed-exitcode'], '');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: Secret/GEMINI_API_KEY: no value: environment variable GEMINI_API_KEY is not set');
  });

  it('never shows the key: not in any output, and in the emulator only in addVersion calls', async () => {
    for (const r of outputs) {
      for (const canary of [CANARY, CANARY_2]) {
        expect(r.stdout).not.toContain(canary);
        expect(r.stderr).not.toContain(canary);
        expect(r.stdout).not.toContain(Buffer.from(canary).toString('base64'));
        expect(r.stderr).not.toContain(Buffer.from(canary).toString('base64'));
      }
    }
    const log = await s.requests();
    const carrying = log.filter((e) => [CANARY, CANARY_2].some((c) => e.body.includes(Buffer.from(c).toString('base64')) || e.body.includes(c)));
    expect(carrying.map((e) => e.route)).toEqual([
      'POST /v1/projects/{project}/secrets/{secret}:addVersion',
      'POST /v1/projects/{project}/secrets/{secret}:addVersion',
    ]);
  });
});
