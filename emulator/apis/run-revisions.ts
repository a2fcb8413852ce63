// Cloud Run revisions: the immutable snapshots of a service's template. The services module creates
// one for every template change (named SERVICE-00001-abc, or as template.revision asks) and marks it
// ready or failed when the rollout finishes. Read-only routes: GET and list under the service.
import { randomUUID } from 'node:crypto';
import type { Emulator } from '../emulator.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest } from '../router.js';
import { paginate, quotedEtag, randomId, wire } from './common.js';
import { CALLER, pickFields, RUN, runNotFound, runScope, sameJson } from './run-common.js';

export interface StoredRevision {
  name: string;
  uid: string;
  serviceKey: string;
  serviceId: string;
  /** The template it was made from, defaults filled, without template.revision. */
  template: Record<string, any>;
  launchStage: string;
  createTime: string;
  state: 'PENDING' | 'READY' | 'FAILED';
  message?: string;
  etag: string;
}

const COLLECTION = 'run.revisions';
const all = (emu: Emulator) => emu.store.collection<StoredRevision>(COLLECTION);

export const revisionKey = (serviceKey: string, id: string): string => `${serviceKey}/revisions/${id}`;
export const shortName = (fullName: string): string => fullName.slice(fullName.lastIndexOf('/') + 1);

/** A revision's configuration, for "same name, different configuration" checks. */
export function revisionConfig(template: Record<string, any>): Record<string, any> {
  const { revision: _revision, ...rest } = template;
  return rest;
}

/** SERVICE-00001-6hx: a five-digit sequence per service and three random characters. */
export const generatedRevisionId = (serviceId: string, seq: number): string => `${serviceId}-${String(seq).padStart(5, '0')}-${randomId(3)}`;

export function getRevision(emu: Emulator, name: string): StoredRevision | undefined {
  return all(emu)[name];
}

export function revisionsOf(emu: Emulator, serviceKey: string): StoredRevision[] {
  return Object.values(all(emu)).filter((r) => r.serviceKey === serviceKey);
}

export function createRevision(
  emu: Emulator,
  serviceKey: string,
  serviceId: string,
  id: string,
  template: Record<string, any>,
  launchStage: string,
): StoredRevision {
  const rev: StoredRevision = {
    name: revisionKey(serviceKey, id),
    uid: randomUUID(),
    serviceKey,
    serviceId,
    template: revisionConfig(structuredClone(template)),
    launchStage,
    createTime: emu.clock.iso(),
    state: 'PENDING',
    etag: quotedEtag(),
  };
  all(emu)[rev.name] = rev;
  return rev;
}

export function settleRevision(emu: Emulator, name: string, state: 'READY' | 'FAILED', message?: string): void {
  const rev = all(emu)[name];
  if (!rev) return;
  rev.state = state;
  rev.message = message;
}

export function deleteRevisionsOf(emu: Emulator, serviceKey: string): void {
  for (const rev of revisionsOf(emu, serviceKey)) delete all(emu)[rev.name];
}

/** True when a revision of that name exists with another configuration (a 409 on update). */
export function conflictsWith(rev: StoredRevision, template: Record<string, any>): boolean {
  return !sameJson(rev.template, revisionConfig(template));
}

function conditions(rev: StoredRevision): Record<string, any>[] {
  const at = rev.createTime;
  switch (rev.state) {
    case 'PENDING':
      return [{ type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: at }];
    case 'FAILED':
      return [
        { type: 'Ready', state: 'CONDITION_FAILED', message: rev.message, lastTransitionTime: at, severity: 'ERROR' },
        { type: 'ContainerHealthy', state: 'CONDITION_FAILED', message: rev.message, lastTransitionTime: at },
      ];
    default:
      return [
        { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: at },
        { type: 'ContainerHealthy', state: 'CONDITION_SUCCEEDED', lastTransitionTime: at },
        { type: 'ResourcesAvailable', state: 'CONDITION_SUCCEEDED', lastTransitionTime: at },
      ];
  }
}

/** The Revision resource as the API shows it. */
export function revisionView(rev: StoredRevision): Record<string, any> {
  const [, project] = rev.name.split('/');
  return {
    ...pickFields(`${RUN}.Revision`, rev.template),
    name: rev.name,
    uid: rev.uid,
    generation: '1',
    createTime: rev.createTime,
    updateTime: rev.createTime,
    launchStage: rev.launchStage,
    service: rev.serviceId,
    creator: CALLER,
    reconciling: rev.state === 'PENDING',
    observedGeneration: rev.state === 'PENDING' ? undefined : '1',
    conditions: conditions(rev),
    logUri: `https://console.cloud.google.com/logs/viewer?project=${project}&resource=cloud_run_revision/service_name/${rev.serviceId}/revision_name/${shortName(rev.name)}`,
    etag: rev.etag,
  };
}

export function registerRunRevisions(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/run', `${RUN}.Revisions`, {
    GetRevision: (req) => {
      const scope = runScope(req, 'run.read');
      const rev = getRevision(emu, revisionKey(`${scope.parent}/services/${req.params.service}`, req.params.revision));
      if (!rev) throw runNotFound('REVISION', req.params.revision, scope);
      return wire(req, `${RUN}.Revision`, revisionView(rev));
    },
    ListRevisions: (req: EmuRequest) => {
      const scope = runScope(req, 'run.read');
      const serviceKey = `${scope.parent}/services/${req.params.service}`;
      const revisions = revisionsOf(emu, serviceKey).sort((a, b) => (a.name < b.name ? 1 : -1)); // newest first
      const { page, nextPageToken } = paginate(revisions, req.query);
      return wire(req, `${RUN}.ListRevisionsResponse`, { revisions: page.map(revisionView), nextPageToken });
    },
  });
}
