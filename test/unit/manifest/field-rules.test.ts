// Google's rules over fields that relate to each other, each error at its file:line:col before any
// call to Google: Cloud Run's volumes, mounts, probes, start-up order, GPUs, CMEK, service scaling and
// Binary Authorization (src/manifest/google/cloud-run-template.ts), a Secret's rotation and keys
// (src/manifest/google/secret.ts), and the lint rules gcs-volume-without-access and probe-port-not-served.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifestSet } from '../../../src/manifest/index.js';

function check(text: string): { f: string; out: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'musectl-run-rules-'));
  const f = join(dir, 'm.yaml');
  writeFileSync(f, text);
  return { f, out: loadManifestSet([f], { variables: {}, allowPlaceholders: true }).diagnostics.map(formatDiagnostic) };
}

const service = (template: string, top = '') =>
  `apiVersion: musectl.dev/v1alpha1\nkind: CloudRunService\nmetadata: { name: svc }\nspec:\n  location: asia-northeast1\n${top}  template:\n${template}`;

describe('Cloud Run template rules', () => {
  it('refuses a mount of a volume the template does not have, and a path mounted twice', () => {
    const { f, out } = check(
      service(`    volumes: [{ name: scratch, emptyDir: {} }]
    containers:
      - image: app
        volumeMounts:
          - { name: scrach, mountPath: /a }
          - { name: scratch, mountPath: /a }
`),
    );
    expect(out).toEqual([
      `${f}:11:21: CloudRunService/svc: spec.template.containers[0].volumeMounts[0].name: "scrach" is not a volume of this template ("scratch"); add it to volumes`,
      `${f}:12:41: CloudRunService/svc: spec.template.containers[0].volumeMounts[1].mountPath: "/a" is mounted twice in this container`,
    ]);
  });

  it('refuses a start-up order that names no container, or goes round in a circle', () => {
    const { f, out } = check(
      service(`    containers:
      - { name: app, image: app, dependsOn: [db] }
      - { name: a, image: a, dependsOn: [b] }
      - { name: b, image: b, dependsOn: [a] }
`),
    );
    expect(out).toEqual([
      `${f}:8:46: CloudRunService/svc: spec.template.containers[0].dependsOn[0]: "db" is not another container of this template ("app", "a", "b"); dependsOn names the containers that start first`,
      `${f}:9:41: CloudRunService/svc: spec.template.containers[1].dependsOn: the containers wait for each other in a circle (a -> b -> a); none of them could start`,
    ]);
  });

  it('refuses probes Cloud Run refuses: a timeout over the period, a long startup probe, no port on a container that serves none', () => {
    const { f, out } = check(
      service(`    containers:
      - name: app
        image: app
        startupProbe: { periodSeconds: 300, tcpSocket: {} }
        livenessProbe: { timeoutSeconds: 20, periodSeconds: 10, httpGet: {} }
      - name: sidecar
        image: side
        readinessProbe: { grpc: {} }
`),
    );
    expect(out).toEqual([
      `${f}:10:40: CloudRunService/svc: spec.template.containers[0].startupProbe.periodSeconds: 300 is more than 240, the most a startup probe takes (google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos)`,
      `${f}:11:42: CloudRunService/svc: spec.template.containers[0].livenessProbe.timeoutSeconds: 20 is more than periodSeconds 10; a probe's timeout must not exceed its period (google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos)`,
      `${f}:14:33: CloudRunService/svc: spec.template.containers[1].readinessProbe.grpc: no port, and this container serves none (a probe's port defaults to the container's ports[0].containerPort); give grpc.port`,
    ]);
  });

  it('refuses a Cloud Storage volume in the first generation, a GPU below 4 CPU and 16Gi, and a shutdown duration without SHUTDOWN', () => {
    const { f, out } = check(
      service(`    executionEnvironment: EXECUTION_ENVIRONMENT_GEN1
    volumes: [{ name: media, gcs: { bucket: b-one } }]
    nodeSelector: { accelerator: nvidia-l4 }
    encryptionKeyShutdownDuration: 90m
    containers: [{ image: app, resources: { limits: { cpu: "2", memory: 8Gi } } }]
`),
    );
    expect(out).toEqual([
      `${f}:8:15: CloudRunService/svc: spec.template.volumes[0]: a Cloud Storage volume needs the second generation execution environment, and executionEnvironment is EXECUTION_ENVIRONMENT_GEN1 (https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts)`,
      `${f}:10:36: CloudRunService/svc: spec.template.encryptionKeyShutdownDuration: "90m" is not a whole number of hours; the minimum increment is 1 hour (google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos)`,
      `${f}:10:36: CloudRunService/svc: spec.template.encryptionKeyShutdownDuration: set, but encryptionKeyRevocationAction is "PREVENT_NEW"; the duration applies only to SHUTDOWN (google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos)`,
      `${f}:11:60: CloudRunService/svc: spec.template.containers[0].resources.limits.cpu: "2" with a GPU (nodeSelector); Cloud Run needs at least 4 CPU with a GPU (https://cloud.google.com/run/docs/configuring/services/gpu)`,
      `${f}:11:73: CloudRunService/svc: spec.template.containers[0].resources.limits.memory: "8Gi" with a GPU (nodeSelector); Cloud Run needs at least 16Gi with a GPU (https://cloud.google.com/run/docs/configuring/services/gpu)`,
    ]);
  });

  it('refuses a manual instance count without MANUAL scaling, and a breakglass with no policy', () => {
    const { f, out } = check(
      service(
        '    containers: [{ image: app }]\n',
        '  scaling: { manualInstanceCount: 2 }\n  binaryAuthorization: { useDefault: false, breakglassJustification: urgent }\n',
      ),
    );
    expect(out).toEqual([
      `${f}:6:35: CloudRunService/svc: spec.scaling.manualInstanceCount: set, but scalingMode is "AUTOMATIC"; a manual instance count applies only to scalingMode MANUAL (google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos)`,
      `${f}:7:70: CloudRunService/svc: spec.binaryAuthorization.breakglassJustification: set while useDefault is false (no policy is enforced, so nothing can be broken through); leave it empty (google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos)`,
    ]);
  });
});

