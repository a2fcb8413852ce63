// A generated stack of N resources, written as YAML files into a directory, for the benchmarks.
//
// The mix is what a real project of that size holds, shaped by Google's limits so that a create of
// N = 1000 finishes in a benchmark run:
//   - apps: a CloudRunService "api" (runs as a ServiceAccount, reads a Secret through secretKeyRef)
//     and a "web" service whose env takes the api's URL (outputRef), so chains are 5 deep:
//     ProjectService -> ServiceAccount -> api -> web -> IAMPolicyMember (allUsers on web);
//   - ServiceAccounts: about 9% of N, at most 90 (Google allows 100 per project);
//   - Secrets: about 20%, each with its value from a file and one accessor grant;
//   - Buckets: about 1%, at most 10 (Cloud Storage creates one bucket per 2 s per project, so
//     1000 buckets alone would take 33 minutes), each with an objectAdmin grant;
//   - Cloud Run services: about 4%, at most 40 (60 writes a minute per region: 40 creates and
//     40 policy writes already wait 20 s for the quota);
//   - ProjectServices (the APIs the kinds need) and an Artifact Registry repository;
//   - IAMPolicyMembers: the rest (invoker, public, accessor, objectAdmin, token creator on each
//     account itself, project-level roles).
// `revision: 1` rewrites the same stack with 10% of its resources changed (see `updateTargets`).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GeneratedStack {
  dir: string;
  n: number;
  stack: string;
  /** Resources per kind. */
  counts: Record<string, number>;
  /** Keys ("Kind/name") changed by revision 1. */
  updated: string[];
}

export const BENCH_REGION = 'asia-northeast1';

/** Roles granted on the project that no single resource could take (no lint warning). */
const PROJECT_ROLES = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/cloudtrace.agent',
  'roles/errorreporting.writer',
  'roles/aiplatform.user',
];

const APIS_SMALL = ['iam.googleapis.com', 'run.googleapis.com'];
const APIS_ALL = [
  'iam.googleapis.com',
  'run.googleapis.com',
  'secretmanager.googleapis.com',
  'storage.googleapis.com',
  'artifactregistry.googleapis.com',
  'iamcredentials.googleapis.com',
];

const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x));
const pad = (i: number): string => String(i).padStart(4, '0');

export interface Mix {
  apis: string[];
  repository: number;
  apps: number;
  accounts: number;
  buckets: number;
  secrets: number;
}

/** The mix at `n`; below 50 resources a smaller one, unless `allKinds` asks for every kind. */
export function mixFor(n: number, allKinds = false): Mix {
  const large = allKinds || n >= 50;
  const apps = clamp(Math.round(n * 0.02), 1, 20);
  return {
    apis: large ? APIS_ALL : APIS_SMALL,
    repository: large ? 1 : 0,
    apps,
    accounts: clamp(Math.round(n * 0.09), apps, 90),
    buckets: clamp(Math.round(n * 0.01), 1, 10),
    secrets: large ? Math.round(n * 0.2) : apps,
  };
}

interface Doc {
  key: string;
  file: string;
  yaml: string;
  /** A secret's value, written to its own file (never into a manifest). */
  value?: { file: string; content: string };
}

const sa = (i: number): string => `bench-sa-${pad(i)}`;
const secret = (i: number): string => `bench-secret-${pad(i)}`;
const bucket = (stack: string, i: number): string => `${stack}-b${pad(i)}-\${PROJECT_ID}`;
const api = (i: number): string => `api-${pad(i)}`;
const web = (i: number): string => `web-${pad(i)}`;

function header(kind: string, name: string, extra = ''): string {
  return `apiVersion: musectl.dev/v1alpha1\nkind: ${kind}\nmetadata:\n  name: "${name}"\n${extra}`;
}

function member(name: string, role: string, who: string, resourceRef: string): Doc {
  return {
    key: `IAMPolicyMember/${name}`,
    file: 'iam.yaml',
    yaml: `${header('IAMPolicyMember', name)}spec:\n  role: ${role}\n  ${who}\n  resourceRef: ${resourceRef}\n`,
  };
}

