import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifestSet } from '../../../src/manifest/index.js';
import { lintResources } from '../../../src/manifest/lint/index.js';

/**
 * Writes the manifest to a temporary file, loads it (it must be valid) and returns the lint lines.
 * Loading lints too: its warnings must be exactly what lintResources says.
 */
function lint(text: string): { f: string; out: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'musectl-lint-'));
  const f = join(dir, 'm.yaml');
  writeFileSync(f, text);
  const set = loadManifestSet([f], { variables: {}, allowPlaceholders: true });
  expect(set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  const warnings = lintResources(set.resources);
  for (const d of warnings) expect(d.severity).toBe('warning');
  expect(set.diagnostics.map(formatDiagnostic)).toEqual(warnings.map(formatDiagnostic));
  return { f, out: warnings.map(formatDiagnostic) };
}

const HEAD = (kind: string, name: string) => `apiVersion: musectl.dev/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;
const SA = (name: string) => `${HEAD('ServiceAccount', name)}---\n`;
const BUCKET_OK = `${HEAD('Bucket', 'bucket-one')}spec:\n  iamConfiguration:\n    uniformBucketLevelAccess: {enabled: true}\n    publicAccessPrevention: enforced\n---\n`;
const grant = (name: string, spec: string) => `${HEAD('IAMPolicyMember', name)}spec:\n${spec}---\n`;

/** A backend with the given ingress (10 lines), and a front end with the given env (and vpcAccess lines). */
const backend = (ingress: string) => `${HEAD('CloudRunService', 'backend')}spec:
  location: asia-northeast1
  ingress: ${ingress}
  template:
    containers: [{image: b}]
---
`;
const frontend = (env: string, vpc = '') => `${HEAD('CloudRunService', 'frontend')}spec:
  location: asia-northeast1
  template:
${vpc}    containers:
      - image: f
        env:
${env}`;
const OUTPUT_REF = '          - name: API\n            valueFrom: {outputRef: {kind: CloudRunService, name: backend, output: uri}}\n';

describe('internal-ingress-without-vpc', () => {
  const msg = (env: string, ingress: string) =>
    `${env} calls CloudRunService/backend, whose ingress is ${ingress}, but this service has no VPC egress, so its requests arrive from the internet and get 403/404; ` +
    'give this service template.vpcAccess {networkInterfaces or connector, egress: ALL_TRAFFIC}, or make the callee INGRESS_TRAFFIC_ALL and rely on IAM (roles/run.invoker) [internal-ingress-without-vpc]';

  it('warns at the outputRef of a caller without VPC egress', () => {
    const { f, out } = lint(backend('INGRESS_TRAFFIC_INTERNAL_ONLY') + frontend(OUTPUT_REF));
    expect(out).toEqual([`${f}:22:66: CloudRunService/frontend: warning: ${msg('API', 'INGRESS_TRAFFIC_INTERNAL_ONLY')}`]);
  });

  it('warns at an env value holding the callee run.app URL, and when egress covers only private ranges', () => {
    const env = '          - name: API_URL\n            value: https://backend-${PROJECT_NUMBER}.asia-northeast1.run.app/api\n';
    const vpc = '    vpcAccess: {connector: projects/p/locations/asia-northeast1/connectors/c, egress: PRIVATE_RANGES_ONLY}\n';
    const { f, out } = lint(backend('INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER') + frontend(env, vpc));
    expect(out).toEqual([`${f}:23:20: CloudRunService/frontend: warning: ${msg('API_URL', 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER')}`]);
  });

  it('is quiet when the caller routes all egress through the VPC, or the callee takes all traffic', () => {
    const vpc = '    vpcAccess:\n      networkInterfaces: [{network: default, subnetwork: default}]\n      egress: ALL_TRAFFIC\n';
    expect(lint(backend('INGRESS_TRAFFIC_INTERNAL_ONLY') + frontend(OUTPUT_REF, vpc)).out).toEqual([]);
    expect(lint(backend('INGRESS_TRAFFIC_ALL') + frontend(OUTPUT_REF)).out).toEqual([]);
    // Another service's URL whose name only starts like the callee's is not a call to it.
    const env = '          - name: OTHER\n            value: https://backend-two-123456789012.asia-northeast1.run.app\n';
    expect(lint(backend('INGRESS_TRAFFIC_INTERNAL_ONLY') + frontend(env)).out).toEqual([]);
  });
});

