// The round-trip cases of Cloud Run services and jobs: each field set, changed and removed (see
// round-trip.ts). The stack around the sample gives the runtime account what volumes and env read:
// a secret with a value and a bucket, each with its grant.
import type { FieldCase, KindRoundTrip } from './round-trip.js';

export const RT_SECRET_ENV = 'ROUND_TRIP_SECRET';
const BUCKET = 'rt-media-round-trip-project';
const KEY = 'projects/round-trip-project/locations/asia-northeast1/keyRings/ring/cryptoKeys';

/** The runtime account, and a secret and a bucket it may read. */
const SUPPORT = `apiVersion: musectl.dev/v1alpha1
kind: ServiceAccount
metadata: { name: rt-runtime }
---
apiVersion: musectl.dev/v1alpha1
kind: Secret
metadata: { name: rt-key }
spec: { valueFrom: { env: ${RT_SECRET_ENV} } }
---
apiVersion: musectl.dev/v1alpha1
kind: IAMPolicyMember
metadata: { name: rt-reads-key }
spec:
  role: roles/secretmanager.secretAccessor
  memberFrom: { serviceAccountRef: { name: rt-runtime } }
  resourceRef: { kind: Secret, name: rt-key }
---
apiVersion: musectl.dev/v1alpha1
kind: Bucket
metadata: { name: ${BUCKET} }
spec: { location: asia-northeast1 }
---
apiVersion: musectl.dev/v1alpha1
kind: IAMPolicyMember
metadata: { name: rt-uses-media }
spec:
  role: roles/storage.objectAdmin
  memberFrom: { serviceAccountRef: { name: rt-runtime } }
  resourceRef: { kind: Bucket, name: ${BUCKET} }
`;

/** Binary Authorization, the same on services and jobs: the project's default policy with a breakglass, or a named policy. */
const BINARY_AUTHORIZATION: FieldCase[] = [
  {
    at: ['binaryAuthorization'],
    set: { useDefault: true, breakglassJustification: 'incident 42' },
    change: { at: ['breakglassJustification'], to: 'incident 43' },
    changePaths: ['binaryAuthorization.breakglassJustification'],
  },
  {
    at: ['binaryAuthorization'],
    set: { policy: 'projects/round-trip-project/platforms/cloudRun/policies/strict' },
    change: { at: ['policy'], to: 'projects/round-trip-project/platforms/cloudRun/policies/relaxed' },
    changePaths: ['binaryAuthorization.policy'],
  },
];