/** The resources of a stack of `n`, in a fixed order; `updated` marks the ones revision 1 changes. */
function documents(n: number, stack: string, valuesDir: string, updated: Set<string>, mix: Mix): Doc[] {
  const docs: Doc[] = [];
  const changed = (key: string): boolean => updated.has(key);

  for (const a of mix.apis) docs.push({ key: `ProjectService/${a}`, file: 'apis.yaml', yaml: header('ProjectService', a) });
  if (mix.repository) {
    docs.push({
      key: 'ArtifactRegistryRepository/bench',
      file: 'registry.yaml',
      yaml: `${header('ArtifactRegistryRepository', 'bench')}spec:\n  location: \${REGION}\n  format: DOCKER\n  description: images of the bench stack\n`,
    });
  }
  for (let i = 0; i < mix.accounts; i++) {
    const key = `ServiceAccount/${sa(i)}`;
    docs.push({
      key,
      file: 'accounts.yaml',
      yaml: `${header('ServiceAccount', sa(i))}spec:\n  displayName: bench account ${i}${changed(key) ? ' (renamed)' : ''}\n  description: runs app ${i}\n`,
    });
  }
  for (let i = 0; i < mix.secrets; i++) {
    const key = `Secret/${secret(i)}`;
    const file = join(valuesDir, `${secret(i)}.txt`);
    docs.push({
      key,
      file: 'secrets.yaml',
      yaml: `${header('Secret', secret(i), '  labels: { app: bench }\n')}spec:\n  replication: { automatic: {} }\n  valueFrom: { file: ${JSON.stringify(file)} }\n`,
      value: { file, content: `value-${i}-${changed(key) ? 'rotated' : 'initial'}` },
    });
  }
  for (let i = 0; i < mix.buckets; i++) {
    const name = bucket(stack, i);
    const key = `Bucket/${name}`;
    docs.push({
      key,
      file: 'buckets.yaml',
      yaml:
        `${header('Bucket', name, `  labels: { app: bench, content: ${changed(key) ? 'archive' : 'uploads'} }\n`)}spec:\n  location: \${REGION}\n` +
        '  lifecycle: { rule: [ { action: { type: Delete }, condition: { age: 7 } } ] }\n' +
        '  softDeletePolicy: { retentionDurationSeconds: 0 }\n' +
        '  iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: enforced }\n',
    });
  }
  // The stack's own repository where it has one (its images are pushed when it is created); else
  // Google's public sample image, which Cloud Run (and the emulator) always accepts.
  const image = (what: string): string =>
    mix.repository ? `\${REGION}-docker.pkg.dev/\${PROJECT_ID}/bench/${what}:latest` : 'us-docker.pkg.dev/cloudrun/container/hello';
  for (let i = 0; i < mix.apps; i++) {
    const account = sa(i % mix.accounts);
    const apiKey = `CloudRunService/${api(i)}`;
    docs.push({
      key: apiKey,
      file: 'services.yaml',
      yaml:
        `${header('CloudRunService', api(i), '  labels: { app: bench, tier: api }\n')}spec:\n  location: \${REGION}\n  template:\n    serviceAccountRef: { name: ${account} }\n` +
        '    scaling: { maxInstanceCount: 5 }\n    containers:\n' +
        `      - image: ${image('api')}\n        resources: { limits: { cpu: "1", memory: 512Mi } }\n        env:\n` +
        `          - { name: API_KEY, valueFrom: { secretKeyRef: { name: ${secret(i % mix.secrets)} } } }\n` +
        `          - { name: LOG_LEVEL, value: ${changed(apiKey) ? 'DEBUG' : 'INFO'} }\n`,
    });
    const webKey = `CloudRunService/${web(i)}`;
    docs.push({
      key: webKey,
      file: 'services.yaml',
      yaml:
        `${header('CloudRunService', web(i), '  labels: { app: bench, tier: web }\n')}spec:\n  location: \${REGION}\n  template:\n    serviceAccountRef: { name: ${account} }\n` +
        '    containers:\n' +
        `      - image: ${image('web')}\n        resources: { limits: { cpu: "1", memory: 512Mi } }\n        env:\n` +
        `          - { name: API_URL, valueFrom: { outputRef: { kind: CloudRunService, name: ${api(i)}, output: uri } } }\n` +
        `          - { name: THEME, value: ${changed(webKey) ? 'dark' : 'light'} }\n`,
    });
  }
  // Grants every app needs.
  for (let i = 0; i < mix.apps; i++) {
    docs.push(
      member(
        `${api(i)}-invoker`,
        'roles/run.invoker',
        `memberFrom: { serviceAccountRef: { name: ${sa(i % mix.accounts)} } }`,
        `{ kind: CloudRunService, name: ${api(i)} }`,
      ),
    );
  }
  for (let i = 0; i < mix.secrets; i++) {
    docs.push(
      member(
        `${secret(i).toLowerCase()}-accessor`,
        'roles/secretmanager.secretAccessor',
        `memberFrom: { serviceAccountRef: { name: ${sa(i % mix.accounts)} } }`,
        `{ kind: Secret, name: ${secret(i)} }`,
      ),
    );
  }
  for (let i = 0; i < mix.buckets; i++) {
    docs.push(
      member(
        `bucket-${pad(i)}-admin`,
        'roles/storage.objectAdmin',
        `memberFrom: { serviceAccountRef: { name: ${sa(i % mix.accounts)} } }`,
        `{ kind: Bucket, name: "${bucket(stack, i)}" }`,
      ),
    );
  }
  // The rest, up to n: web front ends made public, accounts that sign as themselves, project roles.
  const fill: Doc[] = [];
  for (let i = 0; i < mix.apps; i++)
    fill.push(member(`${web(i)}-public`, 'roles/run.invoker', 'member: allUsers', `{ kind: CloudRunService, name: ${web(i)} }`));
  for (let i = 0; i < mix.accounts; i++) {
    fill.push(
      member(
        `${sa(i)}-signs`,
        'roles/iam.serviceAccountTokenCreator',
        `memberFrom: { serviceAccountRef: { name: ${sa(i)} } }`,
        `{ kind: ServiceAccount, name: ${sa(i)} }`,
      ),
    );
  }
  for (const role of PROJECT_ROLES) {
    for (let i = 0; i < mix.accounts; i++) {
      fill.push(
        member(
          `${sa(i)}-${role.split('/')[1].replace(/\./g, '-').toLowerCase()}`,
          role,
          `memberFrom: { serviceAccountRef: { name: ${sa(i)} } }`,
          '{ kind: Project }',
        ),
      );
    }
  }
  const missing = n - docs.length;
  if (missing < 0 || missing > fill.length)
    throw new Error(`bench: cannot make a stack of ${n} resources with this mix (${docs.length} before the fill, ${fill.length} fill)`);
  docs.push(...fill.slice(0, missing));
  return docs;
}

