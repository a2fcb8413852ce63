// Service Usage v1 (gcp-api-facts.md §7; google.api.serviceusage.v1 protos): which APIs a project
// has enabled. Get, list (filter state:ENABLED|DISABLED), batchGet, enable, disable, batchEnable,
// and the operations at /v1/operations/ID. Resource names always carry the project NUMBER.
import { randomUUID } from 'node:crypto';
import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { ApiError, errorInfo, invalidArgument } from '../errors.js';
import { renderOperation, type StoredOperation } from '../operations.js';
import type { Project } from '../projects.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { paginate, wire } from './common.js';
import { DEFAULT_ENABLED_SERVICES, isKnownService, KNOWN_SERVICES, SERVICE_TITLES } from './service-usage-catalog.js';

const SU = 'google.api.serviceusage.v1';
const TYPE_URL = `type.googleapis.com/${SU}`;
/** projectId -> names of the services enabled on it. */
const COLLECTION = 'serviceusage.enabledServices';
/**
 * What Google answers, done at once, when an enable or disable changes nothing. It is not a real
 * operation: polling it 404s.
 */
const NOOP_OPERATION = 'operations/noop.DONE_OPERATION';

type State = 'ENABLED' | 'DISABLED';
interface HookArg {
  projectId: string;
  services: string[];
  batch?: boolean;
}

export function registerServiceUsage(emu: Emulator): void {
  const r = emu.router;
  const SERVICE = '/v1/projects/{project}/services/{service}';
  r.get('/v1/projects/{project}/services', listServices);
  r.get('/v1/projects/{project}/services:batchGet', batchGetServices);
  r.get(SERVICE, getService);
  r.post(`${SERVICE}:enable`, enableService);
  r.post(`${SERVICE}:disable`, disableService);
  r.post('/v1/projects/{project}/services:batchEnable', batchEnableServices);
  r.get('/v1/operations/{operation}', getOperation);

  emu.operations.onComplete('serviceusage.enable', (arg: HookArg) => finish(emu, arg, 'ENABLED'));
  emu.operations.onComplete('serviceusage.disable', (arg: HookArg) => finish(emu, arg, 'DISABLED'));
}

/** True when `service` is enabled on the project (for APIs that refuse calls to a disabled service). */
export function serviceEnabled(emu: Emulator, projectId: string, service: string): boolean {
  return enabledServices(emu, projectId).includes(service);
}

/** The enabled set of a project; a project seen for the first time starts with Google's defaults. */
function enabledServices(emu: Emulator, projectId: string): string[] {
  return (emu.store.collection<string[]>(COLLECTION)[projectId] ??= [...DEFAULT_ENABLED_SERVICES]);
}

function stateOf(emu: Emulator, projectId: string, service: string): State {
  return serviceEnabled(emu, projectId, service) ? 'ENABLED' : 'DISABLED';
}

/** A Service message in canonical form (enum by name). */
function serviceResource(project: Project, service: string, state: State): Record<string, unknown> {
  return {
    name: `projects/${project.projectNumber}/services/${service}`,
    parent: `projects/${project.projectNumber}`,
    config: { name: service, title: SERVICE_TITLES[service] ?? service },
    state,
  };
}

/** Completion hook: the services take their new state when the operation finishes. */
function finish(emu: Emulator, arg: HookArg, state: State) {
  const project = emu.projects.resolve(arg.projectId);
  const enabled = enabledServices(emu, arg.projectId);
  for (const service of arg.services) {
    const at = enabled.indexOf(service);
    if (state === 'ENABLED' && at < 0) enabled.push(service);
    if (state === 'DISABLED' && at >= 0) enabled.splice(at, 1);
  }
  const services = arg.services.map((s) => serviceResource(project, s, state));
  if (arg.batch) return { response: { '@type': `${TYPE_URL}.BatchEnableServicesResponse`, services } };
  const type = state === 'ENABLED' ? 'EnableServiceResponse' : 'DisableServiceResponse';
  return { response: { '@type': `${TYPE_URL}.${type}`, service: services[0] } };
}

function chargedProject(req: EmuRequest, metric: 'serviceusage.read' | 'serviceusage.write'): Project {
  const project = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge(metric, project.projectId, project.projectNumber);
  return project;
}

/** Enable/disable of a service that does not exist (or is hidden from the caller). */
function notFoundOrDenied(services: string[]): ApiError {
  const list = services.join(', ');
  return new ApiError(403, `Not found or permission denied for service(s): ${list}.`, 'PERMISSION_DENIED', [
    errorInfo('SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED', 'serviceusage.googleapis.com', { services: list }),
  ]);
}

/** [G] A read of an unknown service: Google does not reveal whether it exists. */
function cannotGet(service: string): ApiError {
  return new ApiError(403, `Permission denied to get service [${service}]`, 'PERMISSION_DENIED', [
    errorInfo('AUTH_PERMISSION_DENIED', 'serviceusage.googleapis.com', { permission: 'serviceusage.services.get' }),
  ]);
}

function getService(req: EmuRequest): EmuResponse {
  const project = chargedProject(req, 'serviceusage.read');
  const service = req.params.service;
  if (!isKnownService(service)) throw cannotGet(service);
  return wire(req, `${SU}.Service`, serviceResource(project, service, stateOf(req.emu, project.projectId, service)));
}