describe('http-run-app-url', () => {
  const msg = (host: string) =>
    `http://${host} is a plain-HTTP run.app URL: Cloud Run serves HTTPS only and redirects http://, which drops POST bodies; use https://${host} [http-run-app-url]`;

  it('warns at any string holding an http:// run.app URL, metadata included', () => {
    const env = '          - name: CALLBACK\n            value: "http://Hook-abcdefghij-an.a.run.app:80/cb"\n';
    const text = frontend(env).replace('  name: frontend\n', '  name: frontend\n  annotations: {docs: "see http://docs-123.us-central1.run.app"}\n');
    const { f, out } = lint(text);
    expect(out).toEqual([
      `${f}:5:23: CloudRunService/frontend: warning: ${msg('docs-123.us-central1.run.app')}`,
      `${f}:13:20: CloudRunService/frontend: warning: ${msg('hook-abcdefghij-an.a.run.app')}`,
    ]);
  });

  it('is quiet for https:// run.app URLs and http:// URLs of other hosts', () => {
    const env =
      '          - name: A\n            value: https://x-123.us-central1.run.app\n          - name: B\n            value: http://localhost:3000/run.app\n';
    expect(lint(frontend(env)).out).toEqual([]);
  });
});

describe('bucket-public-access', () => {
  const UBLA =
    'uniform bucket-level access is off, so object ACLs can make single objects public where IAM does not show it; set spec.iamConfiguration.uniformBucketLevelAccess.enabled: true [bucket-public-access]';
  const PAP = (v: string) =>
    `public access prevention is "${v}", so one grant to allUsers or allAuthenticatedUsers exposes every object to the internet; set spec.iamConfiguration.publicAccessPrevention: enforced (share objects through signed URLs) [bucket-public-access]`;

  it('points at spec when the settings are left out (Google defaults them open)', () => {
    const { f, out } = lint(`${HEAD('Bucket', 'bucket-one')}spec:\n  location: US\n`);
    expect(out).toEqual([`${f}:5:1: Bucket/bucket-one: warning: ${PAP('inherited')}`, `${f}:5:1: Bucket/bucket-one: warning: ${UBLA}`]);
  });

  it('points at the written value, or at metadata.name when there is no spec', () => {
    const { f, out } = lint(
      `${HEAD('Bucket', 'bucket-one')}spec:\n  iamConfiguration:\n    uniformBucketLevelAccess: {enabled: false}\n    publicAccessPrevention: inherited\n`,
    );
    expect(out).toEqual([`${f}:7:41: Bucket/bucket-one: warning: ${UBLA}`, `${f}:8:29: Bucket/bucket-one: warning: ${PAP('inherited')}`]);
    const bare = lint(HEAD('Bucket', 'bucket-two'));
    expect(bare.out).toEqual([`${bare.f}:4:9: Bucket/bucket-two: warning: ${PAP('inherited')}`, `${bare.f}:4:9: Bucket/bucket-two: warning: ${UBLA}`]);
  });

  it('is quiet for a bucket with uniform access and enforced prevention', () => {
    expect(lint(BUCKET_OK).out).toEqual([]);
  });
});

describe('secret-public', () => {
  const SECRET = `${HEAD('Secret', 'api-key')}---\n`;

  it('warns at spec.member for allUsers and allAuthenticatedUsers on a Secret', () => {
    const text =
      SECRET +
      grant('key-public', '  role: roles/secretmanager.secretAccessor\n  member: allUsers\n  resourceRef: {kind: Secret, name: api-key}\n') +
      grant(
        'key-everyone',
        '  role: roles/secretmanager.viewer\n  member: allAuthenticatedUsers\n  resourceRef: {kind: Secret, external: projects/p/secrets/other}\n',
      );
    const { f, out } = lint(text);
    expect(out).toEqual([
      `${f}:12:11: IAMPolicyMember/key-public: warning: grants roles/secretmanager.secretAccessor on Secret/api-key to allUsers: anyone on the internet can use the secret; remove this member and grant the role to the service account that reads it (memberFrom.serviceAccountRef) [secret-public]`,
      `${f}:21:11: IAMPolicyMember/key-everyone: warning: grants roles/secretmanager.viewer on projects/p/secrets/other to allAuthenticatedUsers: anyone with a Google account can use the secret; remove this member and grant the role to the service account that reads it (memberFrom.serviceAccountRef) [secret-public]`,
    ]);
  });

  it('secret-public is quiet for a service account on a Secret and for allUsers on a public service', () => {
    const text =
      SECRET +
      SA('sa-backend') +
      backend('INGRESS_TRAFFIC_ALL') +
      grant(
        'key-reader',
        '  role: roles/secretmanager.secretAccessor\n  memberFrom: {serviceAccountRef: {name: sa-backend}}\n  resourceRef: {kind: Secret, name: api-key}\n',
      ) +
      grant('backend-public', '  role: roles/run.invoker\n  member: allUsers\n  resourceRef: {kind: CloudRunService, name: backend}\n');
    // Only the invoker grant's own rule speaks (it would be refused under Domain Restricted Sharing).
    expect(lint(text).out.filter((l) => !l.includes('[public-invoker-grant]'))).toEqual([]);
  });
});

