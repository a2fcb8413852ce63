// Targeting and partial manifest sets: --target touches only a resource and what it needs,
// --exclude leaves a resource out with what depends on it, one file of a stack (-f backend.yaml)
// plans against the rest of the stack read live, and none of them prunes what it did not include.
// The CLI as a process against the emulator; what changed is read from the emulator's request log
// and through the official clients.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedImages } from '../../emulator/index.js';
import { artifactRegistryImages } from '../../src/cli/stack-images.js';
import { gaxOptions } from '../emulator/helpers.js';
import { runCli } from './cli.js';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

const REGION = (project: string) => `projects/${project}/locations/asia-northeast1`;
const BACKEND = `${REGION(PROJECT)}/services/sessionmuse-backend`;
const FRONTEND = `${REGION(PROJECT)}/services/sessionmuse-frontend`;
const TRACKS = `sessionmuse-tracks-${PROJECT}`;
/** A second project, empty until a targeted apply. */
const EMPTY = 'e2e-target-empty';

describe('--target and --exclude', () => {
  let s: Stage;
  let run: InstanceType<typeof v2.ServicesClient>;
  const changed = (plan: any) => plan.actions.filter((a: any) => a.action !== 'noop').map((a: any) => `${a.action} ${a.kind}/${a.name}`);
  const planJson = async (...extra: string[]) => {
    const r = await s.cli(['plan', '-f', s.dir, '-o', 'json', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    s = await stage({ projects: [PROJECT, EMPTY] });
    seedImages(s.emu.emulator, artifactRegistryImages([s.dir], { PROJECT_ID: EMPTY }));
    run = new v2.ServicesClient(gaxOptions(s.emu));
    expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    // Three edits; a targeted run must take only its own.
    s.edit('backend.yaml', (t) => t.replace('memory: 2Gi', 'memory: 4Gi'));
    s.edit('frontend.yaml', (t) => t.replace('maxInstanceCount: 1', 'maxInstanceCount: 2'));
    s.edit('buckets.yaml', (t) => t.replace('condition: { age: 1 }', 'condition: { age: 2 }'));
  });
  afterAll(async () => {
    await run.close();
    await s.close();
  });

  it('plan --target names only the target and what it needs, and what it skipped', async () => {
    const plan = await planJson('--target', 'CloudRunService/sessionmuse-backend');
    expect(changed(plan)).toEqual(['update CloudRunService/sessionmuse-backend']);
    expect(plan.actions.map((a: any) => `${a.kind}/${a.name}`).sort()).toEqual([
      'ArtifactRegistryRepository/sessionmuse', // its image is deployed from there
      'CloudRunService/sessionmuse-backend',
      'ProjectService/artifactregistry.googleapis.com',
      'ProjectService/iam.googleapis.com',
      'ProjectService/run.googleapis.com',
      'ServiceAccount/sa-backend',
    ]);
    expect(plan.partial.reason).toBe('--target CloudRunService/sessionmuse-backend');
    expect(plan.partial.skipped).toContain('CloudRunService/sessionmuse-frontend');
    expect(plan.partial.skipped).toContain(`Bucket/${TRACKS}`);
    expect(plan.partial.skipped).toHaveLength(35);
    const text = await s.cli(['plan', '-f', s.dir, '--target', 'CloudRunService/sessionmuse-backend']);
    expect(text.stdout).toContain(
      'warning: partial plan (--target CloudRunService/sessionmuse-backend): 35 resources of the stack left out; nothing outside the plan is changed or pruned, and the stack is not fully in sync until a plan of all its manifests shows no changes.',
    );
    expect(text.stdout).toMatch(/^ {2}skipped: .*CloudRunService\/sessionmuse-frontend/m);
    const md = await s.cli(['plan', '-f', s.dir, '--target', 'CloudRunService/sessionmuse-backend', '-o', 'markdown']);
    expect(md.stdout).toContain('**Partial plan** (--target CloudRunService/sessionmuse-backend): 35 resources of the stack left out');
  });

  it('apply --target CloudRunService/sessionmuse-backend writes only to the backend', async () => {
    const before = await s.stats();
    const r = await s.cli(['apply', '-f', s.dir, '--yes', '--target', 'CloudRunService/sessionmuse-backend']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Apply complete: 0 created, 1 updated, 0 deleted');
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({ 'PATCH /v2/projects/{project}/locations/{location}/services/{service}': 1 });
    const [backend] = await run.getService({ name: BACKEND });
    expect(backend.template?.containers?.[0].resources?.limits?.memory).toBe('4Gi');
    const [frontend] = await run.getService({ name: FRONTEND });
    expect(frontend.template?.scaling?.maxInstanceCount).toBe(1);
    // Not in sync until a full run: the other two edits are still there.
    expect(changed(await planJson()).sort()).toEqual([`update Bucket/sessionmuse-uploads-${PROJECT}`, 'update CloudRunService/sessionmuse-frontend']);
  });

  it('--exclude leaves a resource out with what depends on it', async () => {
    const plan = await planJson('--exclude', 'CloudRunService/sessionmuse-backend');
    expect(changed(plan)).toEqual([`update Bucket/sessionmuse-uploads-${PROJECT}`]);
    // The frontend reads the backend's URL: it goes out with it, and so do the backend's grants.
    for (const k of ['CloudRunService/sessionmuse-backend', 'CloudRunService/sessionmuse-frontend', 'IAMPolicyMember/frontend-invokes-backend'])
      expect(plan.partial.skipped).toContain(k);
    const refused = await s.cli(['plan', '-f', s.dir, '--target', 'CloudRunService/sessionmuse-frontend', '--exclude', 'CloudRunService/sessionmuse-backend']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '--target CloudRunService/sessionmuse-frontend is left out by --exclude CloudRunService/sessionmuse-backend: it depends on CloudRunService/sessionmuse-backend',
    );
    const typo = await s.cli(['plan', '-f', s.dir, '--target', 'CloudRunService/sessionmuse-bakend']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(
      '--target CloudRunService/sessionmuse-bakend: no such resource in the manifests or in the stack\'s inventory (did you mean "CloudRunService/sessionmuse-backend"?)',
    );
  });

  it('a --target or --exclude that names nothing is refused before any call to Google (plan, apply, destroy)', async () => {
    // SessionMUSE uses ${PROJECT_NUMBER}, read from Resource Manager: not before the flags are checked.
    for (const args of [
      ['plan', '--target', 'CloudRunService/sessionmuse-bakend'],
      ['plan', '--exclude', 'Bucket/nope'],
      ['apply', '--yes', '--target', 'Bucket/nope'],
      ['destroy', '--yes', '--target', 'Bucket/nope'],
    ]) {
      const before = await s.stats();
      const r = await s.cli([...args, '-f', s.dir]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/--(target|exclude) \S+: no such resource in the manifests or in the stack's inventory/);
      expect(callsBetween(before, await s.stats()), args.join(' ')).toEqual({});
    }
  });

  it('a saved targeted plan applies only its target', async () => {
    const file = join(s.dir, 'frontend-plan.json');
    expect((await s.cli(['plan', '-f', s.dir, '--target', 'CloudRunService/sessionmuse-frontend', '--out', file])).code).toBe(0);
    const before = await s.stats();
    const r = await s.cli(['apply', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({ 'PATCH /v2/projects/{project}/locations/{location}/services/{service}': 1 });
    expect(changed(await planJson())).toEqual([`update Bucket/sessionmuse-uploads-${PROJECT}`]);
  });

  it('never prunes what a targeted run did not include; a target that left the manifests is pruned alone', async () => {
    rmSync(join(s.dir, 'watcher.yaml'));
    // While a manifest still refers to the job (the scheduler's invoker grant), it is not an orphan.
    const first = await s.stats();
    const referenced = await s.cli(['apply', '-f', s.dir, '--yes', '--prune', '--target', 'CloudRunJob/musectl-watcher']);
    expect(referenced.code, referenced.stderr).toBe(0);
    expect(writeCalls(callsBetween(first, await s.stats()))).toEqual({});
    rmSync(join(s.dir, 'watcher-identity.yaml'));
    const targeted = await planJson('--prune', '--target', `Bucket/sessionmuse-uploads-${PROJECT}`);
    expect(targeted.wouldPrune).toEqual([]);
    expect(changed(targeted)).toEqual([`update Bucket/sessionmuse-uploads-${PROJECT}`]);
    const before = await s.stats();
    const pruned = await s.cli(['apply', '-f', s.dir, '--yes', '--prune', '--target', 'CloudRunJob/musectl-watcher']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({ 'DELETE /v2/projects/{project}/locations/{location}/jobs/{job}': 1 });
  });

  it('on an empty project, --target creates the backend and only what it needs', async () => {
    const other = EMPTY;
    const r = await runCli([
      'apply',
      '-f',
      s.dir,
      '--yes',
      '--target',
      'CloudRunService/sessionmuse-backend',
      '--emulator',
      s.emu.url,
      '--project',
      other,
      '--state',
      join(s.dir, '.state-empty'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Apply complete: 6 created, 0 updated, 0 deleted');
    const [services] = await run.listServices({ parent: REGION(other) });
    expect(services.map((x) => x.name?.split('/').pop())).toEqual(['sessionmuse-backend']);
    const accounts = (await (await fetch(`${s.emu.url}/v1/projects/${other}/serviceAccounts`)).json()) as { accounts?: Array<{ email: string }> };
    expect((accounts.accounts ?? []).map((a) => a.email)).toEqual([`sa-backend@${other}.iam.gserviceaccount.com`]);
    const buckets = (await (await fetch(`${s.emu.url}/storage/v1/b?project=${other}`)).json()) as { items?: unknown[] };
    expect(buckets.items ?? []).toEqual([]);
  });
});

describe('one file of a stack', () => {
  let s: Stage;
  let run: InstanceType<typeof v2.ServicesClient>;
  const one = (file: string, ...extra: string[]) => s.cli(['plan', '-f', join(s.dir, file), '-o', 'json', ...extra]);

  beforeAll(async () => {
    s = await stage();
    run = new v2.ServicesClient(gaxOptions(s.emu));
    expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
  });
  afterAll(async () => {
    await run.close();
    await s.close();
  });

  it('-f frontend.yaml plans with the backend it references read live, prunes nothing, and says it is partial', async () => {
    const r = await one('frontend.yaml', '--prune');
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.actions.map((a: any) => `${a.action} ${a.kind}/${a.name}`)).toEqual(['noop CloudRunService/sessionmuse-frontend']);
    expect(plan.wouldPrune).toEqual([]);
    expect(plan.partial.reason).toContain(
      'the manifests reference resources of the stack they do not include (ServiceAccount/sa-frontend, CloudRunService/sessionmuse-backend',
    );
    expect(plan.partial.reason).toContain(`-f names part of the stack (its Stack document was taken from ${join(s.dir, 'stack.yaml')})`);
  });

  it('-f backend.yaml applies a change to the backend alone; -f frontend.yaml reads the backend URL live', async () => {
    s.edit('backend.yaml', (t) => t.replace('memory: 2Gi', 'memory: 4Gi'));
    const before = await s.stats();
    const applied = await s.cli(['apply', '-f', join(s.dir, 'backend.yaml'), '--yes', '--prune']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({ 'PATCH /v2/projects/{project}/locations/{location}/services/{service}': 1 });
    const [backend] = await run.getService({ name: BACKEND });
    expect(backend.template?.containers?.[0].resources?.limits?.memory).toBe('4Gi');
    // The frontend's env takes the backend's URL: the backend is not in this set, so it is read live.
    s.edit('frontend.yaml', (t) => t.replace('maxInstanceCount: 1', 'maxInstanceCount: 2'));
    const front = await s.cli(['apply', '-f', join(s.dir, 'frontend.yaml'), '--yes', '--prune']);
    expect(front.code, front.stderr).toBe(0);
    expect(front.stdout).not.toContain('known after apply');
    const [frontend] = await run.getService({ name: FRONTEND });
    expect(frontend.template?.scaling?.maxInstanceCount).toBe(2);
    expect(frontend.template?.containers?.[0].env?.find((e) => e.name === 'INTERNAL_API_ENDPOINT')?.value).toBe(backend.uri);
  });

  it('-f iam.yaml plans the grants against the accounts, services and buckets of the stack', async () => {
    const r = await one('iam.yaml');
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.actions).toHaveLength(6);
    expect(plan.actions.every((a: any) => a.action === 'noop')).toBe(true);
  });

  it('a reference to something neither in the file nor in the stack is an error at the reference, before any call', async () => {
    const text = readFileSync(join(s.dir, 'backend.yaml'), 'utf8').replace('name: sa-backend', 'name: sa-bakend');
    writeFileSync(join(s.dir, 'backend-typo.yaml'), text);
    const before = await s.stats();
    const r = await s.cli(['plan', '-f', join(s.dir, 'backend-typo.yaml')]);
    expect(r.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('sa-bakend')) + 1;
    expect(r.stderr).toMatch(
      new RegExp(
        `backend-typo\\.yaml:${line}:\\d+: CloudRunService/sessionmuse-backend: spec\\.template\\.serviceAccountRef: refers to ServiceAccount "sa-bakend", which is neither in the manifests nor in the stack's inventory \\(.*\\) \\(did you mean "sa-backend"\\?\\)`,
      ),
    );
    expect((await s.stats()).total - before.total).toBe(0);
    rmSync(join(s.dir, 'backend-typo.yaml'));
  });

  it('a reference to a resource the inventory has only as pending says so, and suggests no name', async () => {
    const at = join(s.dir, '.state', `${PROJECT}.sessionmuse.inventory.json`);
    const saved = readFileSync(at, 'utf8');
    // The local store's envelope: {generation, data (base64)}.
    const envelope = JSON.parse(saved);
    const inventory = JSON.parse(Buffer.from(envelope.data, 'base64').toString());
    const entry = inventory.entries.find((e: any) => e.kind === 'ServiceAccount' && e.name === 'sa-backend');
    expect(entry).toBeDefined();
    entry.pending = true;
    writeFileSync(at, JSON.stringify({ ...envelope, data: Buffer.from(JSON.stringify(inventory)).toString('base64') }));
    try {
      const r = await s.cli(['plan', '-f', join(s.dir, 'backend.yaml')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /refers to ServiceAccount "sa-backend", which the stack's inventory \(.*\) has only as pending: an apply started to create it and did not finish/,
      );
      expect(r.stderr).not.toContain('did you mean');
    } finally {
      writeFileSync(at, saved);
    }
  });

  it('destroy --target removes a resource with what depends on it, and nothing else', async () => {
    const r = await s.cli(['destroy', '-f', s.dir, '--yes', '--target', 'ServiceAccount/sa-frontend']);
    expect(r.code, r.stderr).toBe(0);
    const removed = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('- '))
      .map((l) => l.split('  ')[0].slice(2))
      .sort();
    // The account, the grants that name it, and the service that runs as it.
    expect(removed).toEqual([
      'CloudRunService/sessionmuse-frontend',
      'IAMPolicyMember/frontend-invokes-backend',
      'IAMPolicyMember/watcher-acts-as-frontend',
      'ServiceAccount/sa-frontend',
    ]);
    expect(r.stdout).toContain('warning: partial plan (--target ServiceAccount/sa-frontend)');
    expect(r.stderr).toMatch(/The targeted resources are gone; the inventory at .* still lists the other 36 resources of stack sessionmuse\./);
    const [services] = await run.listServices({ parent: REGION(PROJECT) });
    expect(services.map((x) => x.name?.split('/').pop())).toEqual(['sessionmuse-backend']);
  });
});
