// Running a Cloud Run job: POST .../jobs/J:run answers an operation whose metadata and response are
// the Execution; the execution runs for the emulator's operationMs and then succeeds with every task
// (succeededCount = taskCount). Executions are read and deleted under their job.
import { randomUUID } from 'node:crypto';
import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { ApiError } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { paginate, quotedEtag, randomId, wire } from './common.js';
import { answerOperation, CALLER, checkEtag, queryFlag, RUN, runNotFound, runOperations, runScope } from './run-common.js';
import { deployFailure } from './run-deploy-checks.js';
import { EXECUTION, executions, executionsOf, jobs, lookupJob, type StoredExecution } from './run-job-store.js';
import { checkTimeout, MAX_TASK_TIMEOUT_S } from './run-limits.js';
import { checkContainers, RESERVED_JOB_ENV } from './run-validation.js';

const EXECUTION_TYPE_URL = `type.googleapis.com/${EXECUTION}`;
const COMPLETE_HOOK = 'run.execution.complete';

const typed = (execution: Record<string, any>) => ({ '@type': EXECUTION_TYPE_URL, ...structuredClone(execution) });

export function registerRunExecutions(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/run', `${RUN}.Jobs`, { RunJob: runJob });
  registerRpcs(emu, '@google-cloud/run', `${RUN}.Executions`, {
    ListExecutions: listExecutions,
    GetExecution: (req) => wire(req, EXECUTION, lookupExecution(req, 'run.read').stored.execution),
    DeleteExecution: (req) => {
      const { scope, stored } = lookupExecution(req, 'run.write');
      checkEtag(req.query.get('etag'), stored.execution.etag, req.params.execution);
      const snapshot = typed({ ...stored.execution, deleteTime: emu.clock.iso() });
      if (!queryFlag(req, 'validateOnly')) delete executions(emu)[stored.execution.name];
      return answerOperation(req, runOperations(emu).done(scope.parent, snapshot, snapshot));
    },
  });
  emu.operations.onComplete(COMPLETE_HOOK, (arg: { name: string }) => completeExecution(emu, arg.name));
}

function lookupExecution(req: EmuRequest, metric: 'run.read' | 'run.write') {
  const scope = runScope(req, metric);
  const jobKey = `${scope.parent}/jobs/${req.params.job}`;
  const stored = executions(req.emu)[`${jobKey}/executions/${req.params.execution}`];
  if (!stored) throw runNotFound('EXECUTION', req.params.execution, scope);
  return { scope, stored };
}

