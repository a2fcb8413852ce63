// musectl destroy: SessionMUSE applied, then destroyed. Services, the job, accounts, grants and the
// repository go, in reverse dependency order; buckets, the secret and the APIs stay (abandoned:
// no ownership labels, no inventory entry); the inventory is left empty and a second destroy does
// nothing. A second stack: a bucket holding objects is kept unless force-destroy, and an API the
// stack enabled is disabled only with --disable-apis. The CLI as a process; Google's side read
// through the official clients (raw HTTP where a client hides what is checked).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease } from '../../src/state/lease.js';
import { LocalStateStore } from '../../src/state/local-store.js';
import { gaxOptions, rawJson } from '../emulator/helpers.js';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

const REGION = `projects/${PROJECT}/locations/asia-northeast1`;

/** The inventory file of a local state directory, decoded from its envelope. */
function inventoryAt(dir: string, stack: string): { entries: Array<{ kind: string; name: string; dependsOn: string[] }> } {
  const envelope = JSON.parse(readFileSync(join(dir, `${PROJECT}.${stack}.inventory.json`), 'utf8'));
  return JSON.parse(Buffer.from(envelope.data, 'base64').toString());
}

describe('musectl destroy of SessionMUSE', () => {
  let s: Stage;
  let storage: Storage;
  let before: ReturnType<typeof inventoryAt>;
  let destroyed: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    s = await stage();
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    const applied = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    before = inventoryAt(join(s.dir, '.state'), 'sessionmuse');
  });
  afterAll(() => s.close());

  it('asks for confirmation and, without a terminal or --yes, changes nothing', async () => {
    const stats = await s.stats();
    const r = await s.cli(['destroy', '-f', s.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('destroy needs confirmation and there is no terminal to ask on');
    expect(r.stdout).toContain('Plan: 0 to create, 0 to update, 29 to delete, 11 to abandon, 0 unchanged.');
    expect(writeCalls(callsBetween(stats, await s.stats()))).toEqual({});
  });

  it('refuses while another writer holds the stack lease', async () => {
    const lease = await Lease.acquire(
      new LocalStateStore(join(s.dir, '.state')),
      { project: PROJECT, stack: 'sessionmuse' },
      { waitMs: 0, what: 'musectl apply' },
    );
    try {
      const r = await s.cli(['destroy', '-f', s.dir, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/stack sessionmuse of project e2e-project is locked by musectl apply \(pid \d+/);
    } finally {
      await lease.release();
    }
  });

  it('deletes services, the job, accounts, grants and the repository in reverse dependency order, keeps buckets, the secret and the APIs', async () => {
    destroyed = await s.cli(['destroy', '-f', s.dir, '--yes']);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stderr).toContain('Destroy complete: 29 deleted, 11 left in place and no longer managed');
    expect(destroyed.stderr).toContain(
      `The inventory at ${join(s.dir, '.state', `${PROJECT}.sessionmuse.inventory.json`)} is now empty: stack sessionmuse owns nothing in project ${PROJECT}.`,
    );

    // Gone.
    const run = new v2.ServicesClient(gaxOptions(s.emu));
    const jobs = new v2.JobsClient(gaxOptions(s.emu));
    try {
      expect((await run.listServices({ parent: REGION }))[0]).toEqual([]);
      expect((await jobs.listJobs({ parent: REGION }))[0]).toEqual([]);
    } finally {
      await run.close();
      await jobs.close();
    }
    const accounts = await rawJson(s.emu, 'GET', `/v1/projects/${PROJECT}/serviceAccounts`);
    expect(accounts.body.accounts ?? []).toEqual([]);
    expect((await rawJson(s.emu, 'GET', `/v1/${REGION}/repositories/sessionmuse`)).status).toBe(404);
    const projectPolicy = await rawJson(s.emu, 'POST', `/v1/projects/${PROJECT}:getIamPolicy`, {});
    const members = (projectPolicy.body.bindings ?? []).flatMap((b: { members: string[] }) => b.members);
    expect(members.filter((m: string) => m.includes('sa-'))).toEqual([]);

    // Kept, and no longer marked as the stack's.
    for (const b of [`sessionmuse-uploads-${PROJECT}`, `sessionmuse-tracks-${PROJECT}`, `sessionmuse-musectl-${PROJECT}`]) {
      const [meta] = await storage.bucket(b).getMetadata();
      expect(meta.labels?.['musectl-stack'], b).toBeUndefined();
      expect(meta.labels?.app).toBe('sessionmuse');
      const [policy] = await storage.bucket(b).iam.getPolicy({ requestedPolicyVersion: 3 });
      expect(JSON.stringify(policy.bindings)).not.toContain('sa-backend');
    }
    const secret = await rawJson(s.emu, 'GET', `/v1/projects/${PROJECT}/secrets/GEMINI_API_KEY`);
    expect(secret.status).toBe(200);
    expect(secret.body.labels?.['musectl-stack']).toBeUndefined();
    const usage = new ServiceUsageClient(gaxOptions(s.emu));
    try {
      const [enabled] = await usage.listServices({ parent: `projects/${PROJECT}`, filter: 'state:ENABLED' });
      const names = enabled.map((x) => x.name!.split('/').pop());
      for (const api of ['run', 'iam', 'secretmanager', 'aiplatform', 'artifactregistry', 'iamcredentials']) expect(names).toContain(`${api}.googleapis.com`);
    } finally {
      await usage.close();
    }
  });

  it('removed each resource only after what depended on it, by the dependencies the inventory recorded', () => {
    const lines = destroyed.stderr.split('\n');
    const at = (key: string, verbs: string[]) => lines.findIndex((l) => verbs.some((v) => l === `  ${key}: ${v}` || l.startsWith(`  ${key}: ${v} `)));
    const owned = new Set(before.entries.map((e) => `${e.kind}/${e.name}`));
    let checked = 0;
    for (const e of before.entries) {
      const finished = at(`${e.kind}/${e.name}`, ['deleted', 'abandoned']);
      expect(finished, `${e.kind}/${e.name} finished`).toBeGreaterThan(-1);
      for (const dep of e.dependsOn.filter((d) => owned.has(d))) {
        // (a dependency the stack does not own, an API it did not enable, is not its to remove)
        const started = at(dep, ['deleting...', 'abandoning...']);
        expect(started, `${dep} started`).toBeGreaterThan(-1);
        expect(finished, `${e.kind}/${e.name} went before ${dep}`).toBeLessThan(started);
        checked++;
      }
    }
    expect(checked).toBe(before.entries.reduce((n, e) => n + e.dependsOn.filter((d) => owned.has(d)).length, 0));
    expect(checked).toBeGreaterThan(30);
    // The ones the issue names: grants before the accounts they name, services before their accounts.
    expect(at('IAMPolicyMember/backend-signs-urls', ['deleted'])).toBeLessThan(at('ServiceAccount/sa-backend', ['deleting...']));
    expect(at('CloudRunService/sessionmuse-backend', ['deleted'])).toBeLessThan(at('ServiceAccount/sa-backend', ['deleting...']));
    expect(at('CloudRunService/sessionmuse-frontend', ['deleted'])).toBeLessThan(at('CloudRunService/sessionmuse-backend', ['deleting...']));
  });

  it('a second destroy does nothing', async () => {
    const stats = await s.stats();
    const again = await s.cli(['destroy', '-f', s.dir, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Nothing to destroy: the inventory at');
    expect(again.stdout).toBe('');
    expect(writeCalls(callsBetween(stats, await s.stats()))).toEqual({});
  });
});

describe('musectl destroy: what holds data, and APIs', () => {
  let s: Stage;
  let storage: Storage;
  const KEPT = `kept-data-${PROJECT}`;
  const SCRATCH = `scratch-${PROJECT}`;
  const runApi = async (): Promise<string> => {
    const usage = new ServiceUsageClient(gaxOptions(s.emu));
    try {
      const [svc] = await usage.getService({ name: `projects/${PROJECT}/services/run.googleapis.com` });
      return String(svc.state);
    } finally {
      await usage.close();
    }
  };

  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/destroy');
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    await storage.bucket(KEPT).file('take-1.wav').save('audio');
    await storage.bucket(SCRATCH).file('tmp.bin').save('scratch');
  });
  afterAll(() => s.close());

  it('keeps a bucket that holds objects, deletes the force-destroy one with its objects; --disable-apis disables the API the stack enabled', async () => {
    // Without the flag the API would stay (SessionMUSE's destroy above): the plan shows the difference.
    const without = await s.cli(['destroy', '-f', s.dir]);
    expect(without.stdout).toContain('! ProjectService/run.googleapis.com');
    const r = await s.cli(['destroy', '-f', s.dir, '--yes', '--disable-apis']);
    expect(r.stdout).toContain(`Bucket/${KEPT}`);
    expect(r.stdout).toContain('but it holds 1 object: it stays');
    expect(r.stdout).toContain(`deletes Bucket/${SCRATCH} with the 1 object it holds (force-destroy)`);
    expect(r.stdout).toContain('- ProjectService/run.googleapis.com');
    expect((await storage.bucket(KEPT).exists())[0]).toBe(true);
    expect((await storage.bucket(SCRATCH).exists())[0]).toBe(false);
    expect(await runApi()).toBe('DISABLED');
    // What is left is still the stack's, and said so (exit 1: the stack is not gone).
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The inventory still lists 1 resource of stack destroy-kept: Bucket/${KEPT}.`);
  });

  it('once the bucket is empty, destroy removes it and the inventory is empty', async () => {
    await storage.bucket(KEPT).file('take-1.wav').delete();
    const r = await s.cli(['destroy', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect((await storage.bucket(KEPT).exists())[0]).toBe(false);
    expect(r.stderr).toContain('is now empty: stack destroy-kept owns nothing');
  });
});
