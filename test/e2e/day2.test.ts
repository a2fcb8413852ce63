// Day 2: a person edits manifests that are already applied (a grant's member, a service's region,
// a bucket that must be replaced, a name from a variable, labels removed by hand, a plan from
// another directory) and musectl must neither keep what it replaced nor delete what it did not
// create. The CLI as a process against the emulator; Google's side read through the official clients.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaxOptions } from '../emulator/helpers.js';
import { until } from '../support/until.js';
import { ROOT, runCli, startCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const TRACKS = `day2-tracks-${PROJECT}`;
const parent = (region: string) => `projects/${PROJECT}/locations/${region}`;

describe('day 2 edits of an applied stack', () => {
  let s: Stage;
  let storage: Storage;
  let run: InstanceType<typeof v2.ServicesClient>;

  const apply = async (...extra: string[]) => {
    const r = await s.cli(['apply', '-f', s.dir, '--yes', ...extra]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  const planJson = async (...extra: string[]) => JSON.parse((await s.cli(['plan', '-f', s.dir, '-o', 'json', ...extra])).stdout);
  const changed = (plan: any) => plan.actions.filter((a: any) => a.action !== 'noop').map((a: any) => `${a.action} ${a.kind}/${a.name}`);
  const invokers = async (service: string) => {
    const [policy] = await run.getIamPolicy({ resource: service });
    return (policy.bindings ?? []).filter((b) => b.role === 'roles/run.invoker').flatMap((b) => b.members ?? []);
  };
  const bucketMembers = async (role: string) => {
    const [policy] = await storage.bucket(TRACKS).iam.getPolicy({ requestedPolicyVersion: 3 });
    return (policy.bindings ?? []).filter((b) => b.role === role).flatMap((b) => b.members ?? []);
  };

  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/day2');
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    run = new v2.ServicesClient(gaxOptions(s.emu));
    await apply();
  });
  afterAll(async () => {
    await run.close();
    await s.close();
  });

  it('a changed grant member replaces the old binding, without --prune, and the next plan is empty', async () => {
    const service = `${parent('asia-northeast1')}/services/svc-day2`;
    expect(await invokers(service)).toEqual(['allUsers']);
    s.edit('grants.yaml', (t) => t.replace('member: allUsers', 'member: allAuthenticatedUsers'));
    const plan = await s.cli(['plan', '-f', s.dir]);
    expect(plan.stdout).toContain('-/+ IAMPolicyMember/svc-public');
    expect(plan.stdout).toContain('member: "allUsers" -> "allAuthenticatedUsers"');
    await apply();
    expect(await invokers(service)).toEqual(['allAuthenticatedUsers']);
    expect(changed(await planJson())).toEqual([]);
  });

  it('a changed grant role replaces the old binding too', async () => {
    const member = `serviceAccount:sa-day2@${PROJECT}.iam.gserviceaccount.com`;
    expect(await bucketMembers('roles/storage.objectViewer')).toEqual([member]);
    s.edit('grants.yaml', (t) => t.replace('roles/storage.objectViewer', 'roles/storage.objectAdmin'));
    await apply();
    expect(await bucketMembers('roles/storage.objectViewer')).toEqual([]);
    expect(await bucketMembers('roles/storage.objectAdmin')).toEqual([member]);
    expect(changed(await planJson())).toEqual([]);
  });

  it('a service moved to another region is created there, then the old one is deleted; its grant follows', async () => {
    s.edit('app.yaml', (t) => t.replace('location: ${REGION}', 'location: us-central1'));
    const plan = await planJson();
    const move = plan.actions.find((a: any) => a.kind === 'CloudRunService');
    expect(move.action).toBe('replace');
    // biome-ignore lint/suspicious/noThenProperty: `then` is the plan's JSON field (replaces.then), not a thenable
    expect(move.replaces).toEqual({ id: `${parent('asia-northeast1')}/services/svc-day2`, then: 'delete' });
    expect(changed(plan)).toContain('replace IAMPolicyMember/svc-public');
    const r = await apply();
    expect(r.stderr).toContain('2 replaced'); // the service, and the grant that lives in its policy
    const [east] = await run.listServices({ parent: parent('asia-northeast1') });
    const [central] = await run.listServices({ parent: parent('us-central1') });
    expect(east.map((x) => x.name)).toEqual([]);
    expect(central.map((x) => x.name)).toEqual([`${parent('us-central1')}/services/svc-day2`]);
    expect(await invokers(`${parent('us-central1')}/services/svc-day2`)).toEqual(['allAuthenticatedUsers']);
    expect(changed(await planJson())).toEqual([]);
  });

  it('a replaced bucket gets its grants back in the same apply, and the plan says so', async () => {
    s.edit('app.yaml', (t) => t.replace(/(day2-tracks-\$\{PROJECT_ID\}" \}\nspec:\n {2}location: )asia-northeast1/, '$1US'));
    const plan = await s.cli(['plan', '-f', s.dir, '--allow-replace', `Bucket/${TRACKS}`]);
    expect(plan.stdout).toContain(`-/+ Bucket/${TRACKS}`);
    expect(plan.stdout).toContain('re-applied after it: IAMPolicyMember/tracks-reader');
    expect(plan.stdout).toContain('+ IAMPolicyMember/tracks-reader');
    await apply('--allow-replace', `Bucket/${TRACKS}`);
    const [meta] = await storage.bucket(TRACKS).getMetadata();
    expect(meta.location).toBe('US');
    expect(await bucketMembers('roles/storage.objectAdmin')).toEqual([`serviceAccount:sa-day2@${PROJECT}.iam.gserviceaccount.com`]);
    expect(changed(await planJson())).toEqual([]);
  });

  it('labels removed by hand are drift, restored with the rest of the drift, not a refusal of the stack', async () => {
    await storage.bucket(TRACKS).setMetadata({ labels: { 'managed-by': null, 'musectl-stack': null } } as any);
    s.edit('app.yaml', (t) => t.replace('value: "one"', 'value: "two"'));
    const plan = await s.cli(['plan', '-f', s.dir]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`~ Bucket/${TRACKS}`);
    expect(plan.stdout).toContain('labels.musectl-stack: (none) -> "day2"');
    expect(plan.stdout).toContain('~ CloudRunService/svc-day2');
    await apply();
    const [meta] = await storage.bucket(TRACKS).getMetadata();
    expect(meta.labels).toMatchObject({ 'managed-by': 'musectl', 'musectl-stack': 'day2' });
    expect(changed(await planJson())).toEqual([]);
  });

  it('inserting one env var in the middle of a list is one change, named by its key', async () => {
    s.edit('app.yaml', (t) =>
      t.replace('env: [{ name: MODE, value: "two" }]', 'env: [{ name: A, value: "1" }, { name: B, value: "2" }, { name: MODE, value: "two" }]'),
    );
    await apply();
    s.edit('app.yaml', (t) => t.replace('{ name: A, value: "1" }, ', '{ name: A, value: "1" }, { name: NEW_VAR, value: "x" }, '));
    const plan = await planJson();
    const svc = plan.actions.find((a: any) => a.kind === 'CloudRunService');
    expect(svc.changes.map((c: any) => c.path)).toEqual(['template.containers[0].env[NEW_VAR]']);
    s.edit('app.yaml', (t) => t.replace('{ name: B, value: "2" }', '{ name: B, value: "3" }'));
    const text = await s.cli(['plan', '-f', s.dir]);
    expect(text.stdout).toContain('template.containers[0].env[B].value: "2" -> "3"');
    await apply();
    expect(changed(await planJson())).toEqual([]);
  });

  it('an account given as an email instead of a reference converges', async () => {
    s.edit('app.yaml', (t) => t.replace('serviceAccountRef: { name: sa-day2 }', 'serviceAccount: sa-day2@${PROJECT_ID}.iam.gserviceaccount.com'));
    expect(changed(await planJson())).toEqual([]);
    s.edit('app.yaml', (t) => t.replace('serviceAccount: sa-day2@${PROJECT_ID}.iam.gserviceaccount.com', 'serviceAccountRef: { name: sa-day2 }'));
  });

  it('a field managed elsewhere (ignore-changes) is set on create and never reverted by apply', async () => {
    s.edit('app.yaml', (t) =>
      t.replace(
        'metadata: { name: svc-day2, labels: { app: day2 } }',
        'metadata:\n  name: svc-day2\n  labels: { app: day2 }\n  annotations:\n    musectl.dev/ignore-changes:\n      - template.containers[].image',
      ),
    );
    await apply();
    // CI deploys a new image by other means.
    const name = `${parent('us-central1')}/services/svc-day2`;
    const svc = (await (await fetch(`${s.emu.url}/v2/${name}`)).json()) as any;
    svc.template.containers[0].image = 'example/day2:2';
    expect(
      (await fetch(`${s.emu.url}/v2/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(svc) })).status,
    ).toBe(200);
    const plan = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode']);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain(
      'ignored: CloudRunService/svc-day2: template.containers[0].image: "example/day2:2" -> "example/day2:1" (musectl.dev/ignore-changes: kept as it is)',
    );
    // Another change to the same service keeps CI's image.
    s.edit('app.yaml', (t) => t.replace('{ name: MODE, value: "two" }', '{ name: MODE, value: "three" }'));
    await apply();
    const after = (await (await fetch(`${s.emu.url}/v2/${name}`)).json()) as any;
    expect(after.template.containers[0].image).toBe('example/day2:2');
    expect(after.template.containers[0].env.find((e: any) => e.name === 'MODE').value).toBe('three');
  });

  it('a name made from a variable that changes replaces the old resource in the same plan', async () => {
    s.edit('app.yaml', (t) => `${t}---\napiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata: { name: "sa-job-\${ENV}" }\n`);
    await apply();
    const plan = await planJson('--set', 'ENV=prod');
    const move = plan.actions.find((a: any) => a.kind === 'ServiceAccount' && a.name === 'sa-job-prod');
    expect(move.action).toBe('replace');
    expect(move.replaces.id).toBe(`projects/${PROJECT}/serviceAccounts/sa-job-dev@${PROJECT}.iam.gserviceaccount.com`);
    const r = await s.cli(['apply', '-f', s.dir, '--yes', '--set', 'ENV=prod']);
    expect(r.code, r.stderr).toBe(0);
    const accounts = (await (await fetch(`${s.emu.url}/v1/projects/${PROJECT}/serviceAccounts`)).json()) as any;
    const ids = (accounts.accounts ?? []).map((a: any) => a.email.split('@')[0]).sort();
    expect(ids).toContain('sa-job-prod');
    expect(ids).not.toContain('sa-job-dev');
  });

  it('--detailed-exitcode exits 2 when something would be pruned, even without --prune', async () => {
    s.edit('app.yaml', (t) => t.slice(0, t.lastIndexOf('---\n')));
    const r = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode', '--set', 'ENV=prod']);
    expect(r.stdout).toContain('Would prune');
    expect(r.code).toBe(2);
  });

  it('refuses a prune that would remove (nearly) everything the stack owns, unless asked', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'musectl-empty-'));
    writeFileSync(join(empty, 'stack.yaml'), readFileSync(join(s.dir, 'stack.yaml')));
    const r = await s.cli(['apply', '-f', empty, '--yes', '--prune', '--state', join(s.dir, '.state')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the prune would remove \d+ of the \d+ resources the stack owns \(the manifests name 0\)/);
    expect(r.stderr).toContain('--allow-prune-all');
    const [services] = await run.listServices({ parent: parent('us-central1') });
    expect(services).toHaveLength(1);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('stacks need names of their own', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/day2');
  });
  afterAll(async () => s.close());

  it("the default state is the stack's own: a plan from another directory finds it; a wrong --state names the likely cause", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'musectl-cwd-'));
    const target = ['--emulator', s.emu.url, '--project', PROJECT];
    // Apply once with the default state (beside stack.yaml), from the repository root...
    const first = await runCli(['apply', '-f', s.dir, '--yes', ...target]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`State: ${join(s.dir, '.musectl', 'state')}`);
    // ...then plan from somewhere else: the same state, nothing "not created by this stack".
    const other = await runCli(['plan', '-f', s.dir, '--detailed-exitcode', ...target], { cwd: elsewhere });
    expect(other.stderr).not.toContain('did not create');
    expect(other.code, other.stdout + other.stderr).toBe(0);
    const wrong = await runCli(['plan', '-f', s.dir, '--state', join(elsewhere, 'empty'), ...target]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Held back: Bucket/${TRACKS}: it carries this stack's labels, but the inventory at`);
    expect(wrong.stderr).toContain("is empty: is this the stack's state?");
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('refuses to write for a manifest set without a Stack document, and keeps --stack stacks apart', async () => {
    const dirs = ['a', 'b'].map((n) => {
      const dir = mkdtempSync(join(tmpdir(), `musectl-nostack-${n}-`));
      writeFileSync(
        join(dir, 'svc.yaml'),
        `apiVersion: musectl.dev/v1alpha1\nkind: CloudRunService\nmetadata: { name: svc-${n} }\nspec:\n  location: asia-northeast1\n  template:\n    containers: [{ image: example/${n}:1 }]\n`,
      );
      return dir;
    });
    const target = ['--emulator', s.emu.url, '--project', PROJECT];
    const refused = await runCli(['apply', '-f', dirs[0], '--yes', ...target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('these manifests have no stack name');
    expect(refused.stderr).toContain('--stack NAME');
    for (const [i, n] of ['a', 'b'].entries()) {
      const r = await runCli(['apply', '-f', dirs[i], '--yes', '--stack', `stack-${n}`, ...target]);
      expect(r.code, r.stderr).toBe(0);
    }
    // a's manifests lose their service: a's prune must not touch b's.
    writeFileSync(join(dirs[0], 'svc.yaml'), '');
    writeFileSync(join(dirs[0], 'sa.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata: { name: sa-stack-a }\n');
    const pruned = await runCli(['apply', '-f', dirs[0], '--yes', '--prune', '--stack', 'stack-a', ...target]);
    expect(pruned.code, pruned.stderr).toBe(0);
    const list = (await (await fetch(`${s.emu.url}/v2/${parent('asia-northeast1')}/services`)).json()) as any;
    const names = (list.services ?? []).map((x: any) => x.name.split('/').pop());
    expect(names).toContain('svc-b');
    expect(names).not.toContain('svc-a');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
});

describe('the CI example plans with the same ownership flags as it applies', () => {
  it('passes --prune to the pull-request plan exactly when the merge apply prunes', () => {
    const workflow = readFileSync(join(ROOT, 'examples/ci/github-actions.yaml'), 'utf8');
    const plan = /npx musectl plan [^\n]*\\\n[^\n]*/.exec(workflow)?.[0] ?? '';
    const apply = /npx musectl apply [^\n]*\\\n[^\n]*/.exec(workflow)?.[0] ?? '';
    for (const flag of ['--prune', '--adopt', '--allow-replace']) expect(`${flag}:${plan.includes(flag)}`).toBe(`${flag}:${apply.includes(flag)}`);
    expect(apply).toContain('--prune');
  });
});

describe("watch holds back only what it cannot prove is the stack's", () => {
  it('corrects the drift of the rest while a same-named bucket someone else made stays untouched', async () => {
    const s = await stage({}, 'test/fixtures/day2');
    try {
      expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
      const storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
      // Someone deletes the stack's bucket and makes another of the same name: not the stack's.
      await storage.bucket(TRACKS).delete();
      await storage.createBucket(TRACKS, { location: 'ASIA-NORTHEAST1' } as any);
      // And the service drifts.
      const name = `${parent('asia-northeast1')}/services/svc-day2`;
      const svc = (await (await fetch(`${s.emu.url}/v2/${name}`)).json()) as any;
      svc.template.containers[0].env = [{ name: 'MODE', value: 'drifted' }];
      const patched = await fetch(`${s.emu.url}/v2/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(svc) });
      expect(patched.status).toBe(200);
      const w = startCli([
        'watch',
        '-f',
        s.dir,
        '--emulator',
        s.emu.url,
        '--project',
        PROJECT,
        '--state',
        join(s.dir, '.state'),
        '--interval',
        '1s',
        '--log-format',
        'json',
      ]);
      try {
        await until('the service corrected', async () => {
          const now = (await (await fetch(`${s.emu.url}/v2/${name}`)).json()) as any;
          return now.template?.containers?.[0]?.env?.[0]?.value === 'one';
        });
      } finally {
        await w.stop('SIGTERM');
      }
      const [meta] = await storage.bucket(TRACKS).getMetadata();
      expect(meta.labels?.['musectl-stack']).toBeUndefined();
      const held = w
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((l) => l.outcome === 'held back');
      expect(held.map((l) => l.resource)).toContain(`Bucket/${TRACKS}`);
      expect(held[0].reason).toContain('not the one this stack created');
    } finally {
      await s.close();
    }
  });
});
