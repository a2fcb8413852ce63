// manifests/ is the SessionMUSE design: every requirement of it, checked one by one.
import { describe, expect, it } from 'vitest';
import { loadManifestSet, type Resource } from '../../../src/manifest/index.js';

const PROJECT = 'sessionmuse-prod';
const set = loadManifestSet(['manifests'], { variables: { PROJECT_ID: PROJECT, PROJECT_NUMBER: '123456789012' }, allowPlaceholders: false });
const get = (kind: string, name: string): Resource => {
  const r = set.resources.find((x) => x.kind === kind && x.name === name);
  if (!r) throw new Error(`${kind}/${name} is not in manifests/`);
  return r;
};
const env = (svc: Resource) =>
  Object.fromEntries(
    (svc.spec.template.containers[0].env as Array<{ name: string; value?: string; valueFrom?: unknown }>).map((e) => [e.name, e.value ?? e.valueFrom]),
  );
const grants = set.resources
  .filter((r) => r.kind === 'IAMPolicyMember')
  .map((r) => ({
    role: r.spec.role,
    member: r.spec.member ?? `sa:${r.spec.memberFrom.serviceAccountRef.name}`,
    on: `${r.spec.resourceRef.kind}/${r.spec.resourceRef.name ?? r.spec.resourceRef.external ?? ''}`,
  }));

