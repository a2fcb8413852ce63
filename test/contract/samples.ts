// One sample per kind for the contract suite: a manifest set that holds the sample (and what it
// needs), the key of the sample, and the edits that change its identity (the fields that make it
// another Google resource). A kind registered without a sample fails the suite.

export interface IdentityEdit {
  /** The identity field, for the test's name. */
  field: string;
  /** Stack variables that make the edit (a name built from ${NAME}), or a rewrite of the YAML. */
  variables?: Record<string, string>;
  rewrite?: (yaml: string) => string;
}

export interface KindSample {
  /** The manifests: the sample and whatever it references. */
  yaml: string;
  key: string;
  /** Variables for the first apply. */
  variables?: Record<string, string>;
  identity: IdentityEdit[];
  /** Other spellings the schema accepts for what the sample says: each must plan as no change. */
  spellings?: Array<{ field: string; rewrite: (yaml: string) => string }>;
}

const doc = (kind: string, metadata: string, spec = ''): string =>
  `apiVersion: musectl.dev/v1alpha1\nkind: ${kind}\nmetadata: ${metadata}\n${spec ? `spec:\n${spec}` : ''}`;

export const SAMPLES: Record<string, KindSample> = {
  ProjectService: {
    yaml: doc('ProjectService', '{ name: "${API}" }'),
    key: 'ProjectService/pubsub.googleapis.com',
    variables: { API: 'pubsub.googleapis.com' },
    identity: [{ field: 'metadata.name (from a variable)', variables: { API: 'eventarc.googleapis.com' } }],
  },
  ServiceAccount: {
    yaml: doc('ServiceAccount', '{ name: "sa-contract-${N}" }', '  displayName: Contract suite\n'),
    key: 'ServiceAccount/sa-contract-one',
    variables: { N: 'one' },
    identity: [{ field: 'metadata.name (from a variable)', variables: { N: 'two' } }],
  },
  Bucket: {
    yaml: doc('Bucket', '{ name: "contract-${N}-${PROJECT_ID}" }', '  location: asia-northeast1\n'),
    key: 'Bucket/contract-one-contract-project',
    variables: { N: 'one' },
    spellings: [{ field: 'location in capitals (as Google stores it)', rewrite: (y) => y.replace('location: asia-northeast1', 'location: ASIA-NORTHEAST1') }],
    identity: [{ field: 'metadata.name (from a variable)', variables: { N: 'two' } }],
  },
  Secret: {
    yaml: doc('Secret', '{ name: "contract-${N}" }', '  valueFrom: { env: CONTRACT_SECRET }\n'),
    key: 'Secret/contract-one',
    variables: { N: 'one' },
    identity: [{ field: 'metadata.name (from a variable)', variables: { N: 'two' } }],
  },
  ArtifactRegistryRepository: {
    yaml: doc('ArtifactRegistryRepository', '{ name: contract-repo }', '  location: asia-northeast1\n  format: DOCKER\n'),
    key: 'ArtifactRegistryRepository/contract-repo',
    identity: [{ field: 'spec.location', rewrite: (y) => y.replace('location: asia-northeast1', 'location: us-central1') }],
  },
  CloudRunService: {
    yaml: doc('CloudRunService', '{ name: contract-svc }', '  location: asia-northeast1\n  template:\n    containers: [{ image: example/contract:1 }]\n'),
    key: 'CloudRunService/contract-svc',
    spellings: [
      {
        field: "template.serviceAccount as the default account's email",
        rewrite: (y) => y.replace('  template:\n', '  template:\n    serviceAccount: ${PROJECT_NUMBER}-compute@developer.gserviceaccount.com\n'),
      },
      {
        field: 'cpu, memory and timeout in other units',
        rewrite: (y) =>
          y
            .replace('  template:\n', '  template:\n    timeout: 5m\n')
            .replace(
              'containers: [{ image: example/contract:1 }]',
              'containers: [{ image: example/contract:1, resources: { limits: { cpu: 1, memory: 0.5Gi } } }]',
            ),
      },
      { field: 'an empty env list written out', rewrite: (y) => y.replace('{ image: example/contract:1 }', '{ image: example/contract:1, env: [] }') },
    ],
    identity: [{ field: 'spec.location', rewrite: (y) => y.replace('location: asia-northeast1', 'location: us-central1') }],
  },
  CloudRunJob: {
    yaml: doc(
      'CloudRunJob',
      '{ name: contract-job }',
      '  location: asia-northeast1\n  template:\n    template:\n      containers: [{ image: example/contract-job:1 }]\n',
    ),
    key: 'CloudRunJob/contract-job',
    spellings: [
      {
        field: "the task's serviceAccount as the default account's email, its timeout in minutes",
        rewrite: (y) =>
          y.replace(
            '    template:\n      containers',
            '    template:\n      serviceAccount: ${PROJECT_NUMBER}-compute@developer.gserviceaccount.com\n      timeout: 10m\n      containers',
          ),
      },
    ],
    identity: [{ field: 'spec.location', rewrite: (y) => y.replace('location: asia-northeast1', 'location: us-central1') }],
  },
  IAMPolicyMember: {
    yaml: doc('IAMPolicyMember', '{ name: contract-grant }', '  role: roles/viewer\n  member: user:ana@example.com\n  resourceRef: { kind: Project }\n'),
    key: 'IAMPolicyMember/contract-grant',
    identity: [
      { field: 'spec.member', rewrite: (y) => y.replace('user:ana@example.com', 'user:bo@example.com') },
      { field: 'spec.role', rewrite: (y) => y.replace('roles/viewer', 'roles/browser') },
    ],
  },
};
