// Cloud Run Admin API v2: services over HTTP (gcp-api-facts.md §1): requests are read and checked
// here, and run-service-model.ts does the deployment. Create, update and delete answer long-running
// operations whose metadata and response are the Service; a rollout takes the emulator's
// operationMs, during which the service is reconciling. Revisions, operations and IAM live in their
// own run-*.ts modules and are registered from here.
// To exercise a failed rollout, deploy an image whose name contains "fail-rollout"
// (FAIL_ROLLOUT_MARKER in run-service-status.ts): the operation ends with code 9 as Google's does.
import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { alreadyExists, invalidArgument } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { getPath, paginate, parseMask, setPath, wire } from './common.js';
import { answerOperation, checkEtag, childrenOf, deleteRunResource, pickFields, queryFlag, RUN, type RunScope, runNotFound, runScope } from './run-common.js';
import { registerRunIam, runPolicyKey } from './run-iam.js';
import { registerRunOperations } from './run-operations.js';
import { deleteRevisionsOf, registerRunRevisions } from './run-revisions.js';
import {
  completeRollout,
  deploy,
  ROLLOUT_HOOK,
  type RolloutArg,
  SERVICE,
  SERVICE_TYPE_URL,
  SPEC_FIELDS,
  type StoredService,
  services,
} from './run-service-model.js';
import { checkTemplateParts } from './run-template-checks.js';
import { checkContainers, checkResourceId, checkUserKeys, RESERVED_SERVICE_ENV, violation } from './run-validation.js';

const DELETE_HOOK = 'run.service.delete';

export function registerRunServices(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/run', `${RUN}.Services`, {
    CreateService: createService,
    ListServices: listServices,
    GetService: (req) => wire(req, SERVICE, lookup(req, 'run.read').stored.service),
    UpdateService: updateService,
    DeleteService: deleteService,
  });

  emu.operations.onComplete(ROLLOUT_HOOK, (arg: RolloutArg) => completeRollout(emu, arg));
  emu.operations.onComplete(DELETE_HOOK, (snapshot: Record<string, any>) => ({ response: snapshot, metadata: snapshot }));

  registerRunRevisions(emu);
  // One operations surface serves services and jobs alike.
  registerRunOperations(emu);
  registerRunIam(emu, 'services', 'SERVICE', (name) => Boolean(services(emu)[name]));
}

function lookup(req: EmuRequest, metric: 'run.read' | 'run.write'): { scope: RunScope; key: string; stored: StoredService } {
  const scope = runScope(req, metric);
  const key = `${scope.parent}/services/${req.params.service}`;
  const stored = services(req.emu)[key];
  if (!stored) throw runNotFound('SERVICE', req.params.service, scope);
  return { scope, key, stored };
}

function createService(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.write');
  const id = checkResourceId(req.query.get('serviceId'), 'CreateServiceRequest.service_id', 50);
  const body = decode(SERVICE, req.body ?? {}, 'service');
  const spec = pickFields(SERVICE, body, SPEC_FIELDS());
  checkSpec(spec, 'CreateServiceRequest');
  if (services(req.emu)[`${scope.parent}/services/${id}`]) throw alreadyExists(`Resource '${id}' already exists.`);
  return answerOperation(req, deploy(req.emu, scope, id, undefined, spec, queryFlag(req, 'validateOnly')));
}

function updateService(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.write');
  const id = req.params.service;
  const key = `${scope.parent}/services/${id}`;
  const body = decode(SERVICE, req.body ?? {}, 'service');
  const stored = services(req.emu)[key];
  if (!stored) {
    if (!queryFlag(req, 'allowMissing')) throw runNotFound('SERVICE', id, scope);
    // allowMissing turns the update into a create of the service named in the path.
    checkResourceId(id, 'UpdateServiceRequest.service.name', 50);
    const spec = pickFields(SERVICE, body, SPEC_FIELDS());
    checkSpec(spec, 'UpdateServiceRequest');
    return answerOperation(req, deploy(req.emu, scope, id, undefined, spec, queryFlag(req, 'validateOnly')));
  }
  checkEtag(body.etag, stored.service.etag, id);
  const spec = maskedSpec(stored.service, body, parseMask(req.query.get('updateMask')));
  checkSpec(spec, 'UpdateServiceRequest');
  return answerOperation(req, deploy(req.emu, scope, id, stored, spec, queryFlag(req, 'validateOnly')));
}

/** Full replacement without a mask (or with "*"); otherwise only the masked paths change. */
function maskedSpec(current: Record<string, any>, body: Record<string, any>, mask: string[]): Record<string, any> {
  const fields = SPEC_FIELDS();
  if (mask.length === 0 || mask.includes('*')) return pickFields(SERVICE, body, fields);
  const spec = pickFields(SERVICE, current, fields);
  for (const path of mask) {
    if (!fields.includes(path.split('.')[0])) throw invalidArgument(`Invalid field mask path: '${path}'.`, 'update_mask'); // [G]
    setPath(spec, path, getPath(body, path));
  }
  return spec;
}

function checkSpec(spec: Record<string, any>, request: string): void {
  checkUserKeys(spec.labels, `${request}.service.labels`, 'labels');
  checkUserKeys(spec.annotations, `${request}.service.annotations`, 'annotations');
  checkUserKeys(spec.template?.labels, `${request}.service.template.labels`, 'labels');
  checkUserKeys(spec.template?.annotations, `${request}.service.template.annotations`, 'annotations');
  if (!spec.template) throw violation(`${request}.service.template`, 'field is required.'); // [G]
  checkContainers(spec.template.containers, { path: 'template.containers', reservedEnv: RESERVED_SERVICE_ENV, portsAllowed: true });
  checkTemplateParts(spec.template, { path: 'template', job: false });
}

function deleteService(req: EmuRequest): EmuResponse {
  const { scope, key, stored } = lookup(req, 'run.write');
  return deleteRunResource(req, {
    scope,
    resource: stored.service,
    id: req.params.service,
    typeUrl: SERVICE_TYPE_URL,
    hook: DELETE_HOOK,
    remove: () => {
      delete services(req.emu)[key];
      deleteRevisionsOf(req.emu, key);
      req.emu.policies.delete(runPolicyKey(key));
    },
  });
}

function listServices(req: EmuRequest): EmuResponse {
  const scope = runScope(req, 'run.read');
  const all = childrenOf(services(req.emu), scope.parent, 'services').map((s) => s.service);
  const { page, nextPageToken } = paginate(all, req.query);
  return wire(req, `${RUN}.ListServicesResponse`, { services: page, nextPageToken });
}
