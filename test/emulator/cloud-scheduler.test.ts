// Conformance of the emulator's Cloud Scheduler API v1 (emulator/FACTS.md, "Cloud Scheduler"),
// through the official @google-cloud/scheduler client in REST mode: jobs CRUD, pause and resume,
// :run; a job fires on its schedule in its time zone on the emulator's clock (moved with
// POST /_emulator/clock/advance); an HTTP target with an OAuth token calling a Cloud Run job's
// :run starts an execution only when its account may run the job, and the job records each
// attempt's status.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { v2 } from '@google-cloud/run';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultRates, ManualClock, type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

const PROJECT = 'sched-project';
const REGION = 'asia-northeast1';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const RUN_JOB = `${PARENT}/jobs/nightly`;
const INVOKER = `scheduler-invoker@${PROJECT}.iam.gserviceaccount.com`;
const V2_RUN_URL = `https://run.googleapis.com/v2/${RUN_JOB}:run`;
const START = Date.parse('2026-03-02T00:00:00Z'); // a Monday

let emu: RunningEmulator;
let scheduler: CloudSchedulerClient;
afterEach(async () => {
  await scheduler?.close();
  await emu?.close();
});

async function start(opts: { stateFile?: string } = {}) {
  emu = await startEmulator({ clock: new ManualClock(START), ...opts });
  scheduler = new CloudSchedulerClient(gaxOptions(emu));
}

const advance = (seconds: number) => rawJson(emu, 'POST', '/_emulator/clock/advance', { seconds });
const getJob = async (id: string) => (await scheduler.getJob({ name: `${PARENT}/jobs/${id}` }))[0];

/** A Cloud Run job to run, and the account Cloud Scheduler calls it as (with run.invoker on the job unless `grant` is false). */
async function runJobAndInvoker(grant = true): Promise<InstanceType<typeof v2.ExecutionsClient>> {
  const jobs = new v2.JobsClient(gaxOptions(emu));
  const [op] = await jobs.createJob({
    parent: PARENT,
    jobId: 'nightly',
    job: { template: { template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/job' }] } } },
  });
  await op.promise();
  await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'scheduler-invoker', serviceAccount: { displayName: 'invoker' } });
  if (grant) await jobs.setIamPolicy({ resource: RUN_JOB, policy: { bindings: [{ role: 'roles/run.invoker', members: [`serviceAccount:${INVOKER}`] }] } });
  await jobs.close();
  return new v2.ExecutionsClient(gaxOptions(emu));
}

function httpJob(id: string, extra: Record<string, unknown> = {}, uri = V2_RUN_URL) {
  return {
    parent: PARENT,
    job: {
      name: `${PARENT}/jobs/${id}`,
      schedule: '*/5 * * * *',
      timeZone: 'Asia/Tokyo',
      httpTarget: { uri, httpMethod: 'POST' as const, oauthToken: { serviceAccountEmail: INVOKER } },
      ...extra,
    },
  };
}

