// Conformance of the emulator's Cloud Run v2 jobs and executions ("Jobs follow the same patterns",
// gcp-api-facts.md §1; defaults from the proto comments): CRUD as operations, run -> Execution.

import { protos, v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

let emu: RunningEmulator;
let jobsClient: InstanceType<typeof v2.JobsClient>;
let executionsClient: InstanceType<typeof v2.ExecutionsClient>;
let projectNumber: string;

const PROJECT = 'demo-project';
const PARENT = `projects/${PROJECT}/locations/us-central1`;
const PATH = `/v2/${PARENT}/jobs`;
const run = protos.google.cloud.run.v2;
let n = 0;
const uniqueId = () => `job-${++n}`;
const template = (image = 'img:1', extra: Record<string, any> = {}) => ({ template: { containers: [{ image }] }, ...extra });

beforeAll(async () => {
  // Operations complete at once unless a test holds them (operations.hold / release).
  emu = await startEmulator();
  jobsClient = new v2.JobsClient(gaxOptions(emu));
  executionsClient = new v2.ExecutionsClient(gaxOptions(emu));
  projectNumber = emu.emulator.projects.resolve(PROJECT).projectNumber;
  // Warm up the clients and the emulator's codecs so the first test's timing is like the others'.
  const [op] = await jobsClient.createJob({ parent: PARENT, jobId: 'warm-up', job: { template: template() } });
  await op.promise();
  const [runOp] = await jobsClient.runJob({ name: `${PARENT}/jobs/warm-up` });
  await runOp.promise();
  await executionsClient.listExecutions({ parent: `${PARENT}/jobs/warm-up` });
});
afterAll(async () => {
  await jobsClient.close();
  await executionsClient.close();
  await emu.close();
});

async function createJob(id: string, job: Record<string, any> = { template: template() }) {
  const [op] = await jobsClient.createJob({ parent: PARENT, jobId: id, job });
  const [created] = await op.promise();
  return created;
}
const get = async (id: string) => (await rawJson(emu, 'GET', `${PATH}/${id}`)).body;

describe('Cloud Run jobs', () => {
  it('creates a job through an operation and fills the defaults', async () => {
    const id = uniqueId();
    emu.emulator.operations.hold();
    const [op] = await jobsClient.createJob({ parent: PARENT, jobId: id, job: { template: template() } });
    const during = await get(id);
    expect(during).toMatchObject({ reconciling: true, generation: '1', terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING' } });
    expect(emu.emulator.operations.release()).toEqual([op.name]);
    const [job] = await op.promise();
    expect(job.name).toBe(`${PARENT}/jobs/${id}`);
    expect(job.launchStage).toBe(protos.google.api.LaunchStage.GA);
    expect(job.template!.taskCount).toBe(1);
    expect(job.template!.parallelism).toBeFalsy();
    const task = job.template!.template!;
    expect(task.maxRetries).toBe(3);
    expect(String(task.timeout!.seconds)).toBe('600');
    expect(task.serviceAccount).toBe(`${projectNumber}-compute@developer.gserviceaccount.com`);
    expect(task.containers![0].resources!.limits).toEqual({ cpu: '1000m', memory: '512Mi' });
    expect(String(job.generation)).toBe('1');
    expect(String(job.observedGeneration)).toBe('1');
    expect(job.reconciling).toBeFalsy();
    expect(job.terminalCondition).toMatchObject({ type: 'Ready', state: run.Condition.State.CONDITION_SUCCEEDED });
    expect(job.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.etag).toMatch(/^".+"$/);

    const raw = await rawJson(emu, 'GET', `${PATH}/${id}?$alt=json;enum-encoding=int`);
    expect(raw.body.launchStage).toBe(4);
    expect(raw.body.template.template.timeout).toBe('600s');
    expect(raw.body.template.template.maxRetries).toBe(3);
  });

  it('keeps an explicit maxRetries of 0 and the values the caller set', async () => {
    const id = uniqueId();
    const res = await rawJson(emu, 'POST', `${PATH}?jobId=${id}`, {
      template: {
        taskCount: 4,
        parallelism: 2,
        template: { maxRetries: 0, timeout: '60s', containers: [{ image: 'img', resources: { limits: { cpu: '2', memory: '1Gi' } } }] },
      },
    });
    expect(res.status).toBe(200);
    const job = await get(id);
    expect(job.template.taskCount).toBe(4);
    expect(job.template.parallelism).toBe(2);
    expect(job.template.template.maxRetries).toBe(0);
    expect(job.template.template.timeout).toBe('60s');
    expect(job.template.template.containers[0].resources.limits).toEqual({ cpu: '2', memory: '1Gi' });
  });

  it("answers Google's 404 and 409, validates jobId and rejects reserved env names and unknown fields", async () => {
    const missing = await rawJson(emu, 'GET', `${PATH}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      status: 'NOT_FOUND',
      message: `Resource 'nope' of kind 'JOB' in region 'us-central1' in project '${PROJECT}' does not exist.`,
    });

    const id = uniqueId();
    await createJob(id);
    const dup = await rawJson(emu, 'POST', `${PATH}?jobId=${id}`, { template: template() });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ status: 'ALREADY_EXISTS', message: `Resource '${id}' already exists.` });

    const badId = await rawJson(emu, 'POST', `${PATH}?jobId=9lives`, { template: template() });
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toMatch(/^Violation in CreateJobRequest\.job_id: only lowercase, digits, and hyphens; must begin with letter/);

    const env = await rawJson(emu, 'POST', `${PATH}?jobId=${uniqueId()}`, {
      template: { template: { containers: [{ image: 'img', env: [{ name: 'CLOUD_RUN_TASK_INDEX', value: '1' }] }] } },
    });
    expect(env.status).toBe(400);
    expect(env.body.error.message).toContain('The following reserved env names were provided: CLOUD_RUN_TASK_INDEX.');

    const unknown = await rawJson(emu, 'POST', `${PATH}?jobId=${uniqueId()}`, { template: { template: { containers: [{ image: 'img' }], bogus: true } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "bogus" at 'job.template.template': Cannot find field.`);

    const label = await rawJson(emu, 'POST', `${PATH}?jobId=${uniqueId()}`, { labels: { 'run.googleapis.com/x': 'y' }, template: template() });
    expect(label.status).toBe(400);
  });

  it('replaces the job on update, bumping the generation, and creates with allowMissing', async () => {
    const id = uniqueId();
    const created = await createJob(id, { labels: { a: '1' }, template: template() });
    const [op] = await jobsClient.updateJob({ job: { name: created.name, template: template('img:2') } });
    const [updated] = await op.promise();
    expect(String(updated.generation)).toBe('2');
    expect(updated.labels).toEqual({});
    expect(updated.template!.template!.containers![0].image).toBe('img:2');
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.uid).toBe(created.uid);

    const missing = await rawJson(emu, 'PATCH', `${PATH}/${uniqueId()}`, { template: template() });
    expect(missing.status).toBe(404);
    const newId = uniqueId();
    const [upsert] = await jobsClient.updateJob({ job: { name: `${PARENT}/jobs/${newId}`, template: template() }, allowMissing: true });
    expect(String((await upsert.promise())[0].generation)).toBe('1');
  });

  it('lists jobs with paging', async () => {
    const parent = 'projects/jobs-list-project/locations/us-east1';
    for (const id of ['a-job', 'b-job', 'c-job']) {
      const [op] = await jobsClient.createJob({ parent, jobId: id, job: { template: template() } });
      await op.promise();
    }
    const page = await rawJson(emu, 'GET', `/v2/${parent}/jobs?pageSize=2`);
    expect(page.body.jobs.map((j: any) => j.name.split('/').at(-1))).toEqual(['a-job', 'b-job']);
    const rest = await rawJson(emu, 'GET', `/v2/${parent}/jobs?pageSize=2&pageToken=${page.body.nextPageToken}`);
    expect(rest.body.jobs.map((j: any) => j.name.split('/').at(-1))).toEqual(['c-job']);
    const [all] = await jobsClient.listJobs({ parent });
    expect(all).toHaveLength(3);
  });

  it('runs a job: the operation answers an Execution that completes with every task succeeded', async () => {
    const id = uniqueId();
    await createJob(id, { template: { taskCount: 2, template: { containers: [{ image: 'img', args: ['a'] }] } } });
    emu.emulator.operations.hold();
    const [op] = await jobsClient.runJob({
      name: `${PARENT}/jobs/${id}`,
      overrides: { taskCount: 3, containerOverrides: [{ args: ['b'], env: [{ name: 'X', value: '1' }] }] },
    });
    const execName = (op.metadata as any).name as string;
    expect(execName).toMatch(new RegExp(`^${PARENT}/jobs/${id}/executions/${id}-[a-z0-9]{5}$`));

    const running = (await rawJson(emu, 'GET', `/v2/${execName}`)).body;
    expect(running).toMatchObject({ reconciling: true, runningCount: 3, taskCount: 3, job: id });
    expect(running.succeededCount).toBeUndefined();
    const jobDuring = await get(id);
    expect(jobDuring.executionCount).toBe(1);
    expect(jobDuring.latestCreatedExecution).toMatchObject({ name: execName, completionStatus: 'EXECUTION_RUNNING' });
    emu.emulator.operations.release();

    const [execution] = await op.promise();
    expect(execution.name).toBe(execName);
    expect(execution.succeededCount).toBe(3);
    expect(execution.runningCount).toBeFalsy();
    expect(execution.completionTime).toBeTruthy();
    expect(execution.template!.containers![0].args).toEqual(['b']);
    expect(execution.template!.containers![0].env).toEqual([expect.objectContaining({ name: 'X', value: '1' })]);
    const completed = execution.conditions!.find((c) => c.type === 'Completed')!;
    expect(completed.state).toBe(run.Condition.State.CONDITION_SUCCEEDED);
    expect(completed.message).toMatch(/^Execution completed successfully in \d+\.\d{2}s\.$/);

    const raw = await rawJson(emu, 'GET', `/v2/${op.name}`);
    expect(raw.body.response['@type']).toBe('type.googleapis.com/google.cloud.run.v2.Execution');
    expect((await get(id)).latestCreatedExecution).toMatchObject({ name: execName, completionStatus: 'EXECUTION_SUCCEEDED' });

    const [got] = await executionsClient.getExecution({ name: execName });
    expect(got.succeededCount).toBe(3);
    expect(got.reconciling).toBeFalsy();
  });

  it('lists executions under the job and deletes them with the job', async () => {
    const id = uniqueId();
    await createJob(id);
    for (let i = 0; i < 2; i++) {
      const [op] = await jobsClient.runJob({ name: `${PARENT}/jobs/${id}` });
      await op.promise();
    }
    const [list] = await executionsClient.listExecutions({ parent: `${PARENT}/jobs/${id}` });
    expect(list).toHaveLength(2);
    expect(list.every((e) => e.succeededCount === 1)).toBe(true);
    expect((await get(id)).executionCount).toBe(2);

    const missing = await rawJson(emu, 'GET', `${PATH}/${id}/executions/${id}-zzzzz`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`Resource '${id}-zzzzz' of kind 'EXECUTION' in region 'us-central1' in project '${PROJECT}' does not exist.`);

    const stale = await rawJson(emu, 'DELETE', `${PATH}/${id}?etag=%22old%22`);
    expect(stale.status).toBe(409);
    const [del] = await jobsClient.deleteJob({ name: `${PARENT}/jobs/${id}` });
    const [deleted] = await del.promise();
    expect(deleted.name).toBe(`${PARENT}/jobs/${id}`);
    expect((await get(id)).error.code).toBe(404);
    expect((await rawJson(emu, 'GET', `/v2/${list[0].name}`)).status).toBe(404);
    expect((await rawJson(emu, 'POST', `${PATH}/${id}:run`, {})).status).toBe(404);
  });

  it('serves IAM on jobs: {"etag":"ACAB"} first, then etag-checked updates', async () => {
    const id = uniqueId();
    await createJob(id);
    const first = await rawJson(emu, 'GET', `${PATH}/${id}:getIamPolicy`);
    expect(first.body).toEqual({ etag: 'ACAB' });
    const set = await rawJson(emu, 'POST', `${PATH}/${id}:setIamPolicy`, {
      policy: { etag: 'ACAB', bindings: [{ role: 'roles/run.invoker', members: ['user:scheduler-admin@example.com'] }] },
    });
    expect(set.status).toBe(200);
    expect(set.body.etag).not.toBe('ACAB');
    const stale = await rawJson(emu, 'POST', `${PATH}/${id}:setIamPolicy`, { policy: { etag: 'ACAB', bindings: [] } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.status).toBe('ABORTED');
  });
});