/** Cases of a template's volumes (a service's template, or a job's task template at `t`). */
function volumeCases(t: string[], plan: string): FieldCase[] {
  const mount = (name: string, path: string) => ({ at: [...t, 'containers', 0, 'volumeMounts'], value: [{ name, mountPath: path }] });
  return [
    {
      at: [...t, 'volumes'],
      set: [{ name: 'scratch', emptyDir: { medium: 'MEMORY', sizeLimit: '256Mi' } }],
      change: { at: [0, 'emptyDir', 'sizeLimit'], to: '512Mi' },
      changePaths: [`${plan}.volumes[scratch].emptyDir.sizeLimit`],
      with: [mount('scratch', '/scratch')],
    },
    {
      at: [...t, 'containers', 0, 'volumeMounts'],
      set: [{ name: 'scratch', mountPath: '/scratch', subPath: 'a' }],
      change: { at: [0, 'subPath'], to: 'b' },
      changePaths: [`${plan}.containers[0].volumeMounts[/scratch].subPath`],
      with: [{ at: [...t, 'volumes'], value: [{ name: 'scratch', emptyDir: {} }] }],
    },
    {
      at: [...t, 'volumes'],
      set: [{ name: 'key', secret: { secretRef: { name: 'rt-key' }, items: [{ path: 'key.txt', version: 'latest', mode: 256 }], defaultMode: 256 } }],
      change: { at: [0, 'secret', 'defaultMode'], to: 288 },
      changePaths: [`${plan}.volumes[key].secret.defaultMode`],
    },
    {
      at: [...t, 'volumes'],
      set: [{ name: 'key', secret: { secret: 'rt-key' } }],
      change: { at: [0, 'secret', 'items'], to: [{ path: 'k', version: '1' }] },
      changePaths: [`${plan}.volumes[key].secret.items[0]`],
    },
    {
      at: [...t, 'volumes'],
      set: [{ name: 'media', gcs: { bucketRef: { name: BUCKET }, readOnly: true, mountOptions: ['implicit-dirs'] } }],
      change: { at: [0, 'gcs', 'readOnly'], to: false },
      changePaths: [`${plan}.volumes[media].gcs.readOnly`],
      with: [mount('media', '/media')],
    },
    {
      at: [...t, 'volumes'],
      set: [{ name: 'media', gcs: { bucket: BUCKET, mountOptions: ['implicit-dirs'] } }],
      change: { at: [0, 'gcs', 'mountOptions'], to: ['implicit-dirs', 'metadata-cache-ttl-secs=60'] },
      changePaths: [`${plan}.volumes[media].gcs.mountOptions[1]`],
    },
    {
      at: [...t, 'volumes'],
      set: [{ name: 'share', nfs: { server: '10.0.0.2', path: '/share', readOnly: true } }],
      change: { at: [0, 'nfs', 'path'], to: '/share2' },
      changePaths: [`${plan}.volumes[share].nfs.path`],
    },
    {
      at: [...t, 'volumes'],
      set: [{ name: 'sql', cloudSqlInstance: { instances: ['round-trip-project:asia-northeast1:db'] } }],
      change: { at: [0, 'cloudSqlInstance', 'instances'], to: ['round-trip-project:asia-northeast1:db', 'round-trip-project:asia-northeast1:db2'] },
      changePaths: [`${plan}.volumes[sql].cloudSqlInstance.instances[1]`],
      with: [mount('sql', '/cloudsql')],
    },
  ];
}

