// Conformance through the second family of Google's clients, the discovery-based @googleapis
// packages: every method of each discovery document is sent to the emulator (path variables filled
// with names of the shape the method takes); the methods the emulator claims are routed, and every
// other one answers 501 naming it as not emulated. The methods come from the clients themselves
// (emulator/discovery/extract.mjs builds methods.json from them; this test checks it is current).
// A few calls then go through the discovery clients proper.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudresourcemanager } from '@googleapis/cloudresourcemanager';
import { run } from '@googleapis/run';
import { secretmanager } from '@googleapis/secretmanager';
import { serviceusage } from '@googleapis/serviceusage';
import { storage } from '@googleapis/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { ROOT } from '../e2e/cli.js';
import { fixedTokenAuth } from './helpers.js';

interface Method {
  document: string;
  id: string;
  httpMethod: string;
  path: string;
}

const METHODS_FILE = join(ROOT, 'emulator/discovery/methods.json');
const methods: Method[] = JSON.parse(readFileSync(METHODS_FILE, 'utf8'));
const PROJECT = 'discovery-project';

/** What the emulator claims, per discovery document (README: `musectl emulator`). */
const CLAIMED: Record<string, string[]> = {
  'run:v2': [
    'run.projects.locations.jobs.create',
    'run.projects.locations.jobs.delete',
    'run.projects.locations.jobs.get',
    'run.projects.locations.jobs.getIamPolicy',
    'run.projects.locations.jobs.list',
    'run.projects.locations.jobs.patch',
    'run.projects.locations.jobs.run',
    'run.projects.locations.jobs.setIamPolicy',
    'run.projects.locations.jobs.testIamPermissions',
    'run.projects.locations.jobs.executions.delete',
    'run.projects.locations.jobs.executions.get',
    'run.projects.locations.jobs.executions.list',
    'run.projects.locations.operations.delete',
    'run.projects.locations.operations.get',
    'run.projects.locations.operations.list',
    'run.projects.locations.operations.wait',
    'run.projects.locations.services.create',
    'run.projects.locations.services.delete',
    'run.projects.locations.services.get',
    'run.projects.locations.services.getIamPolicy',
    'run.projects.locations.services.list',
    'run.projects.locations.services.patch',
    'run.projects.locations.services.setIamPolicy',
    'run.projects.locations.services.testIamPermissions',
    'run.projects.locations.services.revisions.get',
    'run.projects.locations.services.revisions.list',
  ],
  'run:v1': [
    // The Knative-style read surface gcloud run uses (run-v1.ts).
    'run.namespaces.services.get',
    'run.namespaces.services.list',
    'run.namespaces.revisions.get',
    'run.namespaces.revisions.list',
    'run.namespaces.jobs.get',
    'run.namespaces.jobs.list',
    'run.namespaces.executions.get',
    'run.namespaces.executions.list',
    'run.projects.locations.services.list',
    // The emulator serves one host: Artifact Registry's locations list answers this path too,
    'run.projects.locations.list',
    // and Artifact Registry's operation lookup this one.
    'run.projects.locations.operations.get',
  ],
  'storage:v1': [
    'storage.buckets.delete',
    'storage.buckets.get',
    'storage.buckets.getIamPolicy',
    'storage.buckets.getStorageLayout',
    'storage.buckets.insert',
    'storage.buckets.list',
    'storage.buckets.patch',
    'storage.buckets.setIamPolicy',
    'storage.buckets.testIamPermissions',
    'storage.buckets.update',
    'storage.managedfolders.list',
    'storage.objects.compose',
    'storage.objects.copy',
    'storage.objects.delete',
    'storage.objects.get',
    'storage.objects.insert',
    'storage.objects.list',
    'storage.objects.patch',
    'storage.objects.restore',
    'storage.objects.rewrite',
  ],
  'secretmanager:v1': [
    'secretmanager.projects.secrets.addVersion',
    'secretmanager.projects.secrets.create',
    'secretmanager.projects.secrets.delete',
    'secretmanager.projects.secrets.get',
    'secretmanager.projects.secrets.getIamPolicy',
    'secretmanager.projects.secrets.list',
    'secretmanager.projects.secrets.patch',
    'secretmanager.projects.secrets.setIamPolicy',
    'secretmanager.projects.secrets.testIamPermissions',
    'secretmanager.projects.secrets.versions.access',
    'secretmanager.projects.secrets.versions.destroy',
    'secretmanager.projects.secrets.versions.disable',
    'secretmanager.projects.secrets.versions.enable',
    'secretmanager.projects.secrets.versions.get',
    'secretmanager.projects.secrets.versions.list',
    // Served by Artifact Registry's locations list (one host).
    'secretmanager.projects.locations.list',
  ],
  // operations.get: Service Usage's operations route answers the same path (one host).
  'cloudresourcemanager:v1': [
    'cloudresourcemanager.operations.get',
    'cloudresourcemanager.projects.get',
    'cloudresourcemanager.projects.getIamPolicy',
    'cloudresourcemanager.projects.list',
    'cloudresourcemanager.projects.setIamPolicy',
  ],
  'cloudresourcemanager:v3': [
    'cloudresourcemanager.projects.get',
    'cloudresourcemanager.projects.getIamPolicy',
    'cloudresourcemanager.projects.search',
    'cloudresourcemanager.projects.setIamPolicy',
  ],
  'serviceusage:v1': [
    'serviceusage.operations.get',
    'serviceusage.services.batchEnable',
    'serviceusage.services.batchGet',
    'serviceusage.services.disable',
    'serviceusage.services.enable',
    'serviceusage.services.get',
    'serviceusage.services.list',
  ],
  'iam:v1': [
    'iam.projects.serviceaccounts.create',
    'iam.projects.serviceaccounts.delete',
    'iam.projects.serviceaccounts.disable',
    'iam.projects.serviceaccounts.enable',
    'iam.projects.serviceaccounts.get',
    'iam.projects.serviceaccounts.getIamPolicy',
    'iam.projects.serviceaccounts.list',
    'iam.projects.serviceaccounts.patch',
    'iam.projects.serviceaccounts.setIamPolicy',
    'iam.projects.serviceaccounts.undelete',
    'iam.projects.serviceaccounts.update',
    'iam.projects.serviceaccounts.keys.list',
  ],
};

