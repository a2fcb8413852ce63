// CloudSchedulerJob: Cloud Scheduler API v1 jobs with an HTTP target, through
// @google-cloud/scheduler (REST mode). Writes answer the job at once (no operations); an update
// names the fields musectl manages in its mask, so what it does not manage (a target another tool
// set, a state) is left as Google has it. Paused is not a field but a state: pause and resume
// move a job to it. Jobs have no labels and no creation time, so the inventory alone says whose
// a job is.
import type { Controller, ControllerContext, Exportable, Observed, Spec } from '../src/contract/controller.js';
import { durationSeconds, lower, mapPath } from '../src/contract/normalize.js';
import { cloneSpec, deepEqual } from '../src/contract/spec.js';
import { isNotFound } from '../src/gcp/errors.js';
import type { Resource } from '../src/manifest/index.js';
import { enumName, locationOf } from './cloud-run-common.js';
import { listAllPages } from './paging.js';
import { apiDuration } from './proto-values.js';
import { emailOf } from './service-account.js';

type Job = import('@google-cloud/scheduler').protos.google.cloud.scheduler.v1.IJob;
type HttpTarget = import('@google-cloud/scheduler').protos.google.cloud.scheduler.v1.IHttpTarget;

/** Google's defaults (job.proto): an HTTP attempt waits 3 minutes; retries start at 5 s, up to 1 h, doubling 5 times. */
const DEFAULTS = { attemptDeadline: 180, retryCount: 0, maxRetryDuration: 0, minBackoffDuration: 5, maxBackoffDuration: 3600, maxDoublings: 5 };
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** "For UTC use the string "utc". If a time zone is not specified, the default will be in UTC." (Job.time_zone) */
const UTC = 'Etc/UTC';
const UTC_NAMES = new Set([
  'utc',
  'etc/utc',
  'gmt',
  'etc/gmt',
  'uct',
  'etc/uct',
  'universal',
  'etc/universal',
  'zulu',
  'etc/zulu',
  'etc/gmt0',
  'etc/gmt+0',
  'etc/gmt-0',
  'gmt0',
]);
/** The fields musectl writes, as an update mask (proto names). */
const MASK = ['description', 'schedule', 'time_zone', 'attempt_deadline', 'retry_config', 'http_target'];

/** Listed per page: the API's maximum ("The maximum page size is 500"). */
const PAGE_SIZE = 500;
const QUOTA = { read: 'cloudscheduler.read', write: 'cloudscheduler.write' } as const;

const parentOf = (id: string): string => id.split('/jobs/')[0];
const idOf = (r: Resource, project: string): string => `projects/${project}/locations/${r.spec.location}/jobs/${r.name}`;

/**
 * The URL Google documents for Cloud Scheduler to run a Cloud Run job ("Execute jobs on a
 * schedule": https://REGION-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/PROJECT_ID/jobs/JOB:run).
 */
export const cloudRunJobRunUrl = (project: string, location: string, job: string): string =>
  `https://${location}-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/${project}/jobs/${job}:run`;

/** The Cloud Run job (projects/P/locations/L/jobs/J) a :run URL of either API version runs, if it is one. */
export function cloudRunJobOfUrl(uri: string): string | undefined {
  const v1 = /^https:\/\/([a-z]+-[a-z]+\d+)-run\.googleapis\.com\/apis\/run\.googleapis\.com\/v1\/namespaces\/([^/]+)\/jobs\/([^/:]+):run$/.exec(uri);
  if (v1) return `projects/${v1[2]}/locations/${v1[1]}/jobs/${v1[3]}`;
  const v2 = /^https:\/\/run\.googleapis\.com\/v2\/(projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/:]+):run$/.exec(uri);
  return v2?.[1];
}

/** A token's account in spec form: this project's accounts by reference, others by email. */
function accountSpec(email: string | null | undefined, project: string): Spec {
  const suffix = `@${project}.iam.gserviceaccount.com`;
  return email?.endsWith(suffix) ? { serviceAccountRef: { name: email.slice(0, -suffix.length) } } : { serviceAccountEmail: email ?? '' };
}

const accountEmail = (token: Spec, project: string): string =>
  token.serviceAccountRef ? emailOf(token.serviceAccountRef.name, project) : token.serviceAccountEmail;

function httpSpec(h: HttpTarget, project: string): Spec {
  const body = h.body && (h.body as Uint8Array).length > 0 ? Buffer.from(h.body as Uint8Array).toString('utf8') : undefined;
  return {
    uri: h.uri ?? '',
    httpMethod: enumName(h.httpMethod) ?? 'POST',
    headers: { ...(h.headers ?? {}) },
    ...(body !== undefined ? { body } : {}),
    ...(h.oauthToken ? { oauthToken: { ...accountSpec(h.oauthToken.serviceAccountEmail, project), scope: h.oauthToken.scope || CLOUD_PLATFORM } } : {}),
    ...(h.oidcToken
      ? { oidcToken: { ...accountSpec(h.oidcToken.serviceAccountEmail, project), ...(h.oidcToken.audience ? { audience: h.oidcToken.audience } : {}) } }
      : {}),
  };
}

