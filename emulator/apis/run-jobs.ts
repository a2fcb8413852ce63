// Cloud Run Admin API v2: jobs (gcp-api-facts.md §1, "Jobs follow the same patterns"). Create,
// update (a full replacement: UpdateJobRequest has no update mask) and delete answer operations
// whose metadata and response are the Job; while one is pending the job is reconciling. Running a
// job and its executions are in run-executions.ts; IAM in run-iam.ts.
import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { alreadyExists } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { paginate, quotedEtag, wire } from './common.js';
import {
  answerOperation,
  checkEtag,
  childrenOf,
  deleteRunResource,
  nextGeneration,
  pickFields,
  queryFlag,
  RUN,
  type RunScope,
  runNotFound,
  runOperations,
  runScope,
  sameJson,
  specFields,
} from './run-common.js';
import { applyJobDefaults } from './run-defaults.js';
import { checkRuntimeServiceAccount, deployFailure } from './run-deploy-checks.js';
import { registerRunExecutions } from './run-executions.js';
import { registerRunIam, runPolicyKey } from './run-iam.js';
import { deleteExecutionsOf, JOB, jobs, lookupJob } from './run-job-store.js';
import { checkResources, checkTimeout, MAX_TASK_TIMEOUT_S } from './run-limits.js';
import { checkTemplateParts } from './run-template-checks.js';
import { checkContainers, checkResourceId, checkUserKeys, RESERVED_JOB_ENV, violation } from './run-validation.js';

const JOB_TYPE_URL = `type.googleapis.com/${JOB}`;
const ROLLOUT_HOOK = 'run.job.rollout';
const DELETE_HOOK = 'run.job.delete';
/** [G] Job ids follow the service rule with the DNS-label limit. */
const JOB_ID_LIMIT = 64;

const typed = (job: Record<string, any>) => ({ '@type': JOB_TYPE_URL, ...structuredClone(job) });
const SPEC_FIELDS = (): string[] => specFields(JOB);

export function registerRunJobs(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/run', `${RUN}.Jobs`, {
    CreateJob: createJob,
    ListJobs: listJobs,
    GetJob: (req) => wire(req, JOB, lookupJob(req, 'run.read').stored.job),
    UpdateJob: updateJob,
    DeleteJob: deleteJob,
  });

  emu.operations.onComplete(ROLLOUT_HOOK, (arg: { key: string; generation: string }) => completeRollout(emu, arg));
  emu.operations.onComplete(DELETE_HOOK, (snapshot: Record<string, any>) => ({ response: snapshot, metadata: snapshot }));

  registerRunExecutions(emu);
  registerRunIam(emu, 'jobs', 'JOB', (name) => Boolean(jobs(emu)[name]));
}

function createJob(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.write');
  const id = checkResourceId(req.query.get('jobId'), 'CreateJobRequest.job_id', JOB_ID_LIMIT);
  const body = decode(JOB, req.body ?? {}, 'job');
  const spec = pickFields(JOB, body, SPEC_FIELDS());
  checkJobSpec(spec, 'CreateJobRequest');
  if (jobs(req.emu)[`${scope.parent}/jobs/${id}`]) throw alreadyExists(`Resource '${id}' already exists.`);
  return deploy(req, scope, id, spec);
}

function updateJob(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.write');
  const id = req.params.job;
  const body = decode(JOB, req.body ?? {}, 'job');
  const stored = jobs(req.emu)[`${scope.parent}/jobs/${id}`];
  if (!stored) {
    if (!queryFlag(req, 'allowMissing')) throw runNotFound('JOB', id, scope);
    checkResourceId(id, 'UpdateJobRequest.job.name', JOB_ID_LIMIT);
  } else {
    checkEtag(body.etag, stored.job.etag, id);
  }
  const spec = pickFields(JOB, body, SPEC_FIELDS());
  checkJobSpec(spec, 'UpdateJobRequest');
  return deploy(req, scope, id, spec);
}