/**
 * A resource name of the shape a method takes (AIP-122), for a {+var} path variable. Service Usage
 * names its top-level resources under a project the method id does not mention (projects/P/services/S).
 */
function nameFor(m: Method, variable: string): string {
  const parts = m.id.split('.').slice(1);
  parts.pop();
  // {+parent}/secrets names the secret's parent; {+parent}:addVersion names the secret itself.
  const continues = new RegExp(`\\{\\+${variable}\\}/`).test(m.path);
  const collections = continues ? parts.slice(0, -1) : parts;
  const value = (c: string) => (c === 'projects' ? PROJECT : c === 'locations' ? 'us-central1' : c === 'namespaces' ? PROJECT : `x-${c.toLowerCase()}`);
  const name = collections.map((c) => `${spelling(m.document, c)}/${value(c)}`).join('/');
  const underProject = m.document === 'serviceusage:v1' && collections[0] !== 'operations';
  return underProject ? [`projects/${PROJECT}`, name].filter(Boolean).join('/') : name;
}

/**
 * The clients lower-case some collections in method ids (serviceaccounts); the path templates of the
 * same document spell them (serviceAccounts), so take the spelling from there.
 */
function spelling(document: string, collection: string): string {
  const literal = methods
    .filter((m) => m.document === document)
    .flatMap((m) => m.path.replace(/\{[^}]+\}/g, '').split(/[/:]/))
    .find((segment) => segment.toLowerCase() === collection.toLowerCase());
  return literal ?? collection;
}

function pathFor(m: Method): string {
  return `/${m.path.replace(/\{(\+?)([^}]+)\}/g, (_, plus: string, name: string) => (plus ? nameFor(m, name) : name === 'project' ? PROJECT : `x-${name.toLowerCase()}`))}`;
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());

