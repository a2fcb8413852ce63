// The SessionMUSE design, requirement by requirement, read back from what the emulator holds after
// `npm start` (musectl up -f manifests), through Google's official clients. A change to manifests/
// that drifts from the design fails here.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions } from '../emulator/helpers.js';
import { runCli } from './cli.js';

const require = createRequire(import.meta.url);
const PROJECT = 'musectl-local'; // what `musectl up` uses
const REGION = 'asia-northeast1';
const CANARY = 'CANARY-design-key-2c81ef';
const SA = (name: string) => `serviceAccount:${name}@${PROJECT}.iam.gserviceaccount.com`;

describe('the design, from what npm start leaves in the emulator', () => {
  let emu: RunningEmulator;
  let services: Record<string, any>;
  const envOf = (svc: any) => Object.fromEntries((svc.template.containers[0].env ?? []).map((e: any) => [e.name, e.value ?? e.valueSource]));

  beforeAll(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'musectl-design-'));
    const up = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir], { env: { GEMINI_API_KEY: CANARY } });
    expect(up.code, up.stderr).toBe(0);
    emu = await startEmulator({ stateFile: join(stateDir, 'emulator-state.json') });
    const { v2 } = require('@google-cloud/run') as typeof import('@google-cloud/run');
    const run = new v2.ServicesClient(gaxOptions(emu));
    const [list] = await run.listServices({ parent: `projects/${PROJECT}/locations/${REGION}` });
    services = Object.fromEntries(list.map((x) => [x.name!.split('/').pop()!, { ...x, policy: {} as any }]));
    for (const name of Object.keys(services)) services[name].policy = (await run.getIamPolicy({ resource: services[name].name }))[0];
    await run.close();
  }, 120_000);
  afterAll(async () => emu?.close());

  it('runs exactly the two services, in asia-northeast1, each as its own account', () => {
    expect(Object.keys(services).sort()).toEqual(['sessionmuse-backend', 'sessionmuse-frontend']);
    expect(services['sessionmuse-frontend'].template.serviceAccount).toBe(`sa-frontend@${PROJECT}.iam.gserviceaccount.com`);
    expect(services['sessionmuse-backend'].template.serviceAccount).toBe(`sa-backend@${PROJECT}.iam.gserviceaccount.com`);
  });

  it('front end: public without an allUsers grant, 1 vCPU, 1 GiB, 0 to 1 instances, 30 s', () => {
    const f = services['sessionmuse-frontend'];
    expect(f.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(f.invokerIamDisabled).toBe(true);
    expect((f.policy.bindings ?? []).flatMap((b: any) => b.members)).not.toContain('allUsers');
    expect(f.template.containers[0].resources.limits).toMatchObject({ cpu: '1', memory: '1Gi' });
    expect(f.template.scaling).toMatchObject({ minInstanceCount: 0, maxInstanceCount: 1 });
    expect(f.template.timeout.seconds).toBe('30');
  });

  it('back end: internal only, invoked by the front end only, 1 vCPU, 2 GiB, 0 to 10 instances, 60 s', () => {
    const b = services['sessionmuse-backend'];
    expect(b.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(b.invokerIamDisabled ?? false).toBe(false);
    expect(b.policy.bindings).toEqual([expect.objectContaining({ role: 'roles/run.invoker', members: [SA('sa-frontend')] })]);
    expect(b.template.containers[0].resources.limits).toMatchObject({ cpu: '1', memory: '2Gi' });
    expect(b.template.scaling).toMatchObject({ minInstanceCount: 0, maxInstanceCount: 10 });
    expect(b.template.timeout.seconds).toBe('60');
  });

  it('every environment variable and value, as the design gives them', () => {
    const front = envOf(services['sessionmuse-frontend']);
    expect(Object.keys(front).sort()).toEqual(['INTERNAL_API_ENDPOINT', 'NEXT_PUBLIC_API_ENDPOINT']);
    expect(front.INTERNAL_API_ENDPOINT).toBe(services['sessionmuse-backend'].uri);
    expect(front.NEXT_PUBLIC_API_ENDPOINT).toMatch(new RegExp(`^https://sessionmuse-frontend-\\d{12}\\.${REGION}\\.run\\.app$`));
    expect(envOf(services['sessionmuse-backend'])).toEqual({
      GCS_UPLOAD_BUCKET: `sessionmuse-uploads-${PROJECT}`,
      GCS_TRACK_BUCKET: `sessionmuse-tracks-${PROJECT}`,
      GEMINI_API_KEY_SECRET_NAME: `projects/${PROJECT}/secrets/GEMINI_API_KEY/versions/latest`,
      GEMINI_MODEL_NAME: 'gemini-2.5-flash', // the design's gemini-1.5-pro-latest is retired (comment in backend.yaml)
      LOG_LEVEL: 'INFO',
      SIGNED_URL_EXPIRATION_SECONDS: '3600',
      GCS_LIFECYCLE_DAYS: '1',
      MAX_FILE_SIZE_MB: '100',
    });
  });

  it('two private buckets in asia-northeast1 whose objects live one day, with no soft delete, usable by sa-backend on the bucket only', async () => {
    const storage = new Storage({ apiEndpoint: emu.url, projectId: PROJECT });
    const [all] = await storage.getBuckets();
    // The app's two (the watcher's state bucket is the third: watcher.yaml).
    const buckets = all.filter((b) => b.name.startsWith('sessionmuse-uploads-') || b.name.startsWith('sessionmuse-tracks-'));
    expect(buckets.map((b) => b.name).sort()).toEqual([`sessionmuse-tracks-${PROJECT}`, `sessionmuse-uploads-${PROJECT}`]);
    for (const b of buckets) {
      const [meta] = await b.getMetadata();
      expect(meta.location).toBe('ASIA-NORTHEAST1');
      expect(meta.storageClass).toBe('STANDARD');
      expect(meta.lifecycle?.rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 1 } }]);
      expect(Number(meta.softDeletePolicy?.retentionDurationSeconds)).toBe(0);
      expect(meta.iamConfiguration?.uniformBucketLevelAccess?.enabled).toBe(true);
      expect(meta.iamConfiguration?.publicAccessPrevention).toBe('enforced');
      const [policy] = await b.iam.getPolicy();
      const granted = (policy.bindings ?? []).filter((x) => !x.role.startsWith('roles/storage.legacy'));
      expect(granted).toEqual([expect.objectContaining({ role: 'roles/storage.objectAdmin', members: [SA('sa-backend')] })]);
    }
  });

  it('the Gemini key in Secret Manager, readable by sa-backend only; Vertex AI on the project; images in Artifact Registry', async () => {
    const { SecretManagerServiceClient } = require('@google-cloud/secret-manager') as typeof import('@google-cloud/secret-manager');
    const sm = new SecretManagerServiceClient(gaxOptions(emu));
    const [version] = await sm.accessSecretVersion({ name: `projects/${PROJECT}/secrets/GEMINI_API_KEY/versions/latest` });
    expect(Buffer.from(version.payload!.data as Uint8Array).toString()).toBe(CANARY);
    const [secretPolicy] = await sm.getIamPolicy({ resource: `projects/${PROJECT}/secrets/GEMINI_API_KEY` });
    expect(secretPolicy.bindings).toEqual([expect.objectContaining({ role: 'roles/secretmanager.secretAccessor', members: [SA('sa-backend')] })]);
    await sm.close();
    const { ProjectsClient } = require('@google-cloud/resource-manager') as typeof import('@google-cloud/resource-manager');
    const projects = new ProjectsClient(gaxOptions(emu));
    const [policy] = await projects.getIamPolicy({ resource: `projects/${PROJECT}` });
    const projectRoles = (policy.bindings ?? []).filter((b) => b.members?.includes(SA('sa-backend'))).map((b) => b.role);
    expect(projectRoles).toEqual(['roles/aiplatform.user']); // only what has no narrower resource
    await projects.close();
    const { ArtifactRegistryClient } = require('@google-cloud/artifact-registry') as typeof import('@google-cloud/artifact-registry');
    const ar = new ArtifactRegistryClient(gaxOptions(emu));
    const [repo] = await ar.getRepository({ name: `projects/${PROJECT}/locations/${REGION}/repositories/sessionmuse` });
    expect(repo.format).toBe('DOCKER');
    await ar.close();
  });
});
