// The README's "Deploying the watcher", step by step, on the emulator: the state bucket made first
// (with the official storage client, as `gcloud storage buckets create`), the stack applied with
// gs:// state from the first run, the manifests uploaded with the official storage client, a
// scheduler tick (the emulator's clock moved five minutes: Cloud Scheduler calls the watcher job's
// :run, which starts an execution), a drift made through the official Run client, and the
// execution run as Cloud Run would run it (its container's arguments, against the emulator): the
// drift is corrected and the watcher's status is written beside the inventory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaxOptions } from '../emulator/helpers.js';
import { runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const REGION = 'asia-northeast1';
const BUCKET = `sessionmuse-musectl-${PROJECT}`;
const STATE = `gs://${BUCKET}/state`;
const WATCHER = `projects/${PROJECT}/locations/${REGION}/jobs/musectl-watcher`;
const BACKEND = `projects/${PROJECT}/locations/${REGION}/services/sessionmuse-backend`;
const TICK = `projects/${PROJECT}/locations/${REGION}/jobs/musectl-watcher-tick`;

describe('the README: deploying the watcher', () => {
  let s: Stage;
  let storage: Storage;
  beforeAll(async () => {
    s = await stage({}, 'manifests');
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
  });
  afterAll(async () => s.close());

  it('steps 2 to 5: bucket first, apply with gs:// state, upload, and each scheduled execution corrects drift', async () => {
    // The tick's schedule is every five minutes of the emulator's clock, which follows the wall
    // clock: start just past a five-minute mark, so no real tick comes due while the test runs and
    // the one execution below is the one the test's advance starts.
    await moveJustPastFiveMinuteMark(s.emu.url);
    // 2. The state bucket, first.
    await storage.createBucket(BUCKET, {
      location: REGION,
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    });

    // 3. Apply the stack with the state CI and the watcher use.
    const apply = await s.cli(['apply', '-f', s.dir, '--state', STATE, '--yes'], { env: { GEMINI_API_KEY: 'e2e-watcher-key' } });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain(`State: ${STATE}`);
    const [inventoryRaw] = await storage.bucket(BUCKET).file(`state/${PROJECT}.sessionmuse.inventory.json`).download();
    const inventory = JSON.parse(inventoryRaw.toString());
    expect(inventory.entries.map((e: { kind: string; name: string }) => `${e.kind}/${e.name}`)).toEqual(
      expect.arrayContaining([
        `Bucket/${BUCKET}`,
        'CloudRunJob/musectl-watcher',
        'CloudSchedulerJob/musectl-watcher-tick',
        'ServiceAccount/sa-musectl-scheduler',
      ]),
    );
    // A second plan with the same state changes nothing: the bucket made by hand is the stack's now.
    const again = await s.cli(['plan', '-f', s.dir, '--state', STATE, '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);

    // 4. Upload the manifests the watcher reads.
    for (const f of readdirSync(s.dir).filter((n) => n.endsWith('.yaml'))) {
      await storage
        .bucket(BUCKET)
        .file(`manifests/${f}`)
        .save(readFileSync(join(s.dir, f)), { resumable: false });
    }

    // 5. Nothing to start: the schedule's tick starts an execution of the watcher job.
    const executions = new v2.ExecutionsClient(gaxOptions(s.emu));
    const scheduler = new CloudSchedulerClient(gaxOptions(s.emu));
    const services = new v2.ServicesClient(gaxOptions(s.emu));
    try {
      expect((await executions.listExecutions({ parent: WATCHER }))[0]).toEqual([]);
      const [tick] = await scheduler.getJob({ name: TICK });
      expect(tick.state).toBe('ENABLED');
      // Someone changes the back end in the console (here: the official client).
      const [svc] = await services.getService({ name: BACKEND });
      expect(svc.template?.scaling?.maxInstanceCount).toBe(10);
      const [op] = await services.updateService({
        service: { ...svc, template: { ...svc.template, scaling: { ...svc.template?.scaling, maxInstanceCount: 40 } } },
      });
      await op.promise();

      const tickAt = await fetch(`${s.emu.url}/_emulator/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds: 300 }) });
      expect(tickAt.status).toBe(200);
      const [list] = await executions.listExecutions({ parent: WATCHER });
      expect(list).toHaveLength(1);
      const execution = list[0];
      expect(execution.creator).toBe(`sa-musectl-scheduler@${PROJECT}.iam.gserviceaccount.com`);
      expect((await scheduler.getJob({ name: TICK }))[0].status?.code ?? 0).toBe(0);

      // Cloud Run starts the container with the execution's arguments (the image's entrypoint is
      // musectl); the emulator stands in for Google's endpoints.
      const container = execution.template!.containers![0];
      expect(container.args).toEqual([
        'watch',
        '-f',
        `gs://${BUCKET}/manifests/`,
        '--project',
        PROJECT,
        '--state',
        STATE,
        '--once',
        '--env=',
        '--interval',
        '5m',
        '--max-duration',
        '9m',
      ]);
      const id = execution.name!.split('/').pop()!;
      const run = await runCli(container.args!, {
        env: { MUSECTL_EMULATOR: s.emu.url, CLOUD_RUN_JOB: 'musectl-watcher', CLOUD_RUN_EXECUTION: id, CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '1' },
      });
      expect(run.code, run.stderr).toBe(0);
      const cycle = run.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .find((l) => l.message === 'cycle');
      expect(cycle).toMatchObject({ severity: 'INFO', stack: 'sessionmuse', corrected: 1, failed: 0 });
      expect((await services.getService({ name: BACKEND }))[0].template?.scaling?.maxInstanceCount).toBe(10);

      // Its health, beside the inventory.
      const [statusRaw] = await storage.bucket(BUCKET).file(`state/${PROJECT}.sessionmuse.watcher-status.json`).download();
      const status = JSON.parse(statusRaw.toString());
      expect(status).toMatchObject({
        stack: 'sessionmuse',
        intervalMs: 300_000,
        writer: `${id} task 0`,
        lastCycle: { outcome: 'completed', driftFound: 1, corrected: 1, failed: 0, source: `gs://${BUCKET}/manifests/` },
      });

      // musectl status shows that cycle under the stack's rows...
      const shown = await s.cli(['status', '-f', s.dir, '--state', STATE]);
      expect(shown.code, shown.stderr).not.toBe(1);
      expect(shown.stdout).toMatch(/Watcher: last cycle \d+s ago \(.*musectl .*\): drift 1, corrected 1, reported 0, failed 0, backing off 0/);
      expect(shown.stdout).not.toContain('Warning:');
      const json = JSON.parse((await s.cli(['status', '-f', s.dir, '--state', STATE, '-o', 'json'])).stdout);
      expect(json.watcher).toMatchObject({ stale: false, intervalMs: 300_000, lastCycle: { corrected: 1 } });
      // ...and warns once it is older than two intervals: the schedule stopped starting the watcher.
      const old = new Date(Date.now() - 11 * 60_000).toISOString();
      await storage
        .bucket(BUCKET)
        .file(`state/${PROJECT}.sessionmuse.watcher-status.json`)
        .save(JSON.stringify({ ...status, lastCycle: { ...status.lastCycle, finishedAt: old } }), { resumable: false });
      const stale = await s.cli(['status', '-f', s.dir, '--state', STATE]);
      expect(stale.stdout).toContain("Warning: the watcher's last cycle is 11m old, more than two intervals (5m each): it is not running");
    } finally {
      await Promise.all([executions.close(), scheduler.close(), services.close()]);
    }
  });
});

/** Advances the emulator's clock to one second past its next five-minute mark. */
async function moveJustPastFiveMinuteMark(url: string): Promise<void> {
  const { now } = (await (await fetch(`${url}/_emulator/clock`)).json()) as { now: string };
  const intoPeriod = (Date.parse(now) / 1000) % 300;
  const res = await fetch(`${url}/_emulator/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds: 300 - intoPeriod + 1 }) });
  expect(res.status).toBe(200);
}
