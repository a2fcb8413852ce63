// Ownership, prune, deletion policy, adopt, replacement, the stack lock and export, end to end:
// the CLI as a process against the emulator, the official clients to stage and check.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { runCli, startCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const REGION = 'asia-northeast1';
const svcPath = (name: string) => `/v2/projects/${PROJECT}/locations/${REGION}/services/${name}`;

async function json(s: Stage, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A Cloud Run service made outside musectl, with the given labels. */
async function foreignService(s: Stage, name: string, labels: Record<string, string>): Promise<void> {
  const r = await json(s, 'POST', `/v2/projects/${PROJECT}/locations/${REGION}/services?serviceId=${name}`, {
    labels,
    template: { containers: [{ image: 'example/foreign:1' }] },
  });
  expect(r.status).toBe(200);
}

const inventory = (s: Stage): { entries: Array<{ kind: string; name: string }> } => {
  const raw = JSON.parse(readFileSync(join(s.dir, '.state', `${PROJECT}.own.inventory.json`), 'utf8'));
  return JSON.parse(Buffer.from(raw.data, 'base64').toString());
};

describe('prune, deletion policy, adopt and replacement', () => {
  let s: Stage;
  let storage: Storage;
  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/ownership');
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    await foreignService(s, 'svc-other', { 'managed-by': 'musectl', 'musectl-stack': 'other' });
    await foreignService(s, 'svc-plain', {});
    await storage.bucket(`own-data-${PROJECT}`).file('track.wav').save('RIFF....', { resumable: false });
  });
  afterAll(async () => s.close());

  it('lists what left the manifests as "would prune" and leaves it without --prune', async () => {
    rmSync(join(s.dir, 'gone.yaml'));
    const r = await s.cli(['plan', '-f', s.dir, '-o', 'json', '--detailed-exitcode']);
    expect(r.code).toBe(2); // something would be pruned: a change a reviewer must see
    const plan = JSON.parse(r.stdout);
    // own-data holds an object: a prune keeps it, so it is not listed as "would prune" but warned about.
    expect(plan.wouldPrune.map((o: any) => `${o.kind}/${o.name}:${o.deletionPolicy}`).sort()).toEqual([
      `Bucket/own-logs-${PROJECT}:abandon`,
      'CloudRunService/svc-gone:delete',
      'ServiceAccount/sa-gone-x:delete',
    ]);
    const text = await s.cli(['plan', '-f', s.dir]);
    expect(text.stdout).toContain('Would prune (no longer in the manifests; run with --prune to delete or abandon them):');
    expect(text.stdout).toContain(`warning: Bucket/own-data-${PROJECT}: would be pruned, but it holds 1 object: it stays`);
    expect((await json(s, 'GET', svcPath('svc-gone'))).status).toBe(200);
  });

  it('prunes with --prune: deletes in reverse order, keeps a bucket with objects, abandons by policy, never touches others', async () => {
    const plan = await s.cli(['plan', '-f', s.dir, '--prune']);
    expect(plan.stdout).toContain('- CloudRunService/svc-gone');
    expect(plan.stdout).toContain('- ServiceAccount/sa-gone-x');
    expect(plan.stdout).toContain(`! Bucket/own-logs-${PROJECT}`);
    expect(plan.stdout).toMatch(new RegExp(`warning: Bucket/own-data-${PROJECT}: would be pruned, but it holds 1 object: it stays`));
    const r = await s.cli(['apply', '-f', s.dir, '--prune', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect((await json(s, 'GET', svcPath('svc-gone'))).status).toBe(404);
    expect((await json(s, 'GET', `/v1/projects/${PROJECT}/serviceAccounts/sa-gone-x@${PROJECT}.iam.gserviceaccount.com`)).status).toBe(404);
    // The service went before the account it ran as.
    const log = await s.requests();
    const deleteSvc = log.find((e) => e.method === 'DELETE' && e.path === svcPath('svc-gone'))!;
    const deleteSa = log.find((e) => e.method === 'DELETE' && e.path.includes('sa-gone-x'))!;
    expect(deleteSa.start).toBeGreaterThanOrEqual(deleteSvc.end);
    // Kept: it holds data.
    const [data] = await storage.bucket(`own-data-${PROJECT}`).exists();
    expect(data).toBe(true);
    // Abandoned: still there, no longer labelled as ours, gone from the inventory.
    const [logs] = await storage.bucket(`own-logs-${PROJECT}`).getMetadata();
    expect(logs.labels?.['managed-by']).toBeUndefined();
    const names = inventory(s).entries.map((e) => `${e.kind}/${e.name}`);
    expect(names).not.toContain(`Bucket/own-logs-${PROJECT}`);
    expect(names).not.toContain('ServiceAccount/sa-gone-x');
    expect(names).toContain(`Bucket/own-data-${PROJECT}`);
    // Another stack's and an unlabelled service are untouched.
    expect((await json(s, 'GET', svcPath('svc-other'))).status).toBe(200);
    expect((await json(s, 'GET', svcPath('svc-plain'))).status).toBe(200);
    const again = await s.cli(['plan', '-f', s.dir, '--prune', '-o', 'json']);
    expect(JSON.parse(again.stdout).actions.filter((a: any) => a.action !== 'noop')).toEqual([]);
  });

  it('adopts an unowned resource only with --adopt, and never one of another stack', async () => {
    await storage.createBucket(`adopt-me-${PROJECT}`, { location: REGION } as any);
    s.edit(
      'keep.yaml',
      (t) => `${t}---\napiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: { name: "adopt-me-\${PROJECT_ID}" }\nspec:\n  location: asia-northeast1\n`,
    );
    const refused = await s.cli(['plan', '-f', s.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`> Bucket/adopt-me-${PROJECT}`);
    // Held back: only this resource waits for --adopt, the rest of the stack still applies.
    expect(refused.stderr).toContain(
      `Held back: Bucket/adopt-me-${PROJECT}: it exists in Google Cloud (adopt-me-${PROJECT}) but this stack did not create it; run with --adopt`,
    );
    const adopted = await s.cli(['apply', '-f', s.dir, '--yes', '--adopt']);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stderr).toContain('1 adopted');
    const [meta] = await storage.bucket(`adopt-me-${PROJECT}`).getMetadata();
    expect(meta.labels).toMatchObject({ 'managed-by': 'musectl', 'musectl-stack': 'own' });
    expect((await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'])).code).toBe(0);

    await storage.createBucket(`theirs-${PROJECT}`, { location: REGION, labels: { 'managed-by': 'musectl', 'musectl-stack': 'other' } } as any);
    s.edit(
      'keep.yaml',
      (t) => `${t}---\napiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: { name: "theirs-\${PROJECT_ID}" }\nspec:\n  location: asia-northeast1\n`,
    );
    const foreign = await s.cli(['apply', '-f', s.dir, '--yes', '--adopt']);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain(
      `Held back: Bucket/theirs-${PROJECT}: it belongs to stack "other" (label musectl-stack); a resource of another stack is never adopted`,
    );
    expect(foreign.stderr).toContain('left alone; the rest is applied');
    const [theirs] = await storage.bucket(`theirs-${PROJECT}`).getMetadata();
    expect(theirs.labels).toMatchObject({ 'musectl-stack': 'other' });
    s.edit('keep.yaml', (t) => t.slice(0, t.lastIndexOf('---\n')));
  });

  it('shows a bucket location change as a replacement and refuses it', async () => {
    s.edit('keep.yaml', (t) => t.replace(/(own-keep-\$\{PROJECT_ID\}" \}\nspec:\n {2}location: )asia-northeast1/, '$1US'));
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`-/+ Bucket/own-keep-${PROJECT}`);
    expect(r.stdout).toContain('    location: "ASIA-NORTHEAST1" -> "US"');
    expect(r.stdout).toContain(`    impact: location cannot change in place: Bucket/own-keep-${PROJECT} will be deleted and created again`);
    expect(r.stderr).toContain(
      `Error: Bucket/own-keep-${PROJECT}: replacing it is refused because its deletion policy is abandon; run with --allow-replace Bucket/own-keep-${PROJECT} to replace it anyway`,
    );
    const [meta] = await storage.bucket(`own-keep-${PROJECT}`).getMetadata();
    expect(meta.location).toBe('ASIA-NORTHEAST1');
    s.edit('keep.yaml', (t) => t.replace(/(own-keep-\$\{PROJECT_ID\}" \}\nspec:\n {2}location: )US/, '$1asia-northeast1'));
  });
});

describe('one apply per stack at a time', () => {
  it('a second apply fails naming the holder, a third waits for the lock and then finds nothing to do', async () => {
    const s = await stage({}, 'test/fixtures/ownership');
    const post = (path: string, body: unknown) => fetch(`${s.emu.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    try {
      expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
      s.edit('keep.yaml', (t) => t.replace('memory: 512Mi', 'memory: 1Gi'));
      // The first apply's rollout stays in progress until the test releases it (no sleeping on real time).
      await post('/_emulator/operations/hold', {});
      const target = ['--emulator', s.emu.url, '--project', PROJECT, '--state', join(s.dir, '.state')];
      const first = startCli(['apply', '-f', s.dir, '--yes', ...target]);
      await until('the first apply to be waiting on its operation', async () => {
        const { held } = (await (await fetch(`${s.emu.url}/_emulator/operations/held`)).json()) as { held: string[] };
        return held.length > 0;
      });
      const lease = join(s.dir, '.state', `${PROJECT}.own.lease.json`);
      expect(existsSync(lease)).toBe(true);
      const second = await s.cli(['apply', '-f', s.dir, '--yes']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /Error: stack own of project e2e-project is locked by musectl apply \(pid \d+ on .+\) since \d{4}-\d\d-\d\dT[\d:.]+Z \(lease expires .+\)/,
      );
      expect(second.stderr).toContain('--lock-timeout');
      const third = startCli(['apply', '-f', s.dir, '--yes', '--lock-timeout', '60s', ...target]);
      await until('the third apply to wait for the lock', () => third.stderr().includes("waiting for the stack's lock"));
      await post('/_emulator/operations/release', {});
      const [a, c] = await Promise.all([first.done, third.done]);
      expect(a.code, a.stderr).toBe(0);
      expect(a.stderr).toContain('1 updated');
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout).toContain('No changes.');
      expect(existsSync(lease)).toBe(false);
    } finally {
      await s.close();
    }
  });
});

describe('export', () => {
  it('writes manifests that plan as no changes for what the stack already owns', async () => {
    const s = await stage({}, 'test/fixtures/ownership');
    try {
      expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
      const out = join(s.dir, 'exported');
      const e = await runCli([
        'export',
        '--emulator',
        s.emu.url,
        '--project',
        PROJECT,
        '--kinds',
        'ServiceAccount,Bucket,CloudRunService',
        '--region',
        REGION,
        '-o',
        out,
      ]);
      expect(e.code, e.stderr).toBe(0);
      expect(e.stderr).toContain('exported 7 resources of 3 kinds (stack own)');
      const buckets = readFileSync(join(out, 'Bucket.yaml'), 'utf8');
      expect(buckets).toContain('location: ASIA-NORTHEAST1');
      expect(buckets).not.toContain('storageClass'); // the default is left out
      expect(readFileSync(join(out, 'CloudRunService.yaml'), 'utf8')).toContain('serviceAccountRef:');
      expect((await runCli(['validate', '-f', out])).code).toBe(0);
      const plan = await s.cli(['plan', '-f', out, '--detailed-exitcode']);
      expect(plan.stdout, plan.stdout + plan.stderr).toContain('No changes.');
      expect(plan.code).toBe(0);
    } finally {
      await s.close();
    }
  });
});
