// What a person needs when a Cloud Run rollout fails or has failed: which revision, the condition
// that failed with its reason and message, and the command that shows the revision's logs. A
// service whose latest created revision is not the latest ready one is degraded: traffic stays on
// the older revision (or there is none), and the next plan says so.
import type { ControllerContext, ResourceHealth } from '../src/contract/controller.js';
import { UserError } from '../src/errors.js';
import { httpStatus, isNetworkError } from '../src/gcp/errors.js';
import { scrub } from '../src/gcp/scrub.js';
import { isoTime } from './proto-values.js';

type Service = import('@google-cloud/run').protos.google.cloud.run.v2.IService;
type Condition = import('@google-cloud/run').protos.google.cloud.run.v2.ICondition;

const short = (name: string | null | undefined): string => (name ?? '').split('/').pop() ?? '';

/** The gcloud command that prints a revision's logs (Cloud Logging, resource type cloud_run_revision). */
export function logsCommand(project: string, service: string, revision: string): string {
  return `gcloud logging read 'resource.type="cloud_run_revision" AND resource.labels.service_name="${service}" AND resource.labels.revision_name="${revision}"' --project ${project} --limit 50`;
}

const failedCondition = (conditions: Condition[] | null | undefined): Condition | undefined =>
  (conditions ?? []).find((c) => String(c.state) === 'CONDITION_FAILED' && c.type !== 'Ready') ??
  (conditions ?? []).find((c) => String(c.state) === 'CONDITION_FAILED');

const describe = (c: Condition | undefined): string => {
  if (!c) return 'not ready';
  const reason = c.reason && String(c.reason) !== 'COMMON_REASON_UNDEFINED' ? ` (${c.reason})` : '';
  const message = (c.message ?? '').split('\n')[0].trim();
  return `${c.type}${reason}${message ? `: ${message}` : ''}`;
};

/**
 * When a create or update operation failed because its revision did not become ready, an error
 * that names the revision, its failed condition and the logs command. Other errors (quota, network)
 * come back as they were.
 */
export async function explainRolloutFailure(ctx: ControllerContext, serviceName: string, err: unknown): Promise<unknown> {
  // An operation's own error carries a gRPC code and no HTTP response; a failed call has a status.
  if (isNetworkError(err) || (err as { response?: unknown })?.response !== undefined || (httpStatus(err) ?? 0) >= 429) return err;
  const scope = serviceName.split('/services/')[0];
  try {
    const [service] = await ctx.api.call({ quota: 'run.read' as const, scope, what: `read ${serviceName} after its rollout failed` }, () =>
      ctx.clients.runServices().getService({ name: serviceName }),
    );
    const revision = service.latestCreatedRevision;
    if (!revision || revision === service.latestReadyRevision) return err;
    const [rev] = await ctx.api.call({ quota: 'run.read' as const, scope, what: `read revision ${short(revision)}` }, () =>
      ctx.clients.runRevisions().getRevision({ name: revision }),
    );
    const traffic = service.latestReadyRevision ? `traffic stays on ${short(service.latestReadyRevision)}` : 'no revision serves traffic';
    return new UserError(
      scrub(
        `the rollout failed: revision ${short(revision)} is not ready: ${describe(failedCondition(rev.conditions))}; ${traffic}. Its logs: ${logsCommand(ctx.project, short(serviceName), short(revision))}`,
      ),
    );
  } catch {
    return err; // the explanation is a courtesy; the operation's own error still says what failed
  }
}

/** Why a service is degraded (its latest created revision is not ready), with what to do; undefined when it is healthy or still rolling out. */
export function degradedWarning(s: Service, project: string): string | undefined {
  if (s.reconciling || !s.latestCreatedRevision || s.latestCreatedRevision === s.latestReadyRevision) return undefined;
  const created = short(s.latestCreatedRevision);
  const terminal = s.terminalCondition && String(s.terminalCondition.state) === 'CONDITION_FAILED' ? `: ${describe(s.terminalCondition)}` : '';
  const traffic = s.latestReadyRevision ? `traffic stays on ${short(s.latestReadyRevision)}` : 'no revision serves traffic';
  return (
    `degraded: the latest created revision ${created} is not ready${terminal}; ${traffic}. ` +
    `Fix the cause (its logs: ${logsCommand(project, short(s.name), created)}), then apply a change to the template (a new image, say) to roll out a new revision`
  );
}

/**
 * How a service is doing, from what Google returned (musectl status): progressing while a rollout
 * runs (reconciling), degraded when its latest created revision is not ready (traffic stays on an
 * older one, or there is none), else ready; with the serving revision, the traffic and the last change.
 */
export function serviceHealth(s: Service): ResourceHealth {
  const ready = s.latestReadyRevision ? short(s.latestReadyRevision) : undefined;
  const traffic = (s.trafficStatuses ?? []).map((t) => ({
    revision: t.revision ? short(t.revision) : (ready ?? ''),
    percent: t.percent ?? 0,
    ...(t.tag ? { tag: t.tag } : {}),
  }));
  const common = {
    ...(ready ? { revision: ready } : {}),
    ...(traffic.length > 0 ? { traffic } : {}),
    ...(isoTime(s.updateTime as never) ? { changedAt: isoTime(s.updateTime as never) } : {}),
    ...(s.lastModifier ? { changedBy: s.lastModifier } : {}),
  };
  if (s.reconciling || String(s.terminalCondition?.state) === 'CONDITION_RECONCILING') {
    return { state: 'progressing', message: `rolling out${s.latestCreatedRevision ? ` revision ${short(s.latestCreatedRevision)}` : ''}`, ...common };
  }
  const failed = String(s.terminalCondition?.state) === 'CONDITION_FAILED';
  if (failed || (s.latestCreatedRevision && s.latestCreatedRevision !== s.latestReadyRevision)) {
    const created = s.latestCreatedRevision ? `revision ${short(s.latestCreatedRevision)} is not ready` : 'not ready';
    const why = failed ? `: ${describe(s.terminalCondition ?? undefined)}` : '';
    return { state: 'degraded', message: `${created}${why}; ${ready ? `traffic stays on ${ready}` : 'no revision serves traffic'}`, ...common };
  }
  return { state: 'ready', ...common };
}