function runJob(req: EmuRequest): EmuResponse {
  const { scope, key, stored } = lookupJob(req, 'run.write');
  const { name: _name, ...rest } = (req.body ?? {}) as Record<string, unknown>;
  const body = decode(`${RUN}.RunJobRequest`, rest, '');
  checkEtag(body.etag, stored.job.etag, req.params.job);
  const job = stored.job;
  const template = withOverrides(structuredClone(job.template.template), body.overrides);
  checkContainers(template.containers, { path: 'overrides.container_overrides', reservedEnv: RESERVED_JOB_ENV, portsAllowed: false });
  checkTimeout(template.timeout, 'overrides.timeout', MAX_TASK_TIMEOUT_S);
  // A job whose last deployment failed cannot run. [G] wording
  if (job.terminalCondition?.state === 'CONDITION_FAILED') {
    throw new ApiError(400, `Job '${req.params.job}' is not ready: ${job.terminalCondition.message}`, 'FAILED_PRECONDITION');
  }
  // The same checks as a deployment: the image and secrets must still be there when the tasks start.
  const failure = deployFailure(req.emu, {
    containers: template.containers,
    volumes: template.volumes,
    serviceAccount: template.serviceAccount,
    projectId: scope.projectId,
    projectNumber: stored.projectNumber,
    specPath: 'spec.template.spec',
  });
  const taskCount: number = body.overrides?.taskCount || job.template.taskCount;
  const parallelism: number = job.template.parallelism && job.template.parallelism < taskCount ? job.template.parallelism : taskCount;

  const id = `${req.params.job}-${randomId(5)}`;
  const name = `${key}/executions/${id}`;
  const now = req.emu.clock.iso();
  const execution: Record<string, any> = {
    name,
    uid: randomUUID(),
    creator: CALLER,
    generation: '1',
    labels: job.template.labels,
    annotations: job.template.annotations,
    createTime: now,
    startTime: now,
    updateTime: now,
    launchStage: job.launchStage,
    job: req.params.job,
    parallelism,
    taskCount,
    template,
    reconciling: true,
    conditions: [
      { type: 'ResourcesAvailable', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
      { type: 'Started', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
      { type: 'Completed', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
    ],
    runningCount: taskCount,
    logUri: `https://console.cloud.google.com/logs/viewer?project=${scope.projectId}&resource=cloud_run_job/job_name/${req.params.job}/execution_name/${id}`,
    etag: quotedEtag(),
  };
  if (queryFlag(req, 'validateOnly') || body.validateOnly) {
    return answerOperation(req, runOperations(req.emu).done(scope.parent, typed(execution), typed(execution)));
  }
  executions(req.emu)[name] = { execution, jobKey: key, failure };
  job.executionCount = (job.executionCount ?? 0) + 1;
  job.latestCreatedExecution = { name, createTime: now, completionStatus: 'EXECUTION_RUNNING' };
  return answerOperation(req, runOperations(req.emu).start(scope.parent, { metadata: typed(execution), hook: COMPLETE_HOOK, hookArg: { name } }));
}

/** RunJobRequest.Overrides: per-container args and env (matched by name, else the only container), task count, timeout. */
function withOverrides(template: Record<string, any>, overrides: Record<string, any> | undefined): Record<string, any> {
  if (!overrides) return template;
  const containers: any[] = template.containers ?? [];
  for (const o of overrides.containerOverrides ?? []) {
    const target = o.name ? containers.find((c) => c.name === o.name) : containers.length === 1 ? containers[0] : undefined;
    if (!target) continue;
    if (o.clearArgs) target.args = [];
    else if (o.args?.length) target.args = o.args;
    for (const e of o.env ?? []) {
      const env: any[] = (target.env ??= []);
      const i = env.findIndex((x) => x.name === e.name);
      if (i >= 0) env[i] = e;
      else env.push(e);
    }
  }
  if (overrides.timeout) template.timeout = overrides.timeout;
  return template;
}

/** Completion hook: every task succeeded; the job's latestCreatedExecution follows. */
function completeExecution(emu: Emulator, name: string) {
  const stored: StoredExecution | undefined = executions(emu)[name];
  if (!stored) {
    const id = name.slice(name.lastIndexOf('/') + 1);
    return { error: { code: 5, message: `Execution '${id}' was deleted before it completed.` } }; // [G]
  }
  const e = stored.execution;
  const now = emu.clock.iso();
  const seconds = ((Date.parse(now) - Date.parse(e.startTime)) / 1000).toFixed(2);
  e.reconciling = false;
  e.observedGeneration = e.generation;
  e.completionTime = now;
  e.updateTime = now;
  e.runningCount = 0;
  const failed = stored.failure;
  const message = failed ? failed.reasons.join('\n') : `Execution completed successfully in ${seconds}s.`;
  if (failed) e.failedCount = e.taskCount;
  else e.succeededCount = e.taskCount;
  e.conditions = [
    ...e.conditions.filter((c: any) => c.type !== 'Completed'),
    { type: 'Completed', state: failed ? 'CONDITION_FAILED' : 'CONDITION_SUCCEEDED', message, lastTransitionTime: now },
  ];
  const job = jobs(emu)[stored.jobKey]?.job;
  if (job?.latestCreatedExecution?.name === name) {
    job.latestCreatedExecution = { ...job.latestCreatedExecution, completionTime: now, completionStatus: failed ? 'EXECUTION_FAILED' : 'EXECUTION_SUCCEEDED' };
  }
  if (failed) return { error: { code: failed.code, message }, metadata: typed(e) };
  return { response: typed(e), metadata: typed(e) };
}

function listExecutions(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.read');
  const jobKey = `${scope.parent}/jobs/${req.params.job}`;
  // Newest first, as `gcloud run jobs executions list` shows them.
  const list = executionsOf(req.emu, jobKey)
    .map((e) => e.execution)
    .sort((a, b) => (a.createTime === b.createTime ? (a.name < b.name ? 1 : -1) : a.createTime < b.createTime ? 1 : -1));
  const { page, nextPageToken } = paginate(list, req.query);
  return wire(req, `${RUN}.ListExecutionsResponse`, { executions: page, nextPageToken });
}