/** Cases of the fields a revision template and a task template share, at `t`. */
function templateCases(t: string[], plan: string): FieldCase[] {
  const c0 = [...t, 'containers', 0];
  const p0 = `${plan}.containers[0]`;
  return [
    ...volumeCases(t, plan),
    {
      at: [...t, 'vpcAccess'],
      set: { connector: 'projects/round-trip-project/locations/asia-northeast1/connectors/c', egress: 'ALL_TRAFFIC' },
      change: { at: ['egress'], to: 'PRIVATE_RANGES_ONLY' },
      changePaths: [`${plan}.vpcAccess.egress`],
    },
    {
      at: [...t, 'vpcAccess'],
      set: { networkInterfaces: [{ network: 'default', subnetwork: 'default', tags: ['web'] }] },
      change: { at: ['networkInterfaces', 0, 'tags'], to: ['web', 'api'] },
      changePaths: [`${plan}.vpcAccess.networkInterfaces[0].tags[1]`],
    },
    { at: [...t, 'encryptionKey'], set: `${KEY}/one`, change: { to: `${KEY}/two` }, changePaths: [`${plan}.encryptionKey`] },
    {
      at: [...t, 'nodeSelector'],
      set: { accelerator: 'nvidia-l4' },
      change: { at: ['accelerator'], to: 'nvidia-rtx-pro-6000' },
      changePaths: [`${plan}.nodeSelector.accelerator`],
      with: [
        { at: [...c0, 'resources', 'limits'], value: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } },
        { at: [...t, 'gpuZonalRedundancyDisabled'], value: true },
      ],
    },
    { at: [...c0, 'image'], set: 'example/round-trip:2', change: { to: 'example/round-trip:3' }, changePaths: [`${p0}.image`] },
    { at: [...c0, 'command'], set: ['/bin/app'], change: { to: ['/bin/other'] }, changePaths: [`${p0}.command[0]`] },
    { at: [...c0, 'args'], set: ['--mode', 'a'], change: { to: ['--mode', 'b'] }, changePaths: [`${p0}.args[1]`] },
    { at: [...c0, 'workingDir'], set: '/srv', change: { to: '/app' }, changePaths: [`${p0}.workingDir`] },
    { at: [...c0, 'env'], set: [{ name: 'MODE', value: 'a' }], change: { at: [0, 'value'], to: 'b' }, changePaths: [`${p0}.env[MODE].value`] },
    {
      at: [...c0, 'env'],
      set: [{ name: 'KEY', valueFrom: { secretKeyRef: { name: 'rt-key', version: 'latest' } } }],
      change: { at: [0, 'valueFrom', 'secretKeyRef', 'version'], to: '1' },
      changePaths: [`${p0}.env[KEY].valueFrom.secretKeyRef.version`],
    },
    {
      at: [...c0, 'env'],
      set: [{ name: 'RUNS_AS', valueFrom: { outputRef: { kind: 'ServiceAccount', name: 'rt-runtime', output: 'email' } } }],
      change: { at: [0, 'valueFrom', 'outputRef', 'output'], to: 'member' },
      changePaths: [`${p0}.env[RUNS_AS].value`],
    },
    {
      at: [...c0, 'resources', 'limits'],
      set: { cpu: '2', memory: '1Gi' },
      change: { at: ['memory'], to: '2Gi' },
      changePaths: [`${p0}.resources.limits.memory`],
    },
    {
      at: [...c0, 'startupProbe'],
      set: {
        initialDelaySeconds: 5,
        timeoutSeconds: 3,
        periodSeconds: 30,
        failureThreshold: 4,
        httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] },
      },
      change: { at: ['periodSeconds'], to: 40 },
      changePaths: [`${p0}.startupProbe.periodSeconds`],
    },
    {
      at: [...c0, 'startupProbe'],
      set: { grpc: { port: 8080, service: 'health' } },
      change: { at: ['grpc', 'service'], to: 'ready' },
      changePaths: [`${p0}.startupProbe.grpc.service`],
    },
    {
      at: [...c0, 'startupProbe'],
      set: { tcpSocket: { port: 8080 } },
      change: { at: ['failureThreshold'], to: 5 },
      changePaths: [`${p0}.startupProbe.failureThreshold`],
    },
    {
      at: [...c0, 'dependsOn'],
      set: ['sidecar'],
      change: { to: [] },
      changePaths: [`${plan}.containers[app].dependsOn[0]`],
      planPath: `${plan}.containers`,
      with: [
        { at: [...c0, 'name'], value: 'app' },
        { at: [...t, 'containers', 1], value: { name: 'sidecar', image: 'example/sidecar:1' } },
      ],
    },
    {
      at: [...c0, 'name'],
      set: 'app',
      change: { to: 'web' },
      changePaths: [`${plan}.containers[web]`, `${plan}.containers[app]`],
      planPath: `${plan}.containers`,
    },
  ];
}

