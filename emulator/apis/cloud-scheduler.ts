// Cloud Scheduler API v1 (google.cloud.scheduler.v1.CloudScheduler, the protos of
// @google-cloud/scheduler): jobs CRUD, pause, resume and run. Writes answer the Job at once (no
// operations). A job fires on its schedule, in its time zone, on the emulator's clock
// (cloud-scheduler-attempts.ts); Google's words for each refusal are in emulator/FACTS.md.
import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { ApiError, alreadyExists, badRequest, invalidArgument, notFound } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { armJob, attemptNow, disarmJob, rearmAll } from './cloud-scheduler-attempts.js';
import { parseSchedule, validTimeZone } from './cloud-scheduler-cron.js';
import { JOB, jobsOf, SCHEDULER, type StoredSchedulerJob, schedulerJobs } from './cloud-scheduler-store.js';
import { applyMask, paginate, parseMask, wire } from './common.js';
import { CLOUD_RUN_REGIONS } from './run-urls.js';

/** What a caller sets; the rest (state, status, times) is Google's. */
const USER_FIELDS = ['description', 'pubsubTarget', 'appEngineHttpTarget', 'httpTarget', 'schedule', 'timeZone', 'retryConfig', 'attemptDeadline'];
const TARGETS = ['pubsubTarget', 'appEngineHttpTarget', 'httpTarget'] as const;
/** [V] "Schedule or time zone is invalid." (googleapis/google-cloud-go#1352, hashicorp/terraform#31571). */
const INVALID_SCHEDULE = 'Schedule or time zone is invalid.';
/** [V] googleapis/nodejs-scheduler#114. */
const NAME_FORMAT = 'Job name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/jobs/<JOB_ID>".';

export function registerCloudScheduler(emu: Emulator): void {
  registerRpcs(
    emu,
    '@google-cloud/scheduler',
    `${SCHEDULER}.CloudScheduler`,
    {
      CreateJob: createJob,
      GetJob: (req) => wire(req, JOB, lookup(req, 'read').job),
      ListJobs: listJobs,
      UpdateJob: updateJob,
      DeleteJob: deleteJob,
      PauseJob: (req) => setState(req, 'PAUSED'),
      ResumeJob: (req) => setState(req, 'ENABLED'),
      RunJob: runJob,
    },
    { noColonInIds: true },
  );
  // Jobs kept in a state file fire again once the emulator starts.
  rearmAll(emu);
}

interface Scope {
  projectId: string;
  projectNumber: string;
  location: string;
  parent: string;
}

/** The request's project and location, with the read or write quota charged (500 writes, 1250 reads a minute). */
function scopeOf(req: EmuRequest, kind: 'read' | 'write'): Scope {
  const p = req.emu.projects.resolve(req.params.project);
  const location = req.params.location;
  if (!CLOUD_RUN_REGIONS.has(location)) {
    // [G] Cloud Tasks' words for the same mistake (its sister API).
    const message = `Location '${location}' is not a valid location. Use ListLocations to list valid locations.`;
    throw new ApiError(400, message, 'INVALID_ARGUMENT', [badRequest('parent', message)]);
  }
  req.emu.quota.charge(`cloudscheduler.${kind}`, p.projectId, p.projectNumber);
  return { projectId: p.projectId, projectNumber: p.projectNumber, location, parent: `projects/${p.projectId}/locations/${location}` };
}

function lookup(req: EmuRequest, kind: 'read' | 'write'): StoredSchedulerJob & { key: string; scope: Scope } {
  const scope = scopeOf(req, kind);
  const key = `${scope.parent}/jobs/${req.params.job}`;
  const stored = schedulerJobs(req.emu)[key];
  // [G] wording: Google's own is not on record.
  if (!stored) throw notFound('Job not found.');
  return { ...stored, key, scope };
}

function createJob(req: EmuRequest): EmuResponse {
  const scope = scopeOf(req, 'write');
  const body = decode(JOB, req.body ?? {}, 'job');
  const name = String(body.name ?? '');
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([A-Za-z0-9_-]{1,500})$/.exec(name);
  if (!m || req.emu.projects.resolve(m[1]).projectId !== scope.projectId || m[2] !== scope.location) throw invalidArgument(NAME_FORMAT, 'job.name');
  const key = `${scope.parent}/jobs/${m[3]}`;
  if (schedulerJobs(req.emu)[key]) throw alreadyExists(`Job ${key} already exists.`); // [V] hashicorp/terraform-provider-google#16918
  const job: Record<string, any> = { name: key, ...pick(body) };
  check(job, scope);
  const now = req.emu.clock.iso();
  Object.assign(job, { userUpdateTime: now, state: 'ENABLED' });
  schedulerJobs(req.emu)[key] = { job, projectNumber: scope.projectNumber, anchor: now };
  armJob(req.emu, key);
  return wire(req, JOB, job);
}