describe('Cloud Scheduler jobs: CRUD', () => {
  it('creates, reads, lists, updates with a mask, deletes; answers Google words for a duplicate and a missing job', async () => {
    await start();
    const [created] = await scheduler.createJob(httpJob('tick', { description: 'every five minutes' }));
    expect(created.name).toBe(`${PARENT}/jobs/tick`);
    expect(created.state).toBe('ENABLED');
    expect(created.userUpdateTime).toBeTruthy();
    expect(new Date(Number(created.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:05:00.000Z');

    const dup = await scheduler.createJob(httpJob('tick')).catch((e) => e);
    expect(dup.code).toBe(409);
    expect(dup.message).toContain(`Job ${PARENT}/jobs/tick already exists.`);

    const [list] = await scheduler.listJobs({ parent: PARENT });
    expect(list.map((j) => j.name)).toEqual([`${PARENT}/jobs/tick`]);

    const [updated] = await scheduler.updateJob({ job: { name: `${PARENT}/jobs/tick`, schedule: '0 9 * * *' }, updateMask: { paths: ['schedule'] } });
    expect(updated.schedule).toBe('0 9 * * *');
    expect(updated.description).toBe('every five minutes'); // not in the mask: kept
    expect(updated.httpTarget?.uri).toBe(V2_RUN_URL);
    // 09:00 in Tokyo is 00:00 UTC: the next one is tomorrow's.
    expect(new Date(Number(updated.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-03T00:00:00.000Z');

    await scheduler.deleteJob({ name: `${PARENT}/jobs/tick` });
    const gone = await scheduler.getJob({ name: `${PARENT}/jobs/tick` }).catch((e) => e);
    expect(gone.code).toBe(404);
    const raw = await rawJson(emu, 'GET', `/v1/${PARENT}/jobs/tick`);
    expect(raw.body).toEqual({ error: { code: 404, message: 'Job not found.', status: 'NOT_FOUND' } });
  });

  it('refuses a bad schedule or time zone, a name not of the parent, a target-less job, as Google does', async () => {
    await start();
    for (const [schedule, timeZone] of [
      ['61 * * * *', 'UTC'],
      ['* * * *', 'UTC'],
      ['0 9 * * *', 'Asia/Tokio'],
      ['0 9 L * *', 'UTC'],
    ]) {
      const err = await scheduler.createJob(httpJob('bad', { schedule, timeZone })).catch((e) => e);
      expect(err.code, `${schedule} ${timeZone}`).toBe(400);
      expect(err.message).toContain('Schedule or time zone is invalid.');
    }
    const noSchedule = await rawJson(emu, 'POST', `/v1/${PARENT}/jobs`, { name: `${PARENT}/jobs/x`, httpTarget: { uri: 'http://127.0.0.1:1/' } });
    expect(noSchedule.body.error.message).toBe('Schedule or time zone is invalid.');
    const badName = await rawJson(emu, 'POST', `/v1/${PARENT}/jobs`, { name: 'nameJob', schedule: '* * * * *', httpTarget: { uri: 'http://127.0.0.1:1/' } });
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toBe('Job name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/jobs/<JOB_ID>".');
    const noTarget = await rawJson(emu, 'POST', `/v1/${PARENT}/jobs`, { name: `${PARENT}/jobs/x`, schedule: '* * * * *' });
    expect(noTarget.status).toBe(400);
    // English-like schedules are Google's too; "every N minutes" is evaluated.
    const [english] = await scheduler.createJob(httpJob('english', { schedule: 'every 10 minutes' }));
    expect(new Date(Number(english.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:10:00.000Z');
  });

  it('pauses (no scheduleTime, never fires) and resumes (the next time from now)', async () => {
    await start();
    await runJobAndInvoker();
    await scheduler.createJob(httpJob('tick'));
    const [paused] = await scheduler.pauseJob({ name: `${PARENT}/jobs/tick` });
    expect(paused.state).toBe('PAUSED');
    expect(paused.scheduleTime).toBeFalsy();
    await advance(600);
    expect((await getJob('tick')).lastAttemptTime).toBeFalsy();
    const [resumed] = await scheduler.resumeJob({ name: `${PARENT}/jobs/tick` });
    expect(resumed.state).toBe('ENABLED');
    expect(new Date(Number(resumed.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:15:00.000Z');
  });
});

describe('Cloud Scheduler jobs: firing', () => {
  it('fires when the clock reaches its time: an OAuth call to a Cloud Run job :run starts an execution as the account', async () => {
    await start();
    const executions = await runJobAndInvoker();
    await scheduler.createJob(httpJob('tick'));
    await advance(299);
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toEqual([]);
    await advance(1);
    const [list] = await executions.listExecutions({ parent: RUN_JOB });
    expect(list).toHaveLength(1);
    expect(list[0].creator).toBe(INVOKER);
    const job = await getJob('tick');
    expect(job.status?.code ?? 0).toBe(0);
    expect(new Date(Number(job.lastAttemptTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:05:00.000Z');
    expect(new Date(Number(job.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:10:00.000Z');
    // A jump of an hour makes one attempt, not twelve.
    await advance(3600);
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toHaveLength(2);
    await executions.close();
  });

  it("keeps its own deliveries out of the clients' calls: not in the stats' requests or total, not in the request log", async () => {
    await start();
    const executions = await runJobAndInvoker();
    await scheduler.createJob(httpJob('tick'));
    const before = structuredClone(emu.emulator.stats);
    const logged = emu.emulator.log.since(0).length;
    await advance(300);
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toHaveLength(1);
    const route = 'POST /v2/projects/{project}/locations/{location}/jobs/{job}:run';
    expect(emu.emulator.stats.deliveries).toEqual({ [route]: 1 });
    expect(emu.emulator.stats.requests[route]).toBeUndefined();
    // Between the snapshots: the clock's advance is an admin call (not counted), and the list the test made.
    expect(emu.emulator.stats.total - before.total).toBe(1);
    const calls = emu.emulator.log
      .since(0)
      .slice(logged)
      .map((r) => r.route);
    expect(calls).not.toContain(route);
    // A client that sends the header without the emulator's token is a client.
    const res = await fetch(`${emu.url}/v2/${RUN_JOB}:run`, {
      method: 'POST',
      headers: { 'x-emulator-delivery': 'guess', 'content-type': 'application/json' },
      body: '{}',
    });
    await res.arrayBuffer();
    expect(emu.emulator.stats.requests[route]).toBe(1);
    expect(emu.emulator.stats.deliveries[route]).toBe(1);
    await executions.close();
  });

  it('gives its own deliveries no injected fault: with every client call failing 503, the job still runs', async () => {
    const faults: FaultRates = {};
    emu = await startEmulator({ clock: new ManualClock(START), faults });
    scheduler = new CloudSchedulerClient(gaxOptions(emu));
    const executions = await runJobAndInvoker();
    await scheduler.createJob(httpJob('tick'));
    faults.r503 = 1; // from here on, every client call is answered 503
    await advance(300);
    faults.r503 = 0;
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toHaveLength(1);
    expect((await getJob('tick')).status?.code ?? 0).toBe(0);
    await executions.close();
  });

  it('records PERMISSION_DENIED (7) and starts nothing when the account may not run the job', async () => {
    await start();
    const executions = await runJobAndInvoker(false);
    await scheduler.createJob(httpJob('tick'));
    await advance(300);
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toEqual([]);
    expect((await getJob('tick')).status?.code).toBe(7);
    // A grant on the project serves too.
    const projects = new ProjectsClient(gaxOptions(emu));
    const [policy] = await projects.getIamPolicy({ resource: `projects/${PROJECT}` });
    await projects.setIamPolicy({
      resource: `projects/${PROJECT}`,
      policy: { ...policy, bindings: [...(policy.bindings ?? []), { role: 'roles/run.jobsExecutor', members: [`serviceAccount:${INVOKER}`] }] },
    });
    await projects.close();
    await advance(300);
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toHaveLength(1);
    expect((await getJob('tick')).status?.code ?? 0).toBe(0);
    await executions.close();
  });

  it("calls the documented v1 URL on the job's regional host too", async () => {
    await start();
    const executions = await runJobAndInvoker();
    const uri = `https://${REGION}-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/${PROJECT}/jobs/nightly:run`;
    await scheduler.createJob(httpJob('v1', {}, uri));
    const [ran] = await scheduler.runJob({ name: `${PARENT}/jobs/v1` });
    expect(ran.status?.code ?? 0).toBe(0);
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toHaveLength(1);
    await executions.close();
  });

  it('evaluates the schedule in its time zone, across a daylight-saving change', async () => {
    await start();
    // 02:30 in New York does not exist on 2026-03-08 (clocks go from 02:00 to 03:00): that day is skipped.
    const [job] = await scheduler.createJob(httpJob('ny', { schedule: '30 2 * * *', timeZone: 'America/New_York' }));
    expect(new Date(Number(job.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T07:30:00.000Z');
    await rawJson(emu, 'POST', '/_emulator/clock/advance', { seconds: (Date.parse('2026-03-07T08:00:00Z') - START) / 1000 });
    const after = await getJob('ny');
    expect(new Date(Number(after.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-09T06:30:00.000Z');
  });

  it('never calls beyond loopback: the attempt fails UNAVAILABLE and says so', async () => {
    await start();
    await runJobAndInvoker();
    await scheduler.createJob(httpJob('outside', {}, 'https://example.com/hook'));
    await advance(300);
    const job = await getJob('outside');
    expect(job.status?.code).toBe(14);
    expect(job.status?.message).toBe('The emulator sends no request beyond loopback: https://example.com was not called.');
  });

  it('retries a failed attempt per RetryConfig (5 s, then doubling), then waits for the next time', async () => {
    await start();
    await runJobAndInvoker();
    await scheduler.createJob(httpJob('retry', { retryConfig: { retryCount: 2 } }, `https://run.googleapis.com/v2/${PARENT}/jobs/missing:run`));
    await advance(300);
    let job = await getJob('retry');
    expect(job.status?.code).toBe(5); // the Cloud Run job does not exist: 404
    expect(new Date(Number(job.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:05:05.000Z');
    await advance(5);
    job = await getJob('retry');
    expect(new Date(Number(job.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:05:15.000Z');
    await advance(10);
    job = await getJob('retry');
    expect(new Date(Number(job.lastAttemptTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:05:15.000Z');
    expect(new Date(Number(job.scheduleTime!.seconds) * 1000).toISOString()).toBe('2026-03-02T00:10:00.000Z');
  });

  it('fails the attempt when the OAuth account does not exist (no token can be minted)', async () => {
    await start();
    await scheduler.createJob(httpJob('nobody'));
    await advance(300);
    expect((await getJob('nobody')).status?.code).toBe(7);
  });

  it('fires the jobs of a state file once the emulator starts again', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'musectl-sched-')), 'state.json');
    await start({ stateFile });
    await runJobAndInvoker();
    await scheduler.createJob(httpJob('tick'));
    await scheduler.close();
    await emu.close();
    await start({ stateFile });
    await advance(300);
    const executions = new v2.ExecutionsClient(gaxOptions(emu));
    expect((await executions.listExecutions({ parent: RUN_JOB }))[0]).toHaveLength(1);
    await executions.close();
  });
});