describe('discovery documents: every method routed or 501', () => {
  it('methods.json is what the installed @googleapis clients describe', () => {
    const before = readFileSync(METHODS_FILE, 'utf8');
    execFileSync(process.execPath, [join(ROOT, 'emulator/discovery/extract.mjs')], { cwd: ROOT });
    expect(readFileSync(METHODS_FILE, 'utf8')).toBe(before);
  });

  const documents = [...new Set(methods.map((m) => m.document))];
  for (const document of documents) {
    it(`${document}: the claimed methods are routed, every other answers 501 naming it`, async () => {
      const routed: string[] = [];
      const notEmulated: string[] = [];
      for (const m of methods.filter((x) => x.document === document)) {
        const hasBody = ['POST', 'PUT', 'PATCH'].includes(m.httpMethod);
        const res = await fetch(`${emu.url}${pathFor(m)}`, {
          method: m.httpMethod,
          headers: hasBody ? { 'content-type': 'application/json' } : {},
          body: hasBody ? '{}' : undefined,
        });
        const text = await res.text();
        if (res.status === 501) {
          expect(text, m.id).toContain(`Method ${m.id} (`);
          expect(text).toContain('is not emulated.');
          notEmulated.push(m.id);
        } else {
          expect(text, `${m.id} fell through the router`).not.toContain('was not found on this server');
          routed.push(m.id);
        }
      }
      expect(routed.sort()).toEqual([...(CLAIMED[document] ?? [])].sort());
      // The figure for the note: routed vs not emulated.
      process.stdout.write(`${document}: ${routed.length} routed, ${notEmulated.length} answer 501\n`);
    });
  }
});

describe('the discovery-based clients against the emulator', () => {
  it('run v2, storage, secretmanager, cloudresourcemanager and serviceusage calls succeed', async () => {
    const auth = fixedTokenAuth() as any;
    const rootUrl = `${emu.url}/`;
    const runV2 = run({ version: 'v2', rootUrl, auth });
    const created = await runV2.projects.locations.services.create({
      parent: `projects/${PROJECT}/locations/us-central1`,
      serviceId: 'discovery-web',
      requestBody: { template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/hello' }] } },
    });
    expect(created.data.done).toBe(true);
    const listed = await runV2.projects.locations.services.list({ parent: `projects/${PROJECT}/locations/us-central1` });
    expect(listed.data.services?.map((s) => s.name)).toEqual([`projects/${PROJECT}/locations/us-central1/services/discovery-web`]);

    const gcs = storage({ version: 'v1', rootUrl, auth });
    await gcs.buckets.insert({ project: PROJECT, requestBody: { name: 'discovery-bucket' } });
    expect((await gcs.buckets.get({ bucket: 'discovery-bucket' })).data.location).toBe('US');

    const sm = secretmanager({ version: 'v1', rootUrl, auth });
    await sm.projects.secrets.create({ parent: `projects/${PROJECT}`, secretId: 'discovery-secret', requestBody: { replication: { automatic: {} } } });
    expect((await sm.projects.secrets.list({ parent: `projects/${PROJECT}` })).data.totalSize).toBe(1);

    const crm = cloudresourcemanager({ version: 'v3', rootUrl, auth });
    expect((await crm.projects.get({ name: `projects/${PROJECT}` })).data.projectId).toBe(PROJECT);
    const su = serviceusage({ version: 'v1', rootUrl, auth });
    const services = await su.services.list({ parent: `projects/${PROJECT}`, filter: 'state:ENABLED' });
    expect(services.data.services?.map((s) => s.config?.name)).toContain('storage.googleapis.com');

    // The Knative-style v1 surface, from the same state: every region without a regional Host header.
    const runV1 = run({ version: 'v1', rootUrl, auth });
    const v1 = await runV1.namespaces.services.list({ parent: `namespaces/${PROJECT}` });
    expect(v1.data.items?.map((i) => [i.metadata?.name, i.metadata?.labels?.['cloud.googleapis.com/location'], i.status?.conditions?.[0]?.status])).toEqual([
      ['discovery-web', 'us-central1', 'True'],
    ]);
    const revisions = await runV1.namespaces.revisions.list({ parent: `namespaces/${PROJECT}`, labelSelector: 'serving.knative.dev/service=discovery-web' });
    expect(revisions.data.items?.[0]?.metadata?.name).toMatch(/^discovery-web-00001-[a-z0-9]{3}$/);
    const missing = await runV1.namespaces.services.get({ name: `namespaces/${PROJECT}/services/nope` }).catch((e) => e);
    expect(missing.code ?? missing.status).toBe(404);

    // A method the emulator does not serve, through the client: 501 naming it.
    const err = await runV2.projects.locations.workerPools.list({ parent: `projects/${PROJECT}/locations/us-central1` }).catch((e) => e);
    expect(err.code ?? err.status).toBe(501);
    expect(err.message).toContain('run.projects.locations.workerpools.list');
  });
});