function updateJob(req: EmuRequest): EmuResponse {
  const { scope, key, ...stored } = lookup(req, 'write');
  const body = decode(JOB, req.body ?? {}, 'job');
  const mask = parseMask(req.query.get('updateMask'));
  const job = structuredClone(stored.job);
  // A target is a oneof: setting one clears the others.
  const setTarget = TARGETS.find((t) => body[t] !== undefined && (mask.length === 0 || mask.some((p) => p.split('.')[0] === t)));
  if (setTarget) for (const t of TARGETS) if (t !== setTarget) delete job[t];
  // Without a mask, the fields the body has replace the job's [G].
  const paths = mask.length > 0 ? mask : USER_FIELDS.filter((f) => body[f] !== undefined);
  if (paths.length > 0) applyMask(job, body, paths, USER_FIELDS);
  check(job, scope);
  const now = req.emu.clock.iso();
  job.userUpdateTime = now;
  schedulerJobs(req.emu)[key] = { ...stored, job, anchor: now };
  armJob(req.emu, key);
  return wire(req, JOB, schedulerJobs(req.emu)[key].job);
}

function deleteJob(req: EmuRequest): EmuResponse {
  const stored = lookup(req, 'write');
  disarmJob(req.emu, stored.key);
  delete schedulerJobs(req.emu)[stored.key];
  return wire(req, 'google.protobuf.Empty', {});
}

/** Pause and resume: a paused job does not fire (and is still billed, "A paused job is counted as a job"). */
function setState(req: EmuRequest, state: 'PAUSED' | 'ENABLED'): EmuResponse {
  const stored = lookup(req, 'write');
  const job = schedulerJobs(req.emu)[stored.key].job;
  if (job.state !== state) {
    job.state = state;
    if (state === 'ENABLED') schedulerJobs(req.emu)[stored.key].anchor = req.emu.clock.iso();
  }
  armJob(req.emu, stored.key);
  return wire(req, JOB, job);
}

/**
 * "Forces a job to run now": one attempt at once, whatever the state [G: a paused job too, as the
 * console's Force run does]. The answer comes once the attempt is done, with its status.
 */
async function runJob(req: EmuRequest): Promise<EmuResponse> {
  const stored = lookup(req, 'write');
  await attemptNow(req.emu, stored.key);
  return wire(req, JOB, schedulerJobs(req.emu)[stored.key]?.job ?? stored.job);
}

function listJobs(req: EmuRequest): EmuResponse {
  const scope = scopeOf(req, 'read');
  // "The maximum page size is 500. If unspecified, the page size will be the maximum."
  const { page, nextPageToken } = paginate(
    jobsOf(req.emu, scope.parent).map((s) => s.job),
    req.query,
    { defaultSize: 500, maxSize: 500 },
  );
  return wire(req, `${SCHEDULER}.ListJobsResponse`, { jobs: page, nextPageToken });
}

function pick(body: Record<string, any>): Record<string, any> {
  return Object.fromEntries(USER_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
}

/** Google's create- and update-time rules; each [G] wording unless noted (emulator/FACTS.md). */
function check(job: Record<string, any>, scope: Scope): void {
  const targets = TARGETS.filter((t) => job[t] !== undefined);
  if (targets.length !== 1) throw invalidArgument('A job must have exactly one target: pubsubTarget, appEngineHttpTarget or httpTarget.', 'job');
  const schedule = typeof job.schedule === 'string' ? parseSchedule(job.schedule) : undefined;
  if (!schedule || (job.timeZone !== undefined && !validTimeZone(job.timeZone))) throw invalidArgument(INVALID_SCHEDULE);
  if (typeof job.description === 'string' && job.description.length > 500)
    throw invalidArgument('Job description must be at most 500 characters.', 'job.description');
  const retries = job.retryConfig?.retryCount;
  if (retries !== undefined && (retries < 0 || retries > 5))
    throw invalidArgument('RetryConfig.retry_count must be between 0 and 5.', 'job.retry_config.retry_count');
  const http = job.httpTarget;
  if (!http) return;
  if (!/^https?:\/\//.test(String(http.uri ?? '')) || String(http.uri).length > 2083) {
    throw invalidArgument('HttpTarget.uri must begin with "http://" or "https://" and be at most 2083 characters.', 'job.http_target.uri');
  }
  const method = http.httpMethod ?? 'POST';
  if (http.body && !['POST', 'PUT', 'PATCH', 'HTTP_METHOD_UNSPECIFIED'].includes(method)) {
    throw invalidArgument(`A body is allowed only with POST, PUT or PATCH, not ${method}.`, 'job.http_target.body');
  }
  // "For HTTP targets, the default is 3 minutes. The deadline must be in the interval [15 seconds, 30 minutes]."
  if (job.attemptDeadline !== undefined) {
    const seconds = Number(String(job.attemptDeadline).replace(/s$/, ''));
    if (!(seconds >= 15 && seconds <= 1800))
      throw invalidArgument('attempt_deadline must be between 15 seconds and 30 minutes for an HTTP target.', 'job.attempt_deadline');
  }
  // "The service account must be within the same project as the job."
  for (const token of [http.oauthToken, http.oidcToken]) {
    const email = token?.serviceAccountEmail;
    if (email === undefined) continue;
    const project = /@([a-z][-a-z0-9]*)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
    if (project !== undefined && project !== scope.projectId) {
      throw invalidArgument(`Service account ${email} must be in the job's project ${scope.projectId}.`, 'job.http_target');
    }
  }
}
