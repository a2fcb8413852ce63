// The Knative-style Cloud Run Admin API v1 that gcloud run reads, served from the same state as v2
// (run-v1-convert.ts shapes it): list and get of services and revisions
// (/apis/serving.knative.dev/v1/namespaces/P/...), jobs and executions
// (/apis/run.googleapis.com/v1/namespaces/P/...), and /v1/projects/P/locations/-/services for every
// region. Google serves the namespaced paths on regional hosts (REGION-run.googleapis.com): the
// region comes from the Host header, which a client sends when it reaches the emulator through an
// HTTP proxy (README: gcloud against the emulator); without one, every region's resources answer.
import type { Emulator } from '../emulator.js';
import { notFound } from '../errors.js';
import type { Project } from '../projects.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { scheduleCompletion, startExecution } from './run-executions.js';
import { executions, jobs } from './run-job-store.js';
import { revisionsOf, revisionView, shortName } from './run-revisions.js';
import { services } from './run-service-model.js';
import { CLOUD_RUN_REGIONS } from './run-urls.js';
import { knativeExecution, knativeJob, knativeRevision, knativeService, type Place } from './run-v1-convert.js';

const KNATIVE = '/apis/serving.knative.dev/v1/namespaces/{namespace}';
const RUN_V1 = '/apis/run.googleapis.com/v1/namespaces/{namespace}';

type Kind = 'SERVICE' | 'REVISION' | 'JOB' | 'EXECUTION';

export function registerRunV1(emu: Emulator): void {
  const r = emu.router;
  r.get(`${KNATIVE}/services`, (req) => list(req, 'serving.knative.dev/v1', 'ServiceList', serviceItems(req)));
  r.get(`${KNATIVE}/services/{name}`, (req) => one(req, 'SERVICE', serviceItems(req)));
  r.get(`${KNATIVE}/revisions`, (req) => list(req, 'serving.knative.dev/v1', 'RevisionList', revisionItems(req)));
  r.get(`${KNATIVE}/revisions/{name}`, (req) => one(req, 'REVISION', revisionItems(req)));
  r.get(`${RUN_V1}/jobs`, (req) => list(req, 'run.googleapis.com/v1', 'JobsList', jobItems(req)));
  r.get(`${RUN_V1}/jobs/{name}`, (req) => one(req, 'JOB', jobItems(req)));
  // Cloud Scheduler's documented way to run a job: POST to this URL on the job's regional host.
  r.add('POST', `${RUN_V1}/jobs/{name}:run`, runJobV1, { mutates: true });
  r.get(`${RUN_V1}/executions`, (req) => list(req, 'run.googleapis.com/v1', 'ExecutionsList', executionItems(req)));
  r.get(`${RUN_V1}/executions/{name}`, (req) => one(req, 'EXECUTION', executionItems(req)));
  // `gcloud run services list` without --region: every region of the project ("-").
  r.get('/v1/projects/{namespace}/locations/{location}/services', (req) => list(req, 'serving.knative.dev/v1', 'ServiceList', serviceItems(req)));
}

/** The region a regional host names (us-central1-run.googleapis.com), or the path's location. */
function regionOf(req: EmuRequest): string | undefined {
  if (req.params.location && req.params.location !== '-') return req.params.location;
  const m = /^([a-z]+-[a-z]+\d+)-run\.googleapis\.com(?::\d+)?$/.exec(String(req.headers.host ?? ''));
  return m?.[1];
}

interface Item {
  region: string;
  name: string;
  labels: Record<string, string>;
  body: Record<string, unknown>;
}

/** Splits projects/P/locations/L/... into its project id and region. */
const placeOf = (name: string): { projectId: string; region: string } => {
  const [, projectId, , region] = name.split('/');
  return { projectId, region };
};

function inScope(req: EmuRequest): { project: Project; region: string | undefined } {
  const project = req.emu.projects.resolve(req.params.namespace);
  const region = regionOf(req);
  req.emu.quota.charge('run.read', `${project.projectId}/${region ?? '-'}`, project.projectNumber);
  return { project, region };
}

