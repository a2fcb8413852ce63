// Plans built by hand for the renderers' golden tests, one per thing a report must get right, and
// the golden-file check itself. Goldens are compared exactly; after a deliberate change to a
// renderer, rewrite them with UPDATE_GOLDEN=1 npx vitest run test/unit/report, and read the diff.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { iamPolicyMemberController } from '../../../controllers/iam-policy-member.js';
import { sensitive, unknown } from '../../../src/contract/spec.js';
import { type Plan, type PlanAction, summarize } from '../../../src/engine/plan.js';
import type { Diagnostic, Resource } from '../../../src/manifest/index.js';

export const GOLDEN_DIR = new URL('../../fixtures/golden/', import.meta.url);

export function expectGolden(name: string, actual: string): void {
  const file = new URL(name, GOLDEN_DIR);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) throw new Error(`no golden file ${file.pathname}: write it with UPDATE_GOLDEN=1 after checking the output by eye`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

export const CANARY = 'CANARY-secret-value-3b9e71';
const P = 'my-project';
const RUN = `projects/${P}/locations/asia-northeast1/services`;
const SA = (name: string): string => `serviceAccount:${name}@${P}.iam.gserviceaccount.com`;

export function plan(actions: PlanAction[]): Plan {
  return { formatVersion: 1, stack: 'sessionmuse', project: P, actions, wouldPrune: [], summary: summarize(actions) };
}

export function action(a: Pick<PlanAction, 'action' | 'kind' | 'name'> & Partial<PlanAction>): PlanAction {
  return { id: `${a.kind.toLowerCase()}/${a.name}`, dependsOn: [], changes: [], warnings: [], ...a };
}

/** An IAMPolicyMember action as the planner makes it: id "Kind|googleId|role|member", with its grant. */
function grant(act: 'create' | 'delete', name: string, on: string, role: string, member: string): PlanAction {
  const [before, after] = act === 'create' ? [undefined, true] : [true, undefined];
  const change = (path: string, v: string) => ({ path, before: before && v, after: after && v });
  const id = `${on}|${role}|${member}`;
  return action({ action: act, kind: 'IAMPolicyMember', name, id, grant: grantInfo(id), changes: [change('role', role), change('member', member)] });
}

/** The grant the planner attaches to an IAMPolicyMember action (the controller's grantOf). */
const grantInfo = (id: string) => iamPolicyMemberController.grantOf(id);

const createSa = action({
  action: 'create',
  kind: 'ServiceAccount',
  name: 'sa-backend',
  id: `projects/${P}/serviceAccounts/sa-backend@${P}.iam.gserviceaccount.com`,
  dependsOn: ['ProjectService/iam.googleapis.com'],
  changes: [
    { path: 'displayName', before: undefined, after: 'SessionMUSE backend' },
    { path: 'labels.managed-by', before: undefined, after: 'musectl' },
  ],
});

const updateBackend = action({
  action: 'update',
  kind: 'CloudRunService',
  name: 'sessionmuse-backend',
  id: `${RUN}/sessionmuse-backend`,
  dependsOn: ['ServiceAccount/sa-backend'],
  changes: [
    { path: 'template.containers[0].resources.limits.memory', before: '2Gi', after: '4Gi' },
    { path: 'template.scaling.maxInstanceCount', before: 10, after: 20 },
    { path: 'labels.team', before: undefined, after: 'audio' },
  ],
});

const deleteSa = action({ action: 'delete', kind: 'ServiceAccount', name: 'sa-old', id: `projects/${P}/serviceAccounts/sa-old@${P}.iam.gserviceaccount.com` });
const deleteBucket = action({
  action: 'delete',
  kind: 'Bucket',
  name: 'scratch',
  id: 'scratch',
  changes: [{ path: 'location', before: 'ASIA-NORTHEAST1', after: undefined }],
});

const noops = [
  action({ action: 'noop', kind: 'ProjectService', name: 'run.googleapis.com', id: `projects/${P}/services/run.googleapis.com` }),
  action({ action: 'noop', kind: 'ServiceAccount', name: 'sa-frontend', id: `projects/${P}/serviceAccounts/sa-frontend@${P}.iam.gserviceaccount.com` }),
  action({ action: 'noop', kind: 'ServiceAccount', name: 'sa-backend', id: `projects/${P}/serviceAccounts/sa-backend@${P}.iam.gserviceaccount.com` }),
];

/** A secret's value: new (create), rotated (update), with the canary as the new value. */
const secretCreate = action({
  action: 'create',
  kind: 'Secret',
  name: 'API_TOKEN',
  id: `projects/${P}/secrets/API_TOKEN`,
  changes: [
    { path: 'replication.automatic', before: undefined, after: {} },
    { path: 'value', before: undefined, after: sensitive(Buffer.from(CANARY)) },
  ],
});
const secretRotate = action({
  action: 'update',
  kind: 'Secret',
  name: 'GEMINI_API_KEY',
  id: `projects/${P}/secrets/GEMINI_API_KEY`,
  changes: [{ path: 'value', before: sensitive(Buffer.from('old-value')), after: sensitive(Buffer.from(CANARY)) }],
});

const frontendCreate = action({
  action: 'create',
  kind: 'CloudRunService',
  name: 'sessionmuse-frontend',
  id: `${RUN}/sessionmuse-frontend`,
  dependsOn: ['CloudRunService/sessionmuse-backend'],
  changes: [
    { path: 'ingress', before: undefined, after: 'INGRESS_TRAFFIC_ALL', security: true },
    { path: 'template.containers[0].env[0].name', before: undefined, after: 'INTERNAL_API_ENDPOINT' },
    { path: 'template.containers[0].env[0].value', before: undefined, after: unknown('CloudRunService/sessionmuse-backend.uri') },
  ],
});
const frontendUpdateUnknown = action({
  action: 'update',
  kind: 'CloudRunService',
  name: 'sessionmuse-worker',
  id: `${RUN}/sessionmuse-worker`,
  changes: [{ path: 'template.containers[0].env[1].value', before: 'https://old.a.run.app', after: unknown('CloudRunService/x.uri') }],
});

const ingressChange = action({
  action: 'update',
  kind: 'CloudRunService',
  name: 'sessionmuse-backend',
  id: `${RUN}/sessionmuse-backend`,
  changes: [
    { path: 'ingress', before: 'INGRESS_TRAFFIC_INTERNAL_ONLY', after: 'INGRESS_TRAFFIC_ALL', security: true },
    { path: 'invokerIamDisabled', before: false, after: true, security: true },
    { path: 'template.timeout', before: '60s', after: '300s' },
  ],
});
const bucketOpened = action({
  action: 'update',
  kind: 'Bucket',
  name: 'sessionmuse-tracks',
  id: 'sessionmuse-tracks',
  changes: [
    { path: 'iamConfiguration.publicAccessPrevention', before: 'enforced', after: 'inherited', security: true },
    { path: 'iamConfiguration.uniformBucketLevelAccess.enabled', before: true, after: false, security: true },
  ],
});

const grantAdded = grant('create', 'frontend-public', `CloudRunService|${RUN}/sessionmuse-frontend`, 'roles/run.invoker', 'allUsers');
const grantRemoved = grant('delete', 'old-tracks-admin', 'Bucket|sessionmuse-tracks', 'roles/storage.objectAdmin', SA('sa-old'));
/** A grant removed whose action carries no changes: role and member come from its id. */
const grantRemovedById = action({
  action: 'delete',
  kind: 'IAMPolicyMember',
  name: 'legacy-viewer',
  id: `Project|projects/${P}|roles/viewer|user:ana@example.com`,
  grant: grantInfo(`Project|projects/${P}|roles/viewer|user:ana@example.com`),
});

/** Values that would break a table or a code span if they were not escaped. */
const awkward = action({
  action: 'update',
  kind: 'CloudRunService',
  name: 'sessionmuse-awkward',
  id: `${RUN}/sessionmuse-awkward`,
  changes: [
    { path: 'description', before: 'a | b', after: 'uses `backticks` and | pipes <b>' },
    { path: 'annotations.note', before: '``x``', after: '`' },
  ],
  warnings: ['value has a | pipe and `code` and <html>'],
});

export const LINT: Diagnostic[] = [
  {
    file: 'manifests/frontend.yaml',
    line: 41,
    col: 11,
    severity: 'warning',
    subject: 'CloudRunService/sessionmuse-frontend',
    rule: 'next-public-on-runtime',
    message: 'NEXT_PUBLIC_API_ENDPOINT is set at run time, but Next.js inlines NEXT_PUBLIC_ variables at build time',
  },
];

/** Resources adopt, replace and abandon: what the lifecycle actions bring to a report. */
const lifecycle = [
  action({
    action: 'adopt',
    kind: 'Bucket',
    name: 'legacy-assets',
    id: 'legacy-assets',
    changes: [{ path: 'storageClass', before: 'NEARLINE', after: 'STANDARD' }],
    blocked: 'it exists in Google Cloud (legacy-assets) but this stack did not create it; run with --adopt to take it over',
  }),
  action({
    action: 'replace',
    kind: 'Bucket',
    name: 'sessionmuse-uploads',
    id: 'sessionmuse-uploads',
    changes: [{ path: 'location', before: 'US', after: 'asia-northeast1' }],
    impact: 'location cannot change in place: Bucket/sessionmuse-uploads will be deleted and created again, losing the 12 objects it holds',
  }),
  action({ action: 'abandon', kind: 'Secret', name: 'OLD_KEY', id: `projects/${P}/secrets/OLD_KEY`, impact: 'it stays in Google Cloud, no longer managed' }),
];

/** A resource as validation makes it, for the graph: references become edges. */
export function resource(kind: string, name: string, refs: Array<[string, string]> = [], implicit?: string[]): Resource {
  const refList = refs.map(([k, n]) => ({ path: ['spec'], kind: k, name: n }));
  return {
    kind,
    name,
    key: `${kind}/${name}`,
    labels: {},
    annotations: {},
    spec: {},
    refs: refList,
    implicitDependencies: implicit,
    doc: {} as Resource['doc'],
  };
}

/** A small SessionMUSE-like stack. */
export const STACK = (): Resource[] => [
  resource('ProjectService', 'run.googleapis.com'),
  resource('ProjectService', 'iam.googleapis.com'),
  resource('ServiceAccount', 'sa-backend', [], ['ProjectService/iam.googleapis.com']),
  resource('Secret', 'GEMINI_API_KEY'),
  resource(
    'CloudRunService',
    'sessionmuse-backend',
    [
      ['ServiceAccount', 'sa-backend'],
      ['Secret', 'GEMINI_API_KEY'],
    ],
    ['ProjectService/run.googleapis.com'],
  ),
  resource('CloudRunService', 'sessionmuse-frontend', [['CloudRunService', 'sessionmuse-backend']], ['ProjectService/run.googleapis.com']),
  resource('IAMPolicyMember', 'frontend-public', [['CloudRunService', 'sessionmuse-frontend']]),
];

/** The scenarios each renderer is checked on, by golden file name. */
export const PLANS: Record<string, () => Plan> = {
  create: () => plan([createSa]),
  update: () => plan([updateBackend, ...noops.slice(0, 1)]),
  delete: () => plan([deleteSa, deleteBucket]),
  noop: () => plan(noops),
  sensitive: () => plan([secretCreate, secretRotate]),
  'known-after-apply': () => plan([frontendCreate, frontendUpdateUnknown]),
  iam: () => plan([grantAdded, grantRemoved, grantRemovedById]),
  ingress: () => plan([ingressChange, bucketOpened]),
  escaping: () => plan([awkward]),
  lifecycle: () => ({
    ...plan(lifecycle),
    wouldPrune: [
      { kind: 'ServiceAccount', name: 'sa-legacy', id: `projects/${P}/serviceAccounts/sa-legacy@${P}.iam.gserviceaccount.com`, deletionPolicy: 'delete' },
    ],
  }),
  mixed: () =>
    plan([
      ...noops,
      createSa,
      action({ ...secretRotate, warnings: ['environment variable GEMINI_API_KEY is not set; the current value is left alone'] }),
      frontendCreate,
      grantAdded,
      updateBackend,
      deleteSa,
    ]),
};

/** Scenarios the text renderer shares with the markdown one. */
export const TEXT_PLANS = ['create', 'update', 'delete', 'noop', 'sensitive', 'known-after-apply'];