describe('public-invoker-grant', () => {
  it('warns at spec.member for allUsers and allAuthenticatedUsers as invokers, and says what to do instead', () => {
    const text =
      backend('INGRESS_TRAFFIC_ALL') +
      grant('public', '  role: roles/run.invoker\n  member: allUsers\n  resourceRef: {kind: CloudRunService, name: backend}\n') +
      grant('signed-in', '  role: roles/run.invoker\n  member: allAuthenticatedUsers\n  resourceRef: {kind: CloudRunService, name: backend}\n') +
      grant('person', '  role: roles/run.invoker\n  member: user:ana@example.com\n  resourceRef: {kind: CloudRunService, name: backend}\n');
    const { out } = lint(text);
    const found = out.filter((l) => l.includes('[public-invoker-grant]'));
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(
      /IAMPolicyMember\/public: warning: grants roles\/run\.invoker on CloudRunService\/backend to allUsers: organizations with Domain Restricted Sharing .* refuse this grant; drop it and set spec\.invokerIamDisabled: true on the service/,
    );
  });
});

describe('soft-delete-outlives-lifecycle', () => {
  const bucket = (extra: string) =>
    `apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: {name: b-one}\nspec:\n  location: asia-northeast1\n  iamConfiguration: {uniformBucketLevelAccess: {enabled: true}, publicAccessPrevention: enforced}\n  lifecycle: {rule: [{action: {type: Delete}, condition: {age: 1}}]}\n${extra}---\n`;

  it("warns when Google's default 7-day soft delete outlives a one-day delete rule", () => {
    const found = lint(bucket('')).out.filter((l) => l.includes('[soft-delete-outlives-lifecycle]'));
    expect(found).toEqual([
      expect.stringMatching(
        /Bucket\/b-one: warning: objects are deleted after 1 day, but soft delete keeps them restorable \(and billed\) for 7 more days; set spec\.softDeletePolicy\.retentionDurationSeconds: 0/,
      ),
    ]);
  });

  it('is quiet with soft delete off', () => {
    expect(lint(bucket('  softDeletePolicy: {retentionDurationSeconds: 0}\n')).out.filter((l) => l.includes('[soft-delete-outlives-lifecycle]'))).toEqual([]);
  });
});

describe('project-role-where-resource-would-do', () => {
  const projectGrant = (role: string) => grant('g', `  role: ${role}\n  memberFrom: {serviceAccountRef: {name: sa-backend}}\n  resourceRef: {kind: Project}\n`);

  it('warns at spec.role for a bucket role granted on the project of a stack with buckets', () => {
    const { f, out } = lint(BUCKET_OK + SA('sa-backend') + projectGrant('roles/storage.objectAdmin'));
    expect(out).toEqual([
      `${f}:20:9: IAMPolicyMember/g: warning: roles/storage.objectAdmin on the project reaches every Bucket in it, not only this stack's (bucket-one); grant it on the Bucket instead (resourceRef: {kind: Bucket, name: bucket-one}), one IAMPolicyMember per Bucket the member uses [project-role-where-resource-would-do]`,
    ]);
  });

  it('warns for service-account roles on the project', () => {
    const { f, out } = lint(SA('sa-backend') + projectGrant('roles/iam.serviceAccountUser'));
    expect(out).toEqual([
      `${f}:11:9: IAMPolicyMember/g: warning: roles/iam.serviceAccountUser on the project reaches every ServiceAccount in it, not only this stack's (sa-backend); grant it on the ServiceAccount instead (resourceRef: {kind: ServiceAccount, name: sa-backend}), one IAMPolicyMember per ServiceAccount the member uses [project-role-where-resource-would-do]`,
    ]);
  });

  it('is quiet for project-only roles, kinds the stack lacks, roles that create resources and grants on a resource', () => {
    expect(lint(BUCKET_OK + SA('sa-backend') + projectGrant('roles/aiplatform.user')).out).toEqual([]);
    expect(lint(BUCKET_OK + SA('sa-backend') + projectGrant('roles/storage.admin')).out).toEqual([]);
    expect(lint(SA('sa-backend') + projectGrant('roles/secretmanager.secretAccessor')).out).toEqual([]);
    const onBucket = grant(
      'g',
      '  role: roles/storage.objectAdmin\n  memberFrom: {serviceAccountRef: {name: sa-backend}}\n  resourceRef: {kind: Bucket, name: bucket-one}\n',
    );
    expect(lint(BUCKET_OK + SA('sa-backend') + onBucket).out).toEqual([]);
  });
});