function specOf(j: Job, project: string): Spec {
  const r = j.retryConfig ?? {};
  const seconds = (d: unknown, fallback: number): number => (d ? (durationSeconds(d) as number) : fallback);
  return {
    location: locationOf(j.name ?? ''),
    description: j.description ?? '',
    schedule: j.schedule ?? '',
    timeZone: j.timeZone || UTC,
    paused: enumName(j.state) === 'PAUSED',
    attemptDeadline: seconds(j.attemptDeadline, DEFAULTS.attemptDeadline),
    retryConfig: {
      retryCount: r.retryCount ?? DEFAULTS.retryCount,
      maxRetryDuration: seconds(r.maxRetryDuration, DEFAULTS.maxRetryDuration),
      minBackoffDuration: seconds(r.minBackoffDuration, DEFAULTS.minBackoffDuration),
      maxBackoffDuration: seconds(r.maxBackoffDuration, DEFAULTS.maxBackoffDuration),
      maxDoublings: r.maxDoublings ?? DEFAULTS.maxDoublings,
    },
    // A Pub/Sub or App Engine target (set by another tool) reads as no HTTP target: a change.
    httpTarget: j.httpTarget ? httpSpec(j.httpTarget, project) : {},
  };
}

function toObserved(j: Job, project: string): Observed {
  return { id: j.name ?? '', spec: specOf(j, project), labels: {}, outputs: { name: j.name ?? '' }, raw: j };
}

function toApi(id: string, desired: Spec, project: string): Job {
  const h = desired.httpTarget;
  const r = desired.retryConfig;
  return {
    name: id,
    description: desired.description,
    schedule: desired.schedule,
    timeZone: desired.timeZone,
    attemptDeadline: apiDuration(desired.attemptDeadline),
    retryConfig: {
      retryCount: r.retryCount,
      maxRetryDuration: apiDuration(r.maxRetryDuration),
      minBackoffDuration: apiDuration(r.minBackoffDuration),
      maxBackoffDuration: apiDuration(r.maxBackoffDuration),
      maxDoublings: r.maxDoublings,
    },
    httpTarget: {
      uri: h.uri,
      httpMethod: h.httpMethod,
      headers: h.headers,
      ...(h.body !== undefined ? { body: Buffer.from(h.body, 'utf8') } : {}),
      ...(h.oauthToken ? { oauthToken: { serviceAccountEmail: accountEmail(h.oauthToken, project), scope: h.oauthToken.scope } } : {}),
      ...(h.oidcToken
        ? { oidcToken: { serviceAccountEmail: accountEmail(h.oidcToken, project), ...(h.oidcToken.audience ? { audience: h.oidcToken.audience } : {}) } }
        : {}),
    } as HttpTarget,
  };
}

/** Canonical form for comparison: durations in seconds, every name of UTC as Etc/UTC, header names in lower case (RFC 9110). */
function normalize(spec: Spec): Spec {
  const s = cloneSpec(spec);
  s.location = lower(s.location);
  mapPath(s, 'timeZone', (z) => (typeof z === 'string' && UTC_NAMES.has(z.toLowerCase()) ? UTC : z));
  for (const path of ['attemptDeadline', 'retryConfig.maxRetryDuration', 'retryConfig.minBackoffDuration', 'retryConfig.maxBackoffDuration']) {
    mapPath(s, path, durationSeconds);
  }
  mapPath(s, 'httpTarget.headers', (h) =>
    h && typeof h === 'object' ? Object.fromEntries(Object.entries(h as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])) : h,
  );
  return s;
}

/** Pauses or resumes `id` to match `paused`; answers the job as Google now has it. */
async function setPaused(ctx: ControllerContext, id: string, paused: boolean): Promise<Job> {
  const client = ctx.clients.cloudScheduler();
  const [job] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `${paused ? 'pause' : 'resume'} ${id}` }, () =>
    paused ? client.pauseJob({ name: id }) : client.resumeJob({ name: id }),
  );
  return job;
}