/**
 * The resources revision 1 changes: 10% of n, spread over the kinds that can change in place
 * (Cloud Run env, Secret value, ServiceAccount display name, Bucket label) in proportion to their
 * numbers, Cloud Run first.
 */
export function updateTargets(n: number, stack: string, mix = mixFor(n)): string[] {
  const all = documents(n, stack, '', new Set(), mix).map((d) => d.key);
  const kinds = ['CloudRunService', 'Secret', 'ServiceAccount', 'Bucket'];
  const byKind = kinds.map((k) => all.filter((key) => key.startsWith(`${k}/`)));
  const pool = byKind.reduce((a, b) => a + b.length, 0);
  const want = Math.ceil(n / 10);
  const picked: string[] = [];
  // Largest remainder: each kind gets its share of `want`, rounded so the total is exact.
  const shares = byKind.map((keys) => (keys.length * want) / pool);
  const counts = shares.map(Math.floor);
  const order = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < want; k++) counts[order[k % order.length].i]++;
  byKind.forEach((keys, i) => {
    // Evenly spread over the kind's resources.
    const step = keys.length / Math.max(1, counts[i]);
    for (let j = 0; j < counts[i]; j++) picked.push(keys[Math.floor(j * step)]);
  });
  return picked;
}

/** Writes the stack (revision 0: as created; 1: with 10% changed) into `dir`, replacing what was there. */
export function generateStack(opts: { n: number; dir: string; revision?: 0 | 1; allKinds?: boolean; stack?: string }): GeneratedStack {
  const { n, dir } = opts;
  const stack = opts.stack ?? `bench-n${n}`;
  const mix = mixFor(n, opts.allKinds);
  const updated = opts.revision === 1 ? updateTargets(n, stack, mix) : [];
  rmSync(dir, { recursive: true, force: true });
  const valuesDir = join(dir, '.values'); // dot directories are not read as manifests
  mkdirSync(valuesDir, { recursive: true });
  const docs = documents(n, stack, valuesDir, new Set(updated), mix);
  const files = new Map<string, string[]>();
  for (const d of docs) {
    files.set(d.file, [...(files.get(d.file) ?? []), d.yaml]);
    if (d.value) writeFileSync(d.value.file, d.value.content);
  }
  writeFileSync(
    join(dir, 'stack.yaml'),
    `apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: ${stack}\nspec:\n  variables:\n    REGION: ${BENCH_REGION}\n`,
  );
  for (const [file, parts] of files) writeFileSync(join(dir, file), parts.join('---\n'));
  const counts: Record<string, number> = {};
  for (const d of docs) {
    const kind = d.key.split('/')[0];
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return { dir, n, stack, counts, updated };
}
