// A Cloud Scheduler job that runs a Cloud Run job of the stack calls Cloud Run's API with an OAuth
// token of its account, and Cloud Run checks run.jobs.run for that account ("Execute jobs on a
// schedule": the scheduler's account needs roles/run.invoker on the job). Without the grant the
// job deploys and the schedule looks fine, but every attempt ends PERMISSION_DENIED (status code 7)
// and the Cloud Run job never runs. Without an OAuth token (none, or an OIDC one, which Google's
// APIs do not take) every attempt is refused the same way.
import type { Diagnostic } from '../diagnostics.js';
import type { Resource } from '../resource.js';
import { type LintRule, locateField, warning } from './rule.js';

const ID = 'scheduler-cannot-run-job';

/** Roles that carry run.jobs.run ("Cloud Run IAM roles"), and the basic roles that include it. */
const RUNS_JOBS = new Set([
  'roles/run.invoker',
  'roles/run.jobsExecutor',
  'roles/run.jobsExecutorWithOverrides',
  'roles/run.developer',
  'roles/run.admin',
  'roles/owner',
  'roles/editor',
]);

interface Grant {
  role: string;
  member?: string;
  memberFrom?: { serviceAccountRef: { name: string } };
  resourceRef: { kind: string; name?: string; external?: string };
}

/** The Cloud Run job of the stack the scheduler job runs: by reference, or by a :run URL naming one. */
function jobRun(s: Resource, jobs: Resource[]): string | undefined {
  const h = s.spec.httpTarget ?? {};
  if (h.cloudRunJobRef?.name) return h.cloudRunJobRef.name;
  const m =
    /^https:\/\/(?:[a-z0-9-]+-)?run\.googleapis\.com\/(?:apis\/run\.googleapis\.com\/v1\/namespaces\/[^/]+|v2\/projects\/[^/]+\/locations\/[^/]+)\/jobs\/([^/:]+):run$/.exec(
      String(h.uri ?? ''),
    );
  return m && jobs.some((j) => j.name === m[1]) ? m[1] : undefined;
}

function grants(g: Grant, account: { ref?: string; email?: string }, job: string): boolean {
  if (!RUNS_JOBS.has(g.role)) return false;
  const toAccount =
    (account.ref !== undefined &&
      (g.memberFrom?.serviceAccountRef.name === account.ref || (g.member?.startsWith(`serviceAccount:${account.ref}@`) ?? false))) ||
    (account.email !== undefined && g.member === `serviceAccount:${account.email}`);
  const onJob = g.resourceRef.kind === 'CloudRunJob' && g.resourceRef.name === job;
  const onProject = g.resourceRef.kind === 'Project' && g.resourceRef.external === undefined;
  return toAccount && (onJob || onProject);
}

export const schedulerCannotRunJob: LintRule = {
  id: ID,
  check(ctx) {
    const all = ctx.ofKind('IAMPolicyMember').map((m) => m.spec as Grant);
    const jobs = ctx.ofKind('CloudRunJob');
    const out: Diagnostic[] = [];
    for (const s of ctx.ofKind('CloudSchedulerJob')) {
      const job = jobRun(s, jobs);
      if (job === undefined) continue;
      const token = s.spec.httpTarget.oauthToken;
      if (!token) {
        out.push(
          warning(
            s,
            ID,
            locateField(s, ['spec', 'httpTarget']),
            `runs CloudRunJob/${job} without an oauthToken: Cloud Run's API takes only an OAuth access token, so every attempt is refused (401) and the job never runs; add httpTarget.oauthToken.serviceAccountRef naming an account with roles/run.invoker on the job`,
          ),
        );
        continue;
      }
      const account = { ref: token.serviceAccountRef?.name, email: token.serviceAccountEmail };
      if (all.some((g) => grants(g, account, job))) continue;
      const who = account.ref !== undefined ? `ServiceAccount/${account.ref}` : account.email;
      const member = account.ref !== undefined ? `memberFrom: {serviceAccountRef: {name: ${account.ref}}}` : `member: serviceAccount:${account.email}`;
      out.push(
        warning(
          s,
          ID,
          locateField(s, ['spec', 'httpTarget', 'oauthToken']),
          `runs CloudRunJob/${job} as ${who}, which has no roles/run.invoker (run.jobs.run) on that job or on the project: every attempt ends PERMISSION_DENIED and the job never runs; add an IAMPolicyMember {role: roles/run.invoker, ${member}, resourceRef: {kind: CloudRunJob, name: ${job}}}`,
        ),
      );
    }
    return out;
  },
};