export const SERVICE_ROUND_TRIP: KindRoundTrip = {
  kind: 'CloudRunService',
  name: 'rt-svc',
  base: { location: 'asia-northeast1', template: { serviceAccountRef: { name: 'rt-runtime' }, containers: [{ image: 'example/round-trip:1' }] } },
  extra: SUPPORT,
  notRoundTripped: {
    location: 'the identity: a new location replaces the service (test/contract/controllers.test.ts)',
    imagePolicy: "musectl's own setting, never sent to Google (digest pinning: test/e2e/rollout.test.ts)",
    'template.serviceAccountRef': 'the base sets it; the template.serviceAccount case leaves it and comes back to it',
    'traffic[].revision': "a revision's name is Google's (SERVICE-00001-abc), known only after a deploy (test/e2e/rollout.test.ts pins traffic to one)",
  },
  cases: [
    { at: ['description'], set: 'round trip', change: { to: 'changed' }, changePaths: ['description'] },
    { at: ['annotations'], set: { team: 'a' }, change: { at: ['team'], to: 'b' }, changePaths: ['annotations'] },
    { at: ['ingress'], set: 'INGRESS_TRAFFIC_INTERNAL_ONLY', change: { to: 'INGRESS_TRAFFIC_NONE' }, changePaths: ['ingress'] },
    { at: ['launchStage'], set: 'BETA', change: { to: 'ALPHA' }, changePaths: ['launchStage'] },
    { at: ['invokerIamDisabled'], set: true, change: { to: false }, changePaths: ['invokerIamDisabled'], changeToDefault: true },
    { at: ['defaultUriDisabled'], set: true, change: { to: false }, changePaths: ['defaultUriDisabled'], changeToDefault: true },
    { at: ['iapEnabled'], set: true, change: { to: false }, changePaths: ['iapEnabled'], changeToDefault: true },
    {
      at: ['customAudiences'],
      set: ['https://api.example.com'],
      change: { to: ['https://api.example.com', 'https://b.example.com'] },
      changePaths: ['customAudiences[1]'],
    },
    ...BINARY_AUTHORIZATION,
    {
      at: ['scaling'],
      set: { minInstanceCount: 1, maxInstanceCount: 5 },
      change: { at: ['maxInstanceCount'], to: 6 },
      changePaths: ['scaling.maxInstanceCount'],
    },
    {
      at: ['scaling', 'manualInstanceCount'],
      set: 2,
      change: { to: 3 },
      changePaths: ['scaling.manualInstanceCount'],
      with: [{ at: ['scaling', 'scalingMode'], value: 'MANUAL' }],
    },
    { at: ['template', 'labels'], set: { tier: 'web' }, change: { at: ['tier'], to: 'api' }, changePaths: ['template.labels'] },
    { at: ['template', 'annotations'], set: { team: 'a' }, change: { at: ['team'], to: 'b' }, changePaths: ['template.annotations'] },
    {
      at: ['template', 'serviceAccount'],
      set: 'someone@elsewhere.iam.gserviceaccount.com',
      change: { to: 'other@elsewhere.iam.gserviceaccount.com' },
      changePaths: ['template.serviceAccount'],
      without: [['template', 'serviceAccountRef']],
    },
    {
      at: ['template', 'scaling'],
      set: { minInstanceCount: 1, maxInstanceCount: 20 },
      change: { at: ['maxInstanceCount'], to: 30 },
      changePaths: ['template.scaling.maxInstanceCount'],
    },
    { at: ['template', 'timeout'], set: '60s', change: { to: '2m' }, changePaths: ['template.timeout'] },
    { at: ['template', 'maxInstanceRequestConcurrency'], set: 40, change: { to: 50 }, changePaths: ['template.maxInstanceRequestConcurrency'] },
    { at: ['template', 'sessionAffinity'], set: true, change: { to: false }, changePaths: ['template.sessionAffinity'], changeToDefault: true },
    { at: ['template', 'healthCheckDisabled'], set: true, change: { to: false }, changePaths: ['template.healthCheckDisabled'], changeToDefault: true },
    {
      at: ['template', 'encryptionKeyShutdownDuration'],
      set: '2h',
      change: { to: '3h' },
      changePaths: ['template.encryptionKeyShutdownDuration'],
      with: [
        { at: ['template', 'encryptionKey'], value: `${KEY}/one` },
        { at: ['template', 'encryptionKeyRevocationAction'], value: 'SHUTDOWN' },
      ],
    },
    {
      at: ['template', 'serviceMesh'],
      set: { mesh: 'projects/round-trip-project/locations/global/meshes/one' },
      change: { at: ['mesh'], to: 'projects/round-trip-project/locations/global/meshes/two' },
      changePaths: ['template.serviceMesh.mesh'],
    },
    ...templateCases(['template'], 'template'),
    {
      at: ['template', 'containers', 0, 'resources', 'cpuIdle'],
      set: false,
      change: { to: true },
      changePaths: ['template.containers[0].resources.cpuIdle'],
      changeToDefault: true,
    },
    {
      at: ['template', 'containers', 0, 'resources', 'startupCpuBoost'],
      set: true,
      change: { to: false },
      changePaths: ['template.containers[0].resources.startupCpuBoost'],
      changeToDefault: true,
    },
    {
      at: ['template', 'containers', 0, 'ports'],
      set: [{ name: 'h2c', containerPort: 9090 }],
      change: { at: [0, 'containerPort'], to: 9091 },
      // Google's default startup probe checks the serving port: it follows.
      changePaths: ['template.containers[0].ports[h2c].containerPort', 'template.containers[0].startupProbe.tcpSocket.port'],
      also: ['template.containers[0].startupProbe'],
    },
    {
      at: ['template', 'containers', 0, 'livenessProbe'],
      set: { tcpSocket: { port: 8080 } },
      change: { at: ['failureThreshold'], to: 5 },
      changePaths: ['template.containers[0].livenessProbe.failureThreshold'],
    },
    {
      at: ['template', 'containers', 0, 'readinessProbe'],
      set: { httpGet: { path: '/ready' } },
      change: { at: ['httpGet', 'path'], to: '/ready2' },
      changePaths: ['template.containers[0].readinessProbe.httpGet.path'],
    },
    {
      at: ['template', 'containers', 0, 'baseImageUri'],
      set: 'asia-northeast1-docker.pkg.dev/serverless-runtimes/google-22/runtimes/nodejs22',
      change: { to: 'asia-northeast1-docker.pkg.dev/serverless-runtimes/google-22/runtimes/nodejs20' },
      changePaths: ['template.containers[0].baseImageUri'],
    },
    {
      at: ['traffic'],
      set: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, tag: 'current' }],
      change: { at: [0, 'tag'], to: 'live' },
      changePaths: ['traffic[live]', 'traffic[current]'],
    },
    // Last: left to Google when removed (the schema has no default: Cloud Run chooses).
    {
      at: ['template', 'executionEnvironment'],
      set: 'EXECUTION_ENVIRONMENT_GEN2',
      change: { to: 'EXECUTION_ENVIRONMENT_GEN1' },
      changePaths: ['template.executionEnvironment'],
      leftToGoogle: true,
    },
  ],
};

