// The output-only status of a Cloud Run service through a rollout (gcp-api-facts.md §1). While the
// rollout operation is pending the status still describes the previous generation (observedGeneration
// lags, reconciling=true, terminalCondition CONDITION_RECONCILING); when it completes the service is
// settled: reconciling=false, observedGeneration == generation, Ready succeeded or failed.
import { ingressPort } from './run-defaults.js';
import { shortName } from './run-revisions.js';
import { tagUri } from './run-urls.js';

/**
 * Deterministic failing rollouts, for tests of code that must handle them: a revision whose
 * template has a container image containing this marker (e.g. "us-docker.pkg.dev/p/r/app:fail-rollout")
 * never becomes ready, as a container that does not listen on $PORT would not. Nothing else about
 * the request is treated differently: the API accepts it and the operation fails like Google's.
 */
export const FAIL_ROLLOUT_MARKER = 'fail-rollout';

/** Google's words for a revision whose container never listened on its port [V, first sentence verbatim]. */
export function rolloutFailure(template: Record<string, any>, revisionId: string, projectId: string, serviceId: string): string | undefined {
  const containers: any[] = template.containers ?? [];
  if (!containers.some((c) => String(c.image ?? '').includes(FAIL_ROLLOUT_MARKER))) return undefined;
  const port = ingressPort(containers);
  const logs = `https://console.cloud.google.com/logs/viewer?project=${projectId}&resource=cloud_run_revision/service_name/${serviceId}/revision_name/${revisionId}`;
  return (
    `Revision '${revisionId}' is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by the PORT=${port} environment variable within the allocated timeout. ` +
    'This can happen when the container port is misconfigured or if the timeout is too short. The health check timeout can be extended. Logs for this revision might contain more information.\n\n' +
    `Logs URL: ${logs}\nFor more troubleshooting guidance, see https://cloud.google.com/run/docs/troubleshooting#container-failed-to-start`
  );
}

/** Marks a service as rolling out a new generation; the rest of its status stays as it was. */
export function markReconciling(service: Record<string, any>, now: string): void {
  service.reconciling = true;
  service.terminalCondition = { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: now };
  service.conditions = [
    { type: 'RoutesReady', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
    { type: 'ConfigurationsReady', state: 'CONDITION_RECONCILING', lastTransitionTime: now },
  ];
}

export interface Place {
  serviceId: string;
  projectNumber: string;
  region: string;
}

/** trafficStatuses for the traffic spec once `readyRevision` (full name) serves the LATEST share. */
export function trafficStatuses(traffic: any[], readyRevision: string | undefined, place: Place): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const t of traffic) {
    const latest = t.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
    if (latest && !readyRevision) continue;
    const status: Record<string, any> = { type: t.type, percent: t.percent };
    if (!latest) status.revision = t.revision;
    if (t.tag) {
      status.tag = t.tag;
      status.uri = tagUri(t.tag, place.serviceId, place.projectNumber, place.region);
    }
    out.push(status);
  }
  return out;
}

/** The rollout of generation `service.generation` finished and `revision` (full name) is ready. */
export function markSucceeded(service: Record<string, any>, revision: string | undefined, place: Place, now: string): void {
  service.reconciling = false;
  service.observedGeneration = service.generation;
  if (revision) {
    service.latestCreatedRevision = revision;
    service.latestReadyRevision = revision;
  }
  service.terminalCondition = { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now };
  service.conditions = [
    { type: 'RoutesReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
    { type: 'ConfigurationsReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: now },
  ];
  service.trafficStatuses = trafficStatuses(service.traffic ?? [], service.latestReadyRevision, place);
}

/** The new revision never became ready: the service keeps serving the last ready one, if any. */
export function markFailed(service: Record<string, any>, revision: string, message: string, now: string): void {
  service.reconciling = false;
  service.observedGeneration = service.generation;
  service.latestCreatedRevision = revision;
  service.terminalCondition = { type: 'Ready', state: 'CONDITION_FAILED', message, lastTransitionTime: now, severity: 'ERROR', reason: 'REVISION_FAILED' };
  service.conditions = [
    {
      type: 'RoutesReady',
      state: 'CONDITION_FAILED',
      message: `Revision '${shortName(revision)}' is not ready and cannot serve traffic.`,
      lastTransitionTime: now,
      severity: 'ERROR',
    },
    { type: 'ConfigurationsReady', state: 'CONDITION_FAILED', message, lastTransitionTime: now, severity: 'ERROR' },
  ];
}