const STACK = `apiVersion: musectl.dev/v1alpha1
kind: ServiceAccount
metadata: { name: sa-media }
---
apiVersion: musectl.dev/v1alpha1
kind: Bucket
metadata: { name: media-one }
---
`;
const grant = (role: string) => `apiVersion: musectl.dev/v1alpha1
kind: IAMPolicyMember
metadata: { name: media-grant }
spec:
  role: ${role}
  memberFrom: { serviceAccountRef: { name: sa-media } }
  resourceRef: { kind: Bucket, name: media-one }
---
`;
const mounting = (readOnly: boolean) =>
  service(`    serviceAccountRef: { name: sa-media }
    volumes: [{ name: media, gcs: { bucketRef: { name: media-one }, readOnly: ${readOnly} } }]
    containers: [{ image: app, volumeMounts: [{ name: media, mountPath: /media }] }]
`);

describe('lint: gcs-volume-without-access', () => {
  const warnings = (text: string) => check(text).out.filter((l) => l.includes('[gcs-volume-without-access]'));

  it('warns when the runtime account has no grant on the mounted bucket', () => {
    const { f, out } = check(STACK + mounting(true));
    expect(out.filter((l) => l.includes('[gcs-volume-without-access]'))).toEqual([
      `${f}:16:56: CloudRunService/svc: warning: volume media mounts Bucket/media-one, which ServiceAccount/sa-media may not read: the instances cannot mount it and fail to start (https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts); add an IAMPolicyMember {role: roles/storage.objectViewer, memberFrom: {serviceAccountRef: {name: sa-media}}, resourceRef: {kind: Bucket, name: media-one}} [gcs-volume-without-access]`,
    ]);
  });

  it('warns when a read-write mount may only read, and is quiet with a role that writes', () => {
    expect(warnings(STACK + grant('roles/storage.objectViewer') + mounting(false))[0]).toMatch(/read-write, but ServiceAccount\/sa-media may only read it/);
    expect(warnings(STACK + grant('roles/storage.objectViewer') + mounting(true))).toEqual([]);
    expect(warnings(STACK + grant('roles/storage.objectUser') + mounting(false))).toEqual([]);
  });
});

describe('lint: probe-port-not-served', () => {
  it('warns at a probe port the container does not serve', () => {
    const { f, out } = check(
      service('    containers:\n      - image: app\n        ports: [{ containerPort: 8080 }]\n        livenessProbe: { httpGet: { port: 9090 } }\n'),
    );
    expect(out).toEqual([
      `${f}:10:43: CloudRunService/svc: warning: livenessProbe checks port 9090, but the container serves 8080 (ports[0].containerPort): unless the container also listens on 9090, the probe fails and the instances restart; leave the port out to check the serving port [probe-port-not-served]`,
    ]);
  });
});