describe('next-public-on-runtime', () => {
  it('warns at the name of a NEXT_PUBLIC_ env var', () => {
    const { f, out } = lint(frontend('          - name: NEXT_PUBLIC_API_ENDPOINT\n            value: https://frontend-123456789012.asia-northeast1.run.app\n'));
    expect(out).toEqual([
      `${f}:11:19: CloudRunService/frontend: warning: NEXT_PUBLIC_API_ENDPOINT: Next.js inlines NEXT_PUBLIC_ variables into the browser bundle at build time, so this runtime value reaches only server code and the browser keeps the build-time value; pass it as a build argument when building the image, and keep it here only if server code reads it [next-public-on-runtime]`,
    ]);
  });

  it('is quiet for server-side variables', () => {
    expect(lint(frontend('          - name: API_ENDPOINT\n            value: https://frontend-123456789012.asia-northeast1.run.app\n')).out).toEqual([]);
  });
});

describe('signs-urls-without-token-creator', () => {
  const signer = `${HEAD('CloudRunService', 'backend')}spec:
  location: asia-northeast1
  template:
    serviceAccountRef: {name: sa-backend}
    containers:
      - image: b
        env:
          - name: SIGNED_URL_EXPIRATION_SECONDS
            value: "3600"
---
`;
  const tokenCreator = (member: string, on: string) =>
    grant('g', `  role: roles/iam.serviceAccountTokenCreator\n  memberFrom: {serviceAccountRef: {name: ${member}}}\n  resourceRef: ${on}\n`);

  it('warns at the env var when the account may not sign as itself', () => {
    const { f, out } = lint(SA('sa-backend') + SA('sa-frontend') + signer + tokenCreator('sa-frontend', '{kind: ServiceAccount, name: sa-backend}'));
    expect(out).toEqual([
      `${f}:22:19: CloudRunService/backend: warning: SIGNED_URL_EXPIRATION_SECONDS: this service looks like it signs URLs, but its ServiceAccount/sa-backend has no roles/iam.serviceAccountTokenCreator on itself; Cloud Run has no key file, so signing goes through IAM signBlob and fails with 403; add an IAMPolicyMember {role: roles/iam.serviceAccountTokenCreator, memberFrom: {serviceAccountRef: {name: sa-backend}}, resourceRef: {kind: ServiceAccount, name: sa-backend}} [signs-urls-without-token-creator]`,
    ]);
  });

  it('is quiet when the account holds token creator on itself (or, more broadly, on the project)', () => {
    expect(lint(SA('sa-backend') + signer + tokenCreator('sa-backend', '{kind: ServiceAccount, name: sa-backend}')).out).toEqual([]);
    // The project-wide grant works, and the project-role rule is the one that objects to it.
    expect(lint(SA('sa-backend') + signer + tokenCreator('sa-backend', '{kind: Project}')).out.map((l) => l.replace(/.*\[(.*)\]$/, '$1'))).toEqual([
      'project-role-where-resource-would-do',
    ]);
  });
});

describe('lintResources', () => {
  it('finds nothing in a stack that avoids every mistake', () => {
    const text =
      BUCKET_OK +
      SA('sa-backend') +
      SA('sa-frontend') +
      backend('INGRESS_TRAFFIC_ALL') +
      frontend(`${OUTPUT_REF}          - name: UPLOAD_SIGNED_URL_TTL\n            value: "600"\n`).replace(
        '  template:\n',
        '  template:\n    serviceAccountRef: {name: sa-frontend}\n',
      ) +
      '---\n' +
      grant(
        'invoke',
        '  role: roles/run.invoker\n  memberFrom: {serviceAccountRef: {name: sa-frontend}}\n  resourceRef: {kind: CloudRunService, name: backend}\n',
      ) +
      grant(
        'sign',
        '  role: roles/iam.serviceAccountTokenCreator\n  member: serviceAccount:sa-frontend@example-project.iam.gserviceaccount.com\n  resourceRef: {kind: ServiceAccount, name: sa-frontend}\n',
      );
    expect(lint(text).out).toEqual([]);
  });
});