function checkJobSpec(spec: Record<string, any>, request: string): void {
  checkUserKeys(spec.labels, `${request}.job.labels`, 'labels');
  checkUserKeys(spec.annotations, `${request}.job.annotations`, 'annotations');
  checkUserKeys(spec.template?.labels, `${request}.job.template.labels`, 'labels');
  checkUserKeys(spec.template?.annotations, `${request}.job.template.annotations`, 'annotations');
  if (!spec.template?.template) throw violation(`${request}.job.template.template`, 'field is required.'); // [G]
  checkContainers(spec.template.template.containers, { path: 'template.template.containers', reservedEnv: RESERVED_JOB_ENV, portsAllowed: false });
  checkTemplateParts(spec.template.template, { path: 'template.template', job: true });
}

/** Creates or replaces job `id`; a spec change bumps the generation, no change answers a finished operation. */
function deploy(req: EmuRequest, scope: RunScope, id: string, spec: Record<string, any>): EmuResponse {
  const emu = req.emu;
  const key = `${scope.parent}/jobs/${id}`;
  const current = jobs(emu)[key];
  applyJobDefaults(spec, scope.projectNumber);
  const task = spec.template.template;
  // Jobs run in the second generation environment ("Configure memory limits for jobs").
  checkResources({ containers: task.containers, gen2: true, path: 'template.template.containers' });
  checkTimeout(task.timeout, 'template.template.timeout', MAX_TASK_TIMEOUT_S);
  checkRuntimeServiceAccount(emu, task.serviceAccount);
  if (current && sameJson(pickFields(JOB, current.job, SPEC_FIELDS()), spec)) {
    return answerOperation(req, runOperations(emu).done(scope.parent, typed(current.job), typed(current.job)));
  }
  const now = emu.clock.iso();
  const previous = current?.job ?? {};
  const job: Record<string, any> = {
    name: key,
    ...spec,
    ...nextGeneration(previous, now),
    observedGeneration: previous.observedGeneration,
    executionCount: previous.executionCount,
    latestCreatedExecution: previous.latestCreatedExecution,
    reconciling: true,
    terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
    etag: quotedEtag(),
  };
  if (queryFlag(req, 'validateOnly')) return answerOperation(req, runOperations(emu).done(scope.parent, typed(job), typed(job)));
  const failure = deployFailure(emu, { ...task, projectId: scope.projectId, projectNumber: scope.projectNumber, specPath: 'spec.template.spec.template.spec' });
  jobs(emu)[key] = { job, projectNumber: scope.projectNumber, failure };
  return answerOperation(
    req,
    runOperations(emu).start(scope.parent, { metadata: typed(job), hook: ROLLOUT_HOOK, hookArg: { key, generation: job.generation } }),
  );
}

function completeRollout(emu: Emulator, arg: { key: string; generation: string }) {
  const stored = jobs(emu)[arg.key];
  if (!stored) {
    const [, project, , location, , id] = arg.key.split('/');
    return { error: { code: 5, message: `Resource '${id}' of kind 'JOB' in region '${location}' in project '${project}' does not exist.` } };
  }
  const job = stored.job;
  if (job.generation !== arg.generation) return { response: typed(job), metadata: typed(job) };
  job.reconciling = false;
  job.observedGeneration = job.generation;
  const now = emu.clock.iso();
  if (stored.failure) {
    const message = stored.failure.reasons.join('\n');
    job.terminalCondition = { type: 'Ready', state: 'CONDITION_FAILED', message, lastTransitionTime: now, severity: 'ERROR' };
    return { error: { code: stored.failure.code, message }, metadata: typed(job) };
  }
  job.terminalCondition = { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now };
  return { response: typed(job), metadata: typed(job) };
}

function deleteJob(req: EmuRequest): EmuResponse {
  const { scope, key, stored } = lookupJob(req, 'run.write');
  return deleteRunResource(req, {
    scope,
    resource: stored.job,
    id: req.params.job,
    typeUrl: JOB_TYPE_URL,
    hook: DELETE_HOOK,
    remove: () => {
      delete jobs(req.emu)[key];
      deleteExecutionsOf(req.emu, key);
      req.emu.policies.delete(runPolicyKey(key));
    },
  });
}

function listJobs(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.read');
  const all = childrenOf(jobs(req.emu), scope.parent, 'jobs').map((j) => j.job);
  const { page, nextPageToken } = paginate(all, req.query);
  return wire(req, `${RUN}.ListJobsResponse`, { jobs: page, nextPageToken });
}