describe('manifests/ expresses the SessionMUSE design', () => {
  it('is valid, with no hard-coded project', () => {
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('puts everything in asia-northeast1', () => {
    for (const r of set.resources.filter((x) => 'location' in x.spec)) expect(r.spec.location, r.key).toBe('asia-northeast1');
  });

  it('frontend: max 1 instance, 1 vCPU, 1 GiB, 30 s, public, scales to zero, runs as sa-frontend', () => {
    const f = get('CloudRunService', 'sessionmuse-frontend');
    expect(f.spec.template.scaling).toEqual({ minInstanceCount: 0, maxInstanceCount: 1 });
    expect(f.spec.template.containers[0].resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(f.spec.template.timeout).toBe('30s');
    expect(f.spec.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(f.spec.invokerIamDisabled).toBe(true); // public without an allUsers grant (Domain Restricted Sharing refuses those)
    expect(grants.filter((g) => g.member === 'allUsers' || g.member === 'allAuthenticatedUsers')).toEqual([]);
    expect(f.spec.template.serviceAccountRef).toEqual({ name: 'sa-frontend' });
  });

  it('frontend env: its own deterministic URL and the backend URL', () => {
    const e = env(get('CloudRunService', 'sessionmuse-frontend'));
    expect(e.NEXT_PUBLIC_API_ENDPOINT).toBe('https://sessionmuse-frontend-123456789012.asia-northeast1.run.app');
    expect(e.INTERNAL_API_ENDPOINT).toEqual({ outputRef: { kind: 'CloudRunService', name: 'sessionmuse-backend', output: 'uri' } });
  });

  it('backend: max 10, 1 vCPU, 2 GiB, 60 s, internal ingress, scales to zero, runs as sa-backend', () => {
    const b = get('CloudRunService', 'sessionmuse-backend');
    expect(b.spec.template.scaling).toEqual({ minInstanceCount: 0, maxInstanceCount: 10 });
    expect(b.spec.template.containers[0].resources.limits).toEqual({ cpu: '1', memory: '2Gi' });
    expect(b.spec.template.timeout).toBe('60s');
    expect(b.spec.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(b.spec.template.serviceAccountRef).toEqual({ name: 'sa-backend' });
  });

  it('backend env: buckets, model, secret name and the app settings of the design', () => {
    const e = env(get('CloudRunService', 'sessionmuse-backend'));
    expect(Object.keys(e).sort()).toEqual(
      [
        'GCS_LIFECYCLE_DAYS',
        'GCS_TRACK_BUCKET',
        'GCS_UPLOAD_BUCKET',
        'GEMINI_API_KEY_SECRET_NAME',
        'GEMINI_MODEL_NAME',
        'LOG_LEVEL',
        'MAX_FILE_SIZE_MB',
        'SIGNED_URL_EXPIRATION_SECONDS',
      ].sort(),
    );
    expect(e.GCS_UPLOAD_BUCKET).toBe(`sessionmuse-uploads-${PROJECT}`);
    expect(e.GCS_TRACK_BUCKET).toBe(`sessionmuse-tracks-${PROJECT}`);
    expect(e.GEMINI_API_KEY_SECRET_NAME).toBe(`projects/${PROJECT}/secrets/GEMINI_API_KEY/versions/latest`);
    expect(e.GCS_LIFECYCLE_DAYS).toBe('1');
    expect(e.MAX_FILE_SIZE_MB).toBe('100');
  });

  it('images come from the sessionmuse Artifact Registry repository', () => {
    const repo = get('ArtifactRegistryRepository', 'sessionmuse');
    expect(repo.spec).toMatchObject({ location: 'asia-northeast1', format: 'DOCKER' });
    for (const name of ['sessionmuse-frontend', 'sessionmuse-backend']) {
      expect(get('CloudRunService', name).spec.template.containers[0].image).toMatch(new RegExp(`^asia-northeast1-docker\\.pkg\\.dev/${PROJECT}/sessionmuse/`));
    }
  });

  it('two buckets in asia-northeast1, STANDARD, objects deleted after one day and not kept by soft delete', () => {
    for (const name of [`sessionmuse-uploads-${PROJECT}`, `sessionmuse-tracks-${PROJECT}`]) {
      const b = get('Bucket', name);
      expect(b.spec.storageClass).toBe('STANDARD');
      expect(b.spec.lifecycle.rule).toEqual([{ action: { type: 'Delete' }, condition: { age: 1 } }]);
      expect(b.spec.softDeletePolicy).toEqual({ retentionDurationSeconds: 0 });
    }
  });

  it('a service account per service', () => {
    get('ServiceAccount', 'sa-frontend');
    get('ServiceAccount', 'sa-backend');
  });

  it('the Gemini API key in Secret Manager, its value from the GEMINI_API_KEY environment variable', () => {
    const s = get('Secret', 'GEMINI_API_KEY');
    expect(s.spec.valueFrom).toEqual({ env: 'GEMINI_API_KEY' });
  });

  it('IAM: frontend invokes backend; backend uses both buckets, Vertex AI, the secret, and signs URLs as itself', () => {
    expect(grants).toEqual(
      expect.arrayContaining([
        { role: 'roles/run.invoker', member: 'sa:sa-frontend', on: 'CloudRunService/sessionmuse-backend' },
        { role: 'roles/storage.objectAdmin', member: 'sa:sa-backend', on: `Bucket/sessionmuse-uploads-${PROJECT}` },
        { role: 'roles/storage.objectAdmin', member: 'sa:sa-backend', on: `Bucket/sessionmuse-tracks-${PROJECT}` },
        { role: 'roles/aiplatform.user', member: 'sa:sa-backend', on: 'Project/' },
        { role: 'roles/secretmanager.secretAccessor', member: 'sa:sa-backend', on: 'Secret/GEMINI_API_KEY' },
        { role: 'roles/iam.serviceAccountTokenCreator', member: 'sa:sa-backend', on: 'ServiceAccount/sa-backend' },
      ]),
    );
    // Nothing more: the frontend gets nothing but run.invoker.
    expect(grants.filter((g) => g.member === 'sa:sa-frontend')).toHaveLength(1);
  });

  it('enables the APIs the stack needs', () => {
    const apis = set.resources
      .filter((r) => r.kind === 'ProjectService')
      .map((r) => r.name)
      .sort();
    expect(apis).toEqual([
      'aiplatform.googleapis.com',
      'artifactregistry.googleapis.com',
      'iam.googleapis.com',
      'iamcredentials.googleapis.com',
      'run.googleapis.com',
      'secretmanager.googleapis.com',
      'storage.googleapis.com',
    ]);
  });
});