function collect<T>(req: EmuRequest, all: T[], nameOf: (t: T) => string, build: (t: T, at: Place) => Record<string, unknown>): Item[] {
  const { project, region } = inScope(req);
  return all
    .filter((t) => {
      const at = placeOf(nameOf(t));
      return at.projectId === project.projectId && (!region || at.region === region);
    })
    .map((t) => {
      const at = placeOf(nameOf(t));
      const body = build(t, { projectNumber: project.projectNumber, region: at.region });
      const meta = body.metadata as { name: string; labels: Record<string, string> };
      return { region: at.region, name: meta.name, labels: meta.labels, body };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

const serviceItems = (req: EmuRequest) =>
  collect(
    req,
    Object.values(services(req.emu)),
    (s) => s.service.name,
    (s, at) => knativeService(s.service, at),
  );
const revisionItems = (req: EmuRequest) => {
  const all = services(req.emu);
  const serving = new Set(Object.values(all).flatMap((s) => servingRevisions(s.service)));
  return collect(
    req,
    Object.keys(all).flatMap((key) => revisionsOf(req.emu, key)),
    (r) => r.name,
    (r, at) => knativeRevision(revisionView(r), at, serving.has(shortName(r.name))),
  );
};

/** The revisions (short names) a service sends a share of its traffic to, from its traffic statuses. */
function servingRevisions(service: Record<string, any>): string[] {
  return (service.trafficStatuses ?? [])
    .filter((t: any) => (t.percent ?? 0) > 0)
    .map((t: any) => (t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' ? service.latestReadyRevision : t.revision))
    .filter(Boolean)
    .map(shortName);
}

const jobItems = (req: EmuRequest) =>
  collect(
    req,
    Object.values(jobs(req.emu)),
    (j) => j.job.name,
    (j, at) => knativeJob(j.job, at),
  );
const executionItems = (req: EmuRequest) =>
  collect(
    req,
    Object.values(executions(req.emu)),
    (e) => e.execution.name,
    (e, at) => knativeExecution(e.execution, at),
  );

/** labelSelector "k=v,k2=v2" (what gcloud sends to list a service's revisions or a job's executions). */
function selected(items: Item[], selector: string | null): Item[] {
  if (!selector) return items;
  const wanted = selector.split(',').map((p) => p.split('='));
  return items.filter((i) => wanted.every(([k, v]) => i.labels[k.trim()] === v?.trim()));
}

function list(req: EmuRequest, apiVersion: string, kind: string, items: Item[]): EmuResponse {
  const page = selected(items, req.query.get('labelSelector'));
  return { body: { apiVersion, kind, metadata: {}, items: page.map((i) => i.body) } };
}

function one(req: EmuRequest, kind: Kind, items: Item[]): EmuResponse {
  const found = items.find((i) => i.name === req.params.name);
  if (!found) {
    const region = regionOf(req) ?? '-';
    throw notFound(`Resource '${req.params.name}' of kind '${kind}' in region '${region}' in project '${req.params.namespace}' does not exist.`);
  }
  return { body: found.body };
}

/**
 * `POST REGION-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/P/jobs/J:run` ("Execute jobs
 * on a schedule" gives this URL to Cloud Scheduler): starts an execution as v2's RunJob does and
 * answers it as a Knative Execution. Without a regional host, the job is looked up in every region.
 */
function runJobV1(req: EmuRequest): EmuResponse {
  const project = req.emu.projects.resolve(req.params.namespace);
  const region = regionOf(req);
  const found = Object.entries(jobs(req.emu)).find(([key]) => {
    const at = placeOf(key);
    return at.projectId === project.projectId && (!region || at.region === region) && key.endsWith(`/jobs/${req.params.name}`);
  });
  if (!found || (region && !CLOUD_RUN_REGIONS.has(region))) {
    throw notFound(`Resource '${req.params.name}' of kind 'JOB' in region '${region ?? '-'}' in project '${req.params.namespace}' does not exist.`);
  }
  const [key, stored] = found;
  const location = placeOf(key).region;
  req.emu.quota.charge('run.write', `${project.projectId}/${location}`, project.projectNumber);
  const scope = {
    requested: req.params.namespace,
    projectId: project.projectId,
    projectNumber: project.projectNumber,
    location,
    parent: `projects/${project.projectId}/locations/${location}`,
  };
  const o = (req.body as { overrides?: Record<string, any> } | undefined)?.overrides;
  // v1's overrides say timeoutSeconds where v2 says timeout.
  const overrides = o ? { ...o, ...(o.timeoutSeconds !== undefined ? { timeout: `${o.timeoutSeconds}s` } : {}) } : undefined;
  const { execution } = startExecution(req, scope, key, stored, overrides, false);
  scheduleCompletion(req.emu, scope, execution);
  return { body: knativeExecution(execution, { projectNumber: project.projectNumber, region: location }) };
}