describe('Secret rules', () => {
  const secret = (spec: string) => `apiVersion: musectl.dev/v1alpha1\nkind: Secret\nmetadata: { name: s-one }\nspec:\n${spec}`;

  it("refuses a rotation without topics, and keys outside the data's location", () => {
    const { f, out } = check(
      secret(`  rotation: { nextRotationTime: "2099-01-01T00:00:00Z", rotationPeriod: 720h }
  replication:
    userManaged:
      replicas:
        - location: asia-northeast1
          customerManagedEncryption: { kmsKeyName: projects/p/locations/us-central1/keyRings/r/cryptoKeys/k }
`),
    );
    expect(out).toEqual([
      `${f}:5:13: Secret/s-one: spec.rotation: set without topics; Secret Manager sends rotation reminders to Pub/Sub topics, so a rotation needs at least one in spec.topics (https://cloud.google.com/secret-manager/docs/secret-rotation)`,
      `${f}:10:52: Secret/s-one: spec.replication.userManaged.replicas[0].customerManagedEncryption.kmsKeyName: a key in "us-central1" for a replica in "asia-northeast1"; each replica's key must be in the replica's own location (https://cloud.google.com/secret-manager/docs/cmek)`,
    ]);
    expect(
      check(
        secret('  replication: { automatic: { customerManagedEncryption: { kmsKeyName: projects/p/locations/asia-northeast1/keyRings/r/cryptoKeys/k } } }\n'),
      ).out[0],
    ).toMatch(/automatic replication takes a key in the global location/);
  });
});

describe('Artifact Registry rules', () => {
  it('refuses Maven settings on a Docker repository and a most-recent-versions rule that deletes', () => {
    const { f, out } = check(`apiVersion: musectl.dev/v1alpha1
kind: ArtifactRegistryRepository
metadata: { name: repo-one }
spec:
  location: asia-northeast1
  mavenConfig: { versionPolicy: RELEASE }
  cleanupPolicies:
    recent: { action: DELETE, mostRecentVersions: { keepCount: 3 } }
`);
    expect(out).toEqual([
      `${f}:6:16: ArtifactRegistryRepository/repo-one: spec.mavenConfig: set on a "DOCKER" repository; it applies to MAVEN repositories only`,
      `${f}:8:23: ArtifactRegistryRepository/repo-one: spec.cleanupPolicies.recent.action: "DELETE" with mostRecentVersions; it keeps the newest versions, so its action is KEEP (https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy)`,
    ]);
  });
});

describe('Bucket rules', () => {
  const bucket = (spec: string) => `apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: { name: b-one }\nspec:\n${spec}`;

  it('refuses Autoclass with another class, a namespace without uniform access, placement outside a multi-region, turbo on a region', () => {
    const { f, out } = check(
      bucket(`  location: asia-northeast1
  storageClass: NEARLINE
  autoclass: { enabled: true }
  hierarchicalNamespace: { enabled: true }
  customPlacementConfig: { dataLocations: [ASIA-NORTHEAST1, ASIA-NORTHEAST2] }
  rpo: ASYNC_TURBO
`),
    );
    expect(out.filter((l) => !l.includes(': warning: ')).map((l) => l.replace(/ \(https:[^)]*\)$/, ''))).toEqual([
      `${f}:6:17: Bucket/b-one: spec.storageClass: "NEARLINE" with Autoclass on; Autoclass manages the classes itself and the bucket's default class stays STANDARD`,
      `${f}:8:37: Bucket/b-one: spec.hierarchicalNamespace.enabled: true without uniform bucket-level access; set spec.iamConfiguration.uniformBucketLevelAccess.enabled: true`,
      `${f}:9:26: Bucket/b-one: spec.customPlacementConfig: with location "asia-northeast1"; a configurable dual-region names two regions of a multi-region location (US, EU or ASIA)`,
    ]);
    expect(check(bucket('  location: asia-northeast1\n  rpo: ASYNC_TURBO\n')).out.join('\n')).toMatch(
      /spec.rpo: ASYNC_TURBO with location "asia-northeast1"; turbo replication is for dual-region buckets only/,
    );
  });
});
