// Cloud Run services as the emulator keeps them, and what a deployment does to them (the domain
// half of the services API; run-services.ts is its HTTP half): a spec change makes a new generation,
// a template change a new revision, the rollout an operation that settles the service Ready or
// failed (run-deploy-checks.ts says why a revision cannot become ready).
import type { Emulator } from '../emulator.js';
import { alreadyExists, invalidArgument } from '../errors.js';
import type { StoredOperation } from '../operations.js';
import { quotedEtag } from './common.js';
import { nextGeneration, pickFields, RUN, type RunScope, runOperations, sameJson, specFields } from './run-common.js';
import { applyServiceDefaults } from './run-defaults.js';
import { checkRuntimeServiceAccount, deployFailure, failureMessage } from './run-deploy-checks.js';
import { checkConcurrency, checkResources, checkTimeout, MAX_SERVICE_TIMEOUT_S } from './run-limits.js';
import { conflictsWith, createRevision, generatedRevisionId, getRevision, revisionKey, settleRevision } from './run-revisions.js';
import { markFailed, markReconciling, markSucceeded, type Place, rolloutFailure } from './run-service-status.js';
import { serviceUrls } from './run-urls.js';
import { violation } from './run-validation.js';

export const SERVICE = `${RUN}.Service`;
export const SERVICE_TYPE_URL = `type.googleapis.com/${SERVICE}`;
const COLLECTION = 'run.services';
export const ROLLOUT_HOOK = 'run.service.rollout';

export interface StoredService {
  /** The Service resource as the API shows it (canonical: enum names, camelCase). */
  service: Record<string, any>;
  projectNumber: string;
  /** Revisions created so far (the 00001 in SERVICE-00001-abc). */
  revisionSeq: number;
  /** The pending rollout: the generation it brings, its revision (full name) and, if it will fail, why (and the operation's code). */
  rollout?: { generation: string; revision?: string; failure?: string; failureCode?: number };
}

export interface RolloutArg {
  key: string;
  generation: string;
}

/** Every service, by full name (the Knative-style v1 surface reads them too, run-v1.ts). */
export const services = (emu: Emulator) => emu.store.collection<StoredService>(COLLECTION);
export const typed = (service: Record<string, any>) => ({ '@type': SERVICE_TYPE_URL, ...structuredClone(service) });
export const SPEC_FIELDS = (): string[] => specFields(SERVICE);

/**
 * Creates or updates `id` with `spec` (caller's fields, no defaults yet) and starts the rollout.
 * A template change makes a new revision; any spec change bumps the generation; no change at all
 * answers a finished operation and leaves the service as it is.
 */
export function deploy(
  emu: Emulator,
  scope: RunScope,
  id: string,
  current: StoredService | undefined,
  spec: Record<string, any>,
  validateOnly: boolean,
): StoredOperation {
  const key = `${scope.parent}/services/${id}`;
  checkConcurrency(spec.template.maxInstanceRequestConcurrency, 'template.max_instance_request_concurrency');
  applyServiceDefaults(spec, scope.projectNumber);
  checkResources({
    containers: spec.template.containers,
    concurrency: spec.template.maxInstanceRequestConcurrency,
    gen2: spec.template.executionEnvironment === 'EXECUTION_ENVIRONMENT_GEN2',
    path: 'template.containers',
  });
  checkTimeout(spec.template.timeout, 'template.timeout', MAX_SERVICE_TIMEOUT_S);
  checkRuntimeServiceAccount(emu, spec.template.serviceAccount);

  if (current && sameJson(pickFields(SERVICE, current.service, SPEC_FIELDS()), spec)) {
    return runOperations(emu).done(scope.parent, typed(current.service), typed(current.service));
  }

  // Which revision this generation rolls out: a new one when the template changed, else the one
  // still rolling out or the latest created (and a revision that failed fails again).
  let seq = current?.revisionSeq ?? 0;
  let newRevisionId: string | undefined;
  let rolloutRevision: string | undefined = current?.rollout?.revision ?? current?.service.latestCreatedRevision;
  let failure: string | undefined = current?.rollout ? current.rollout.failure : failureOf(emu, rolloutRevision);
  let failureCode = current?.rollout?.failureCode;
  if (!current || !sameJson(current.service.template, spec.template)) {
    const named: string | undefined = spec.template.revision;
    if (named) {
      if (!named.startsWith(`${id}-`)) {
        throw violation(
          `${current ? 'Update' : 'Create'}ServiceRequest.service.template.revision`,
          `Revision name must be prefixed by the name of the enclosing Service with a trailing '-'.`,
        ); // [G]
      }
      const existing = getRevision(emu, revisionKey(key, named));
      if (existing && conflictsWith(existing, spec.template)) {
        throw alreadyExists(`Revision named '${named}' with different configuration already exists.`);
      }
      if (!existing) newRevisionId = named;
      rolloutRevision = revisionKey(key, named);
      failure = failureOf(emu, rolloutRevision);
    } else {
      newRevisionId = generatedRevisionId(id, seq + 1);
      rolloutRevision = revisionKey(key, newRevisionId);
    }
  }
  checkTraffic(emu, key, spec.traffic, newRevisionId);

  const now = emu.clock.iso();
  const previous = current?.service ?? {};
  const service: Record<string, any> = {
    name: key,
    ...spec,
    ...nextGeneration(previous, now),
    ...(spec.defaultUriDisabled ? {} : serviceUrls(id, scope.projectNumber, scope.location)),
    observedGeneration: previous.observedGeneration,
    latestReadyRevision: previous.latestReadyRevision,
    latestCreatedRevision: previous.latestCreatedRevision,
    trafficStatuses: previous.trafficStatuses,
    etag: quotedEtag(),
  };
  markReconciling(service, now);
  if (validateOnly) return runOperations(emu).done(scope.parent, typed(service), typed(service));

  // A rollout superseded by this one still ends, as its revision was created all the same.
  const superseded = current?.rollout;
  if (superseded?.revision && superseded.revision !== rolloutRevision) {
    settleRevision(emu, superseded.revision, superseded.failure ? 'FAILED' : 'READY', superseded.failure);
  }
  if (newRevisionId) {
    seq++;
    createRevision(emu, key, id, newRevisionId, spec.template, spec.launchStage);
  }
  if (newRevisionId) {
    const refused = deployFailure(emu, { ...spec.template, projectId: scope.projectId, projectNumber: scope.projectNumber, specPath: 'spec.template.spec' });
    failure = refused ? failureMessage(newRevisionId, refused) : rolloutFailure(spec.template, newRevisionId, scope.projectId, id);
    failureCode = refused?.code;
  }
  services(emu)[key] = {
    service,
    projectNumber: scope.projectNumber,
    revisionSeq: seq,
    rollout: { generation: service.generation, revision: rolloutRevision, failure, failureCode },
  };
  const arg: RolloutArg = { key, generation: service.generation };
  return runOperations(emu).start(scope.parent, { metadata: typed(service), hook: ROLLOUT_HOOK, hookArg: arg });
}

