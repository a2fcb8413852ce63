// musectl status: SessionMUSE applied, then changed by hand through the official clients (a
// service rolled out to an image that never becomes ready, a bucket's lifecycle edited, the
// watcher's job deleted, then its manifest removed); status names each state from the same list
// calls as a plan, exits 2, and --watch sees the stack come back once apply fixes it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaxOptions } from '../emulator/helpers.js';
import { until } from '../support/until.js';
import { startCli } from './cli.js';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

const REGION = `projects/${PROJECT}/locations/asia-northeast1`;
const FRONTEND = `${REGION}/services/sessionmuse-frontend`;
const TRACKS = `sessionmuse-tracks-${PROJECT}`;

describe('musectl status', () => {
  let s: Stage;
  let run: InstanceType<typeof v2.ServicesClient>;
  let jobs: InstanceType<typeof v2.JobsClient>;
  let storage: Storage;
  const statusJson = async () => {
    const r = await s.cli(['status', '-f', s.dir, '-o', 'json']);
    return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr };
  };
  const row = (doc: any, key: string) => doc.resources.find((r: any) => `${r.kind}/${r.name}` === key);

  beforeAll(async () => {
    s = await stage();
    run = new v2.ServicesClient(gaxOptions(s.emu));
    jobs = new v2.JobsClient(gaxOptions(s.emu));
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    const applied = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(async () => {
    await run.close();
    await jobs.close();
    await s.close();
  });

  it('reports every resource ready after an apply, exit 0, with URLs, revisions, traffic and the last change', async () => {
    const before = await s.stats();
    const r = await s.cli(['status', '-f', s.dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('41 resources: 41 ready.');
    expect(r.stdout).toContain('All ready and in sync.');
    expect(r.stdout).toMatch(/^CloudRunService\/sessionmuse-frontend +ready +0 +\d{4}-\d\d-\d\dT\S+Z by \S+ +https:\/\/sessionmuse-frontend-\S+\.run\.app$/m);
    expect(r.stdout).toMatch(/^ {4}serving: sessionmuse-frontend-00001-\w+ 100%$/m);
    expect(r.stdout).toMatch(new RegExp(`^Bucket/${TRACKS} +ready +0 +\\S+Z +gs://${TRACKS}$`, 'm'));
    // Read-only, and the same list calls a plan makes.
    const calls = callsBetween(before, await s.stats());
    expect(writeCalls(calls)).toEqual({});
    const planBefore = await s.stats();
    await s.cli(['plan', '-f', s.dir]);
    expect(callsBetween(before, planBefore)).toEqual(callsBetween(planBefore, await s.stats()));
  });

  it('names a degraded service, a drifted bucket and a missing job, and exits 2', async () => {
    // A rollout by hand to an image whose container never listens: the new revision fails, traffic stays.
    const [svc] = await run.getService({ name: FRONTEND });
    const serving = svc.latestReadyRevision!.split('/').pop();
    svc.template!.containers![0].image = `asia-northeast1-docker.pkg.dev/${PROJECT}/sessionmuse/frontend-fail-rollout:latest`;
    const [op] = await run.updateService({ service: svc });
    await expect(op.promise()).rejects.toThrow(/is not ready/);
    await storage
      .bucket(TRACKS)
      .setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] }, labels: { content: 'archive' } } as any);
    const [del] = await jobs.deleteJob({ name: `${REGION}/jobs/musectl-watcher` });
    await del.promise();

    const { code, doc } = await statusJson();
    expect(code).toBe(2);
    expect(doc.inSync).toBe(false);
    const frontend = row(doc, 'CloudRunService/sessionmuse-frontend');
    expect(frontend).toMatchObject({ state: 'degraded', revision: serving, traffic: [{ revision: serving, percent: 100 }], drift: 1 });
    expect(frontend.message).toMatch(/^revision sessionmuse-frontend-00002-\w+ is not ready: .*; traffic stays on sessionmuse-frontend-00001-\w+$/);
    expect(frontend.driftedFields).toEqual(['template.containers[0].image']);
    const tracks = row(doc, `Bucket/${TRACKS}`);
    expect(tracks).toMatchObject({ state: 'drifted', drift: 2, outputs: { url: `gs://${TRACKS}` } });
    expect(tracks.driftedFields).toEqual(['lifecycle.rule[0].condition.age', 'labels.content']);
    expect(row(doc, 'CloudRunJob/musectl-watcher')).toMatchObject({ state: 'missing', drift: 0 });
    // The scheduler's invoker grant lives on the job's policy: it went with the job.
    expect(row(doc, 'IAMPolicyMember/scheduler-runs-watcher')).toMatchObject({ state: 'missing' });
    expect(doc.summary).toEqual({ ready: 37, degraded: 1, progressing: 0, drifted: 1, missing: 2, 'not ours': 0, orphaned: 0 });

    const text = await s.cli(['get', '-f', s.dir]); // kubectl's name for it
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^CloudRunService\/sessionmuse-frontend +degraded +1 /m);
    expect(text.stdout).toMatch(/^ {4}revision sessionmuse-frontend-00002-\w+ is not ready: /m);
    expect(text.stdout).toMatch(new RegExp(`^Bucket/${TRACKS} +drifted +2 `, 'm'));
    expect(text.stdout).toContain('    drifted: lifecycle.rule[0].condition.age, labels.content');
    expect(text.stdout).toMatch(/^CloudRunJob\/musectl-watcher +missing +0/m);
    expect(text.stdout).toContain('41 resources: 37 ready, 1 degraded, 1 drifted, 2 missing.');
  });

  it('--watch refreshes until interrupted: it sees apply bring the stack back, and exits with the last status', async () => {
    const watching = startCli([
      'status',
      '-f',
      s.dir,
      '--watch',
      '--interval',
      '1s',
      '--emulator',
      s.emu.url,
      '--project',
      PROJECT,
      '--state',
      `${s.dir}/.state`,
    ]);
    await until('a first refresh', () => watching.stdout().includes('Not in sync'));
    const fixed = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(fixed.code, fixed.stderr).toBe(0);
    await until('a refresh after the apply', () => watching.stdout().includes('All ready and in sync.'), 30_000);
    const r = await watching.stop('SIGINT');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^-- \d{4}-\d\d-\d\dT/gm)!.length).toBeGreaterThanOrEqual(2);
  });

  it("names what the stack owns but the manifests dropped (orphaned), and what another state cannot prove is the stack's (not ours)", async () => {
    // The watcher dropped from the manifests: its job, schedule, accounts and their grants.
    rmSync(join(s.dir, 'watcher.yaml'));
    rmSync(join(s.dir, 'watcher-identity.yaml'));
    const { code, doc } = await statusJson();
    expect(code).toBe(2);
    expect(row(doc, 'CloudRunJob/musectl-watcher')).toMatchObject({ state: 'orphaned', message: 'no longer in the manifests; apply --prune would delete it' });
    const elsewhere = JSON.parse((await s.cli(['status', '-f', s.dir, '-o', 'json', '--state', join(s.dir, 'other-state')])).stdout);
    expect(row(elsewhere, 'ServiceAccount/sa-backend')).toMatchObject({ state: 'not ours' });
    expect(row(elsewhere, 'ServiceAccount/sa-backend').message).toContain('this stack did not create it');
  });
});
