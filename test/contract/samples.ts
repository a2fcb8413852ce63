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
    identity: [{ field: 'spec.location', rewrite: (y) => y.replace('location: asia-northeast1', 'location: us-central1') }],
  },
  CloudRunJob: {
    yaml: doc(
      'CloudRunJob',
      '{ name: contract-job }',
      '  location: asia-northeast1\n  template:\n    template:\n      containers: [{ image: example/contract-job:1 }]\n',
    ),
    key: 'CloudRunJob/contract-job',
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
