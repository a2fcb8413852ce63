// Google's own CLI against the emulator: the gcloud command groups the emulator serves, pointed at
// it with api_endpoint_overrides and a fixed access token (the README's recipe). gcloud never
// reaches Google here: every API it calls is overridden to loopback, prompts, usage reporting and
// update checks are off, and the metadata server is never probed. Skipped, saying so, where gcloud
// is not installed (CI machines may not have it).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { until } from '../support/until.js';

function findGcloud(): string | undefined {
  try {
    return execFileSync('which', ['gcloud'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const GCLOUD = findGcloud();
if (!GCLOUD) process.stdout.write('gcloud.test.ts: skipped, `which gcloud` finds no gcloud on this machine\n');

const PROJECT = 'gcloud-project';
let emu: RunningEmulator;
let env: NodeJS.ProcessEnv;
let work: string;

/** The environment the README gives: every API gcloud calls here overridden to the emulator. */
function gcloudEnv(url: string): NodeJS.ProcessEnv {
  const config = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
  return {
    PATH: process.env.PATH,
    HOME: config,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_PROJECT: PROJECT,
    CLOUDSDK_AUTH_ACCESS_TOKEN: 'emulator-token',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    METADATA_SERVER_DETECTION: 'none',
    CLOUDSDK_STORAGE_PREFERRED_API: 'json',
    CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${url}/storage/v1/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER: `${url}/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM: `${url}/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER: `${url}/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE: `${url}/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${url}/`,
    // gcloud run puts the region in the host (us-central1-run.googleapis.com): it reaches the
    // emulator as its HTTP proxy, which routes on the Host header of the absolute-form request.
    CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN: 'http://run.googleapis.com/',
    CLOUDSDK_PROXY_TYPE: 'http',
    CLOUDSDK_PROXY_ADDRESS: '127.0.0.1',
    CLOUDSDK_PROXY_PORT: String(new URL(url).port),
  };
}

function gcloud(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(GCLOUD!, [...args, '--quiet'], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[]): Promise<string> {
  const r = await gcloud(args);
  expect(r.code, `gcloud ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe.skipIf(!GCLOUD)('gcloud against the emulator', () => {
  beforeAll(async () => {
    emu = await startEmulator({ projects: [PROJECT] });
    env = gcloudEnv(emu.url);
    work = mkdtempSync(join(tmpdir(), 'gcloud-work-'));
  });
  afterAll(async () => emu?.close());

  it('gcloud storage: buckets create and list, cp (multipart and resumable), ls, cat, mv, rm -r', async () => {
    const small = join(work, 'hello.txt');
    const big = join(work, 'big.bin');
    writeFileSync(small, 'hello from gcloud\n');
    writeFileSync(big, Buffer.alloc(9 * 1024 * 1024, 1)); // over gcloud's 8 MiB resumable threshold
    await ok(['storage', 'buckets', 'create', 'gs://gcloud-test-bucket', '--location=us-central1']);
    expect(await ok(['storage', 'buckets', 'list', '--format=value(name)'])).toBe('gcloud-test-bucket\n');
    await ok(['storage', 'cp', small, 'gs://gcloud-test-bucket/hello.txt']);
    await ok(['storage', 'cp', big, 'gs://gcloud-test-bucket/big.bin']);
    const listing = await ok(['storage', 'ls', '-l', 'gs://gcloud-test-bucket']);
    expect(listing).toContain(`${9 * 1024 * 1024}`);
    expect(listing).toContain('gs://gcloud-test-bucket/hello.txt');
    expect(await ok(['storage', 'cat', 'gs://gcloud-test-bucket/hello.txt'])).toBe('hello from gcloud\n');
    await ok(['storage', 'mv', 'gs://gcloud-test-bucket/hello.txt', 'gs://gcloud-test-bucket/moved.txt']);
    expect(await ok(['storage', 'cat', 'gs://gcloud-test-bucket/moved.txt'])).toBe('hello from gcloud\n');
    await ok(['storage', 'rm', '-r', 'gs://gcloud-test-bucket']);
    expect(await rawStatus(`/storage/v1/b/gcloud-test-bucket`)).toBe(404);
  });

  it('gcloud secrets: create with a value, list, versions access', async () => {
    const value = join(work, 'secret.txt');
    writeFileSync(value, 'gcloud-canary-value');
    await ok(['secrets', 'create', 'gcloud-token', `--data-file=${value}`]);
    expect(await ok(['secrets', 'list', '--format=value(name)'])).toBe('gcloud-token\n');
    expect(await ok(['secrets', 'versions', 'access', 'latest', '--secret=gcloud-token'])).toBe('gcloud-canary-value');
  });

  it('gcloud iam service-accounts: create, list, update, keys list; gcloud projects: list, describe; gcloud services list', async () => {
    await ok(['iam', 'service-accounts', 'create', 'gcloud-runner']);
    const email = `gcloud-runner@${PROJECT}.iam.gserviceaccount.com`;
    expect(await ok(['iam', 'service-accounts', 'list', '--format=value(email)'])).toBe(`${email}\n`);
    expect(await ok(['iam', 'service-accounts', 'update', email, '--display-name=Runner', '--format=value(displayName)'])).toBe('Runner\n');
    expect(await ok(['iam', 'service-accounts', 'keys', 'list', `--iam-account=${email}`])).toBe('');
    expect(await ok(['projects', 'list', '--format=value(projectId)'])).toBe(`${PROJECT}\n`);
    expect(await ok(['projects', 'describe', PROJECT, '--format=value(lifecycleState)'])).toBe('ACTIVE\n');
    expect(await ok(['services', 'list', '--enabled', '--format=value(config.name)'])).toContain('storage.googleapis.com\n');
  });

  it('gcloud artifacts: repositories create, list with and without --location, docker images list', async () => {
    await ok(['artifacts', 'repositories', 'create', 'gcloud-repo', '--repository-format=docker', '--location=us-central1']);
    expect(await ok(['artifacts', 'repositories', 'list', '--format=value(name)'])).toContain('gcloud-repo');
    expect(await ok(['artifacts', 'repositories', 'list', '--location=us-central1', '--format=value(name)'])).toContain('gcloud-repo');
    await fetch(`${emu.url}/_emulator/images`, {
      method: 'POST',
      body: JSON.stringify({ images: [`us-central1-docker.pkg.dev/${PROJECT}/gcloud-repo/app:1`] }),
    });
    expect(await ok(['artifacts', 'docker', 'images', 'list', `us-central1-docker.pkg.dev/${PROJECT}/gcloud-repo`, '--format=value(package)'])).toContain(
      'app',
    );
  });

  it('gcloud run (the Knative-style v1 API on regional hosts, reached through the emulator as an HTTP proxy): services, revisions, jobs, executions', async () => {
    const image = 'us-docker.pkg.dev/cloudrun/container/hello';
    const post = (path: string, body: unknown) =>
      fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post(`/v2/projects/${PROJECT}/locations/us-central1/services?serviceId=web`, { template: { containers: [{ image }] } });
    await post(`/v2/projects/${PROJECT}/locations/europe-west1/services?serviceId=api`, { template: { containers: [{ image }] } });
    await post(`/v2/projects/${PROJECT}/locations/us-central1/jobs?jobId=batch`, { template: { template: { containers: [{ image }] } } });
    await post(`/v2/projects/${PROJECT}/locations/us-central1/jobs/batch:run`, {});
    const web = await (await fetch(`${emu.url}/v2/projects/${PROJECT}/locations/us-central1/services/web`)).json();

    expect(await ok(['run', 'services', 'list', '--region=us-central1', '--format=value(metadata.name)'])).toBe('web\n');
    expect(await ok(['run', 'services', 'list', '--format=value(metadata.name)'])).toBe('api\nweb\n');
    expect(await ok(['run', 'services', 'describe', 'web', '--region=us-central1', '--format=value(status.url)'])).toBe(`${(web as { uri: string }).uri}\n`);
    expect(await ok(['run', 'revisions', 'list', '--service=web', '--region=us-central1', '--format=value(metadata.name)'])).toMatch(
      /^web-00001-[a-z0-9]{3}\n$/,
    );
    // A second revision takes the traffic: gcloud's ACTIVE column (Knative's Active condition) moves to it.
    const updated = await fetch(`${emu.url}/v2/projects/${PROJECT}/locations/us-central1/services/web`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ template: { containers: [{ image, env: [{ name: 'V', value: '2' }] }] } }),
    });
    expect(updated.status).toBe(200);
    await until('the second revision to serve', async () => {
      const s = (await (await fetch(`${emu.url}/v2/projects/${PROJECT}/locations/us-central1/services/web`)).json()) as { latestReadyRevision?: string };
      return /web-00002-/.test(s.latestReadyRevision ?? '');
    });
    const table = await ok(['run', 'revisions', 'list', '--service=web', '--region=us-central1']);
    expect(table).toMatch(/^\S+\s+web-00002-[a-z0-9]{3}\s+yes\s/m);
    expect(table).toMatch(/^\S+\s+web-00001-[a-z0-9]{3}\s+(?!yes)/m);
    expect(await ok(['run', 'jobs', 'list', '--region=us-central1', '--format=value(metadata.name)'])).toBe('batch\n');
    expect(await ok(['run', 'jobs', 'executions', 'list', '--job=batch', '--region=us-central1', '--format=value(status.succeededCount)'])).toBe('1\n');
    const missing = await gcloud(['run', 'services', 'describe', 'nope', '--region=us-central1']);
    expect(missing.stderr).toContain('Cannot find service [nope]');
  });

  it('answers a typo of the project as Google does (403, which gcloud words as a permission problem)', async () => {
    const r = await gcloud(['secrets', 'list', '--project=gcloud-projet']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'does not have permission to access projects instance [gcloud-projet] (or it may not exist): Permission denied on resource project gcloud-projet.',
    );
  });
});

async function rawStatus(path: string): Promise<number> {
  return (await fetch(`${emu.url}${path}`)).status;
}
