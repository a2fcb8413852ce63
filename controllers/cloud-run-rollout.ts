// What a person needs when a Cloud Run rollout fails or has failed: which revision, the condition
// that failed with its reason and message, and the command that shows the revision's logs. A
// service whose latest created revision is not the latest ready one is degraded: traffic stays on
// the older revision (or there is none), and the next plan says so.
import type { ControllerContext } from '../src/contract/controller.js';
import { UserError } from '../src/errors.js';
import { httpStatus, isNetworkError } from '../src/gcp/errors.js';
import { scrub } from '../src/gcp/scrub.js';

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