export const cloudSchedulerJobController: Controller & Exportable = {
  kind: 'CloudSchedulerJob',
  facts: {
    clients: ['cloudScheduler'],
    requiresApi: 'cloudscheduler.googleapis.com',
    deletionPolicy: 'delete',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    exportScope: 'region',
  },

  identify: (r, ctx) => ({ id: idOf(r, ctx.project), scope: parentOf(idOf(r, ctx.project)) }),

  predictOutputs: (r, ctx) => ({ name: idOf(r, ctx.project) }),

  /** A Cloud Run job by reference becomes the URL that runs it, so a job moved to another region is a change of uri. */
  desired(r, ctx) {
    const spec = cloneSpec(r.spec);
    const h = spec.httpTarget;
    if (h.cloudRunJobRef) {
      const job = ctx.resource('CloudRunJob', h.cloudRunJobRef.name);
      h.uri = cloudRunJobRunUrl(ctx.project, job?.spec.location ?? spec.location, h.cloudRunJobRef.name);
      delete h.cloudRunJobRef;
    }
    for (const token of [h.oauthToken, h.oidcToken]) {
      if (token?.serviceAccountEmail) {
        Object.assign(token, accountSpec(token.serviceAccountEmail, ctx.project));
        if (token.serviceAccountRef) delete token.serviceAccountEmail;
      }
    }
    return spec;
  },

  normalize,

  async observe(ctx, scope) {
    const client = ctx.clients.cloudScheduler();
    const jobs = await listAllPages((pageToken) =>
      ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `list Cloud Scheduler jobs in ${scope}` }, () =>
        client.listJobs({ parent: scope, pageSize: PAGE_SIZE, pageToken }, { autoPaginate: false }),
      ),
    );
    return new Map(jobs.map((j) => [j.name ?? '', toObserved(j, ctx.project)]));
  },

  async create(ctx, r, desired) {
    const id = idOf(r, ctx.project);
    const client = ctx.clients.cloudScheduler();
    let [job] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `create ${r.key}` }, () =>
      client.createJob({ parent: parentOf(id), job: toApi(id, desired, ctx.project) }),
    );
    if (desired.paused) job = await setPaused(ctx, id, true);
    return toObserved(job, ctx.project);
  },

  async update(ctx, r, desired, _labels, actual) {
    const client = ctx.clients.cloudScheduler();
    // Only a pause or a resume: no update call.
    const changed = !deepEqual({ ...normalize(actual.spec), paused: false }, { ...normalize(desired), paused: false });
    let job = actual.raw as Job;
    if (changed) {
      [job] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `update ${r.key}` }, () =>
        client.updateJob({ job: toApi(actual.id, desired, ctx.project), updateMask: { paths: MASK } }),
      );
    }
    if (Boolean(desired.paused) !== (enumName(job.state) === 'PAUSED')) job = await setPaused(ctx, actual.id, Boolean(desired.paused));
    return toObserved(job, ctx.project);
  },

  async delete(ctx, actual) {
    try {
      await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `delete ${actual.id}` }, () =>
        ctx.clients.cloudScheduler().deleteJob({ name: actual.id }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },

  /** Defaults left out, durations as "180s", a Cloud Run job that is exported too by reference. */
  toManifestSpec(observed, _ctx, exported) {
    const spec = cloneSpec(observed.spec);
    const dropDefault = (o: Spec, key: string, value: unknown) => {
      if (JSON.stringify(o[key]) === JSON.stringify(value)) delete o[key];
    };
    dropDefault(spec, 'description', '');
    dropDefault(spec, 'timeZone', UTC);
    dropDefault(spec, 'paused', false);
    dropDefault(spec, 'attemptDeadline', DEFAULTS.attemptDeadline);
    for (const [k, v] of Object.entries(DEFAULTS)) if (k !== 'attemptDeadline') dropDefault(spec.retryConfig, k, v);
    if (Object.keys(spec.retryConfig).length === 0) delete spec.retryConfig;
    for (const k of ['attemptDeadline'] as const) if (spec[k] !== undefined) spec[k] = `${spec[k]}s`;
    for (const k of ['maxRetryDuration', 'minBackoffDuration', 'maxBackoffDuration'])
      if (spec.retryConfig?.[k] !== undefined) spec.retryConfig[k] = `${spec.retryConfig[k]}s`;
    const h = spec.httpTarget;
    dropDefault(h, 'httpMethod', 'POST');
    dropDefault(h, 'headers', {});
    if (h.oauthToken) dropDefault(h.oauthToken, 'scope', CLOUD_PLATFORM);
    for (const token of [h.oauthToken, h.oidcToken]) {
      if (token?.serviceAccountRef && !exported.has('ServiceAccount', token.serviceAccountRef.name)) {
        token.serviceAccountEmail = emailOf(token.serviceAccountRef.name, observed.id.split('/')[1]);
        delete token.serviceAccountRef;
      }
    }
    const runs = cloudRunJobOfUrl(h.uri ?? '');
    const jobName = runs ? exported.nameOf('CloudRunJob', runs) : undefined;
    if (jobName && h.uri === cloudRunJobRunUrl(observed.id.split('/')[1], locationOf(runs as string), jobName)) {
      h.cloudRunJobRef = { name: jobName };
      delete h.uri;
    }
    return spec;
  },
};