function listServices(req: EmuRequest): EmuResponse {
  const project = chargedProject(req, 'serviceusage.read');
  const filter = (req.query.get('filter') ?? '').trim();
  let wanted: State | undefined;
  if (filter === 'state:ENABLED' || filter === 'state:DISABLED') wanted = filter.slice('state:'.length) as State;
  else if (filter !== '') {
    // [G] wording; the proto allows only these two filter strings.
    throw invalidArgument(`Invalid filter "${filter}": the allowed filter strings are state:ENABLED and state:DISABLED.`, 'filter');
  }
  const enabled = enabledServices(req.emu, project.projectId);
  const names = [...new Set([...KNOWN_SERVICES, ...enabled])].sort();
  const matching = names.map((s) => serviceResource(project, s, enabled.includes(s) ? 'ENABLED' : 'DISABLED')).filter((s) => !wanted || s.state === wanted);
  // Page size defaults to 50 and cannot exceed 200 (ListServicesRequest.page_size).
  const { page, nextPageToken } = paginate(matching, req.query, { defaultSize: 50, maxSize: 200 });
  return wire(req, `${SU}.ListServicesResponse`, { services: page, nextPageToken });
}

function batchGetServices(req: EmuRequest): EmuResponse {
  const project = chargedProject(req, 'serviceusage.read');
  const names = req.query.getAll('names');
  if (names.length > 30) throw invalidArgument('A single request can get a maximum of 30 services at a time.', 'names');
  const services = names.map((name) => {
    const m = /^projects\/([^/]+)\/services\/([^/]+)$/.exec(name);
    if (!m || req.emu.projects.resolve(m[1]).projectId !== project.projectId) {
      throw invalidArgument(`Service name ${name} is not under the parent projects/${req.params.project}.`, 'names');
    }
    if (!isKnownService(m[2])) throw cannotGet(m[2]);
    return serviceResource(project, m[2], stateOf(req.emu, project.projectId, m[2]));
  });
  return wire(req, `${SU}.BatchGetServicesResponse`, { services });
}

function enableService(req: EmuRequest): EmuResponse {
  const project = chargedProject(req, 'serviceusage.write');
  decode(`${SU}.EnableServiceRequest`, req.body ?? {});
  const service = req.params.service;
  if (!isKnownService(service)) throw notFoundOrDenied([service]);
  if (serviceEnabled(req.emu, project.projectId, service)) {
    return noop(req, { '@type': `${TYPE_URL}.EnableServiceResponse`, service: serviceResource(project, service, 'ENABLED') });
  }
  return startOperation(req, project, 'acf', 'serviceusage.enable', [service]);
}

function disableService(req: EmuRequest): EmuResponse {
  const project = chargedProject(req, 'serviceusage.write');
  // Checks the body (disableDependentServices, checkIfServiceHasUsage by name or number); the
  // emulator keeps no usage history and no dependency graph, so neither changes the outcome.
  decode(`${SU}.DisableServiceRequest`, req.body ?? {});
  const service = req.params.service;
  if (!isKnownService(service)) throw notFoundOrDenied([service]);
  if (!serviceEnabled(req.emu, project.projectId, service)) {
    return noop(req, { '@type': `${TYPE_URL}.DisableServiceResponse`, service: serviceResource(project, service, 'DISABLED') });
  }
  return startOperation(req, project, 'acat', 'serviceusage.disable', [service]);
}

function batchEnableServices(req: EmuRequest): EmuResponse {
  const project = chargedProject(req, 'serviceusage.write');
  const body = decode(`${SU}.BatchEnableServicesRequest`, req.body ?? {});
  const ids: string[] = body.serviceIds ?? [];
  // [G] wordings; the limits are the proto's (at least one, at most 20 per request).
  if (ids.length === 0) throw invalidArgument('No services were specified to enable.', 'service_ids');
  if (ids.length > 20) throw invalidArgument('A single request can enable a maximum of 20 services at a time.', 'service_ids');
  const unknown = ids.filter((s) => !isKnownService(s));
  if (unknown.length > 0) throw notFoundOrDenied(unknown);
  const services = [...new Set(ids)];
  if (services.every((s) => serviceEnabled(req.emu, project.projectId, s))) {
    return noop(req, {
      '@type': `${TYPE_URL}.BatchEnableServicesResponse`,
      services: services.map((s) => serviceResource(project, s, 'ENABLED')),
    });
  }
  return startOperation(req, project, 'acf', 'serviceusage.enable', services, true);
}

/**
 * Starts the operation that flips the services (it completes after EmulatorOptions.operationMs).
 * Google names these `operations/acf.p2-NUMBER-UUID` (enable) and `operations/acat.p2-...` (disable).
 */
function startOperation(req: EmuRequest, project: Project, kind: 'acf' | 'acat', hook: string, services: string[], batch = false): EmuResponse {
  const op = req.emu.operations.forApi('serviceusage.googleapis.com').start('', {
    id: `${kind}.p2-${project.projectNumber}-${randomUUID()}`,
    metadata: {
      '@type': `${TYPE_URL}.OperationMetadata`,
      resourceNames: services.map((s) => `services/${s}/projectSettings/${project.projectNumber}`),
    },
    hook,
    hookArg: { projectId: project.projectId, services, ...(batch ? { batch } : {}) } satisfies HookArg,
  });
  return { body: renderOperation(op, req.enumInt) };
}

function noop(req: EmuRequest, response: Record<string, unknown>): EmuResponse {
  const op: StoredOperation = { name: NOOP_OPERATION, done: true, response, doneAt: req.emu.clock.now() };
  return { body: renderOperation(op, req.enumInt) };
}

function getOperation(req: EmuRequest): EmuResponse {
  const name = `operations/${req.params.operation}`;
  const op = req.emu.operations.forApi('serviceusage.googleapis.com').get(name);
  // [G] wording. The noop operation is not stored, so polling it 404s as it does at Google.
  if (!op) throw new ApiError(404, `Operation ${name} not found.`, 'NOT_FOUND');
  return { body: renderOperation(op, req.enumInt) };
}