/** Why a revision that already failed is not ready (it fails again when rolled out). */
function failureOf(emu: Emulator, revision: string | undefined): string | undefined {
  const rev = revision ? getRevision(emu, revision) : undefined;
  return rev?.state === 'FAILED' ? rev.message : undefined;
}

/** Traffic must add up to 100 and name revisions that exist (or the one being created). [G] wording */
function checkTraffic(emu: Emulator, key: string, traffic: any[], newRevisionId: string | undefined): void {
  let sum = 0;
  for (const t of traffic) {
    sum += t.percent ?? 0;
    if (t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION') {
      if (!t.revision) throw invalidArgument('service.traffic: a REVISION target must name a revision.', 'service.traffic');
      if (t.revision !== newRevisionId && !getRevision(emu, revisionKey(key, t.revision))) {
        throw invalidArgument(`service.traffic: Revision '${t.revision}' does not exist.`, 'service.traffic');
      }
    } else if (t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST') {
      if (t.revision) throw invalidArgument('service.traffic: a LATEST target cannot name a revision.', 'service.traffic');
    } else {
      throw invalidArgument('service.traffic: the target type must be LATEST or REVISION.', 'service.traffic');
    }
  }
  if (sum !== 100) throw invalidArgument(`service.traffic: the traffic percentages must add up to 100, not ${sum}.`, 'service.traffic');
}

/** Completion hook of a rollout: settles the service, unless a newer generation superseded this one. */
export function completeRollout(emu: Emulator, arg: RolloutArg) {
  const stored = services(emu)[arg.key];
  if (!stored) {
    const [, project, , location, , id] = arg.key.split('/');
    return { error: { code: 5, message: `Resource '${id}' of kind 'SERVICE' in region '${location}' in project '${project}' does not exist.` } };
  }
  const service = stored.service;
  if (service.generation !== arg.generation || !stored.rollout) return { response: typed(service), metadata: typed(service) };
  const { revision, failure, failureCode } = stored.rollout;
  delete stored.rollout;
  const now = emu.clock.iso();
  const [, , , location, , serviceId] = arg.key.split('/');
  const place: Place = { serviceId, projectNumber: stored.projectNumber, region: location };
  if (failure && revision) {
    settleRevision(emu, revision, 'FAILED', failure);
    markFailed(service, revision, failure, now);
    // google.rpc.Code FAILED_PRECONDITION, as Cloud Run reports a revision that never became ready
    // (INTERNAL for a secret it could not read, run-deploy-checks.ts).
    return { error: { code: failureCode ?? 9, message: failure }, metadata: typed(service) };
  }
  if (revision) settleRevision(emu, revision, 'READY');
  markSucceeded(service, revision, place, now);
  return { response: typed(service), metadata: typed(service) };
}
