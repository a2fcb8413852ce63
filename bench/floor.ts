// The floor under a no-op plan: the same reads (bench/ideal.ts lists them), sent with the official
// clients alone, made as musectl makes them (src/gcp/clients.ts: the same libraries, bundle, code
// cache and transport) and with nothing of musectl around them: no manifests, no state, no retry
// or rate limiting, no diff. What this costs, musectl cannot save; what a plan costs above it is
// musectl's own. All reads go at once, as musectl sends them; a list follows its pages.
// Run by run.ts as a child process: node dist/bench/floor.js READS.json PROJECT EMULATOR_URL RUNS
// Prints one JSON line per run: {"ms": the run's wall, "calls": calls sent}; the first run includes
// loading the libraries and making the clients, as a command's plan does. V8 runs under the flags
// the bin sets (src/v8-flags.ts): a command's for one run, the watcher's for several.
import { readFileSync } from 'node:fs';
import { ClientFactory } from '../src/gcp/clients.js';
import { head } from '../src/gcp/http-head.js';
import { MANIFEST_ACCEPT, parseArtifactRegistryImage } from '../src/gcp/registry.js';
import { applyStartFlags } from '../src/v8-flags.js';
import type { PlanRead } from './ideal.js';

const [readsFile, project, url, runs = '1'] = process.argv.slice(2);
// Before the libraries' bundle is compiled (on the first client made), as bin/musectl.js does
// before it loads the CLI. (Its code cache is its own, the key naming the main script: warm from
// its first run on, as the CLI's is.)
applyStartFlags(Number(runs) === 1 ? ['plan'] : ['watch'], process.execArgv);
const reads = JSON.parse(readFileSync(readsFile, 'utf8')) as PlanRead[];
const emulator = new URL(url);
const clients = new ClientFactory({ kind: 'emulator', project, url: emulator });
let calls = 0;

/** gax's answer with autoPaginate off: [items, the next request (or null), the raw response]. */
type GaxPage = [unknown, { pageToken?: string } | null | undefined, unknown];

async function pages(next: (pageToken?: string) => Promise<string | undefined>): Promise<void> {
  let token: string | undefined;
  do {
    calls++;
    token = await next(token);
  } while (token);
}

const gaxToken = (answer: unknown): string | undefined => (answer as GaxPage)[1]?.pageToken || undefined;

function list(kind: string, parent: string, pageSize: number): Promise<void> {
  const page = { parent, pageSize };
  const opts = { autoPaginate: false };
  switch (kind) {
    case 'ProjectService':
      return pages(async (pageToken) => gaxToken(await clients.serviceUsage().listServices({ ...page, filter: 'state:ENABLED', pageToken }, opts)));
    case 'ArtifactRegistryRepository':
      return pages(async (pageToken) => gaxToken(await clients.artifactRegistry().listRepositories({ ...page, pageToken }, opts)));
    case 'Secret':
      return pages(async (pageToken) => gaxToken(await clients.secretManager().listSecrets({ ...page, pageToken }, opts)));
    case 'CloudRunService':
      return pages(async (pageToken) => gaxToken(await clients.runServices().listServices({ ...page, pageToken }, opts)));
    case 'CloudRunJob':
      return pages(async (pageToken) => gaxToken(await clients.runJobs().listJobs({ ...page, pageToken }, opts)));
    case 'CloudSchedulerJob':
      return pages(async (pageToken) => gaxToken(await clients.cloudScheduler().listJobs({ ...page, pageToken }, opts)));
    case 'ServiceAccount':
      return pages(async (pageToken) => {
        const res = await clients.iam().projects.serviceAccounts.list({ name: parent, pageSize, ...(pageToken ? { pageToken } : {}) });
        return res.data.nextPageToken ?? undefined;
      });
    case 'Bucket':
      return pages(async (pageToken) => {
        const [, next] = await clients.storage().getBuckets({ autoPaginate: false, maxResults: pageSize, ...(pageToken ? { pageToken } : {}) });
        return (next as { pageToken?: string } | null)?.pageToken;
      });
    default:
      throw new Error(`bench floor: no list for kind ${kind}`);
  }
}

function policy(kind: string, resource: string): Promise<unknown> {
  calls++;
  const v3 = { resource, options: { requestedPolicyVersion: 3 } };
  switch (kind) {
    case 'Project':
      return clients.projects().getIamPolicy(v3);
    case 'Secret':
      return clients.secretManager().getIamPolicy(v3);
    case 'CloudRunService':
      return clients.runServices().getIamPolicy(v3);
    case 'CloudRunJob':
      return clients.runJobs().getIamPolicy(v3);
    case 'ArtifactRegistryRepository':
      return clients.artifactRegistry().getIamPolicy(v3);
    case 'ServiceAccount':
      return clients.iam().projects.serviceAccounts.getIamPolicy({ resource, 'options.requestedPolicyVersion': 3 });
    case 'Bucket':
      return clients.storage().bucket(resource).iam.getPolicy({ requestedPolicyVersion: 3 });
    default:
      throw new Error(`bench floor: no IAM policy read for kind ${kind}`);
  }
}

/** The registry's HEAD of an image's tag, as musectl sends it (src/gcp/registry.ts); the emulator serves the registry's /v2 API too. */
async function imageDigest(image: string): Promise<void> {
  const ref = parseArtifactRegistryImage(image);
  if (!ref) throw new Error(`bench floor: ${image} is not an Artifact Registry image`);
  calls++;
  const res = await head(`${emulator.origin}/v2/${ref.path}/manifests/${ref.tag}`, { accept: MANIFEST_ACCEPT });
  // A floor whose read was refused made a cheaper call than the plan: no floor.
  if (res.status < 200 || res.status > 299) throw new Error(`bench floor: HEAD of ${image} answered ${res.status}`);
}

function send(read: PlanRead): Promise<unknown> {
  switch (read.type) {
    case 'list':
      return list(read.kind, read.scope, read.pageSize);
    case 'policy':
      return policy(read.kind, read.id);
    case 'secretValue':
      calls++;
      return clients.secretManager().accessSecretVersion({ name: `${read.id}/versions/latest` });
    case 'projectLookup':
      calls++;
      return clients.projects().getProject({ name: `projects/${project}` });
    case 'imageDigest':
      return imageDigest(read.image);
  }
}

for (let i = 0; i < Number(runs); i++) {
  const t0 = performance.now();
  calls = 0;
  await Promise.all(reads.map(send));
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, calls })}\n`);
}
await clients.close();