export const JOB_ROUND_TRIP: KindRoundTrip = {
  kind: 'CloudRunJob',
  name: 'rt-job',
  base: {
    location: 'asia-northeast1',
    template: { template: { serviceAccountRef: { name: 'rt-runtime' }, containers: [{ image: 'example/round-trip-job:1' }] } },
  },
  extra: SUPPORT,
  notRoundTripped: {
    location: 'the identity: a new location replaces the job (test/contract/controllers.test.ts)',
    'template.template.serviceAccountRef': 'the base sets it; the template.template.serviceAccount case leaves it and comes back to it',
  },
  cases: [
    { at: ['launchStage'], set: 'BETA', change: { to: 'ALPHA' }, changePaths: ['launchStage'] },
    { at: ['annotations'], set: { team: 'a' }, change: { at: ['team'], to: 'b' }, changePaths: ['annotations'] },
    ...BINARY_AUTHORIZATION,
    { at: ['template', 'labels'], set: { tier: 'batch' }, change: { at: ['tier'], to: 'nightly' }, changePaths: ['template.labels'] },
    { at: ['template', 'annotations'], set: { team: 'a' }, change: { at: ['team'], to: 'b' }, changePaths: ['template.annotations'] },
    { at: ['template', 'taskCount'], set: 4, change: { to: 5 }, changePaths: ['template.taskCount'] },
    { at: ['template', 'parallelism'], set: 2, change: { to: 3 }, changePaths: ['template.parallelism'] },
    {
      at: ['template', 'template', 'serviceAccount'],
      set: 'someone@elsewhere.iam.gserviceaccount.com',
      change: { to: 'other@elsewhere.iam.gserviceaccount.com' },
      changePaths: ['template.template.serviceAccount'],
      without: [['template', 'template', 'serviceAccountRef']],
    },
    { at: ['template', 'template', 'timeout'], set: '1h', change: { to: '2h' }, changePaths: ['template.template.timeout'] },
    { at: ['template', 'template', 'maxRetries'], set: 0, change: { to: 5 }, changePaths: ['template.template.maxRetries'] },
    ...templateCases(['template', 'template'], 'template.template'),
    {
      at: ['template', 'template', 'executionEnvironment'],
      set: 'EXECUTION_ENVIRONMENT_GEN2',
      change: { to: 'EXECUTION_ENVIRONMENT_GEN1' },
      changePaths: ['template.template.executionEnvironment'],
      leftToGoogle: true,
    },
  ],
};
