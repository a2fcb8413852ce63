// Design-mistake lint for `musectl validate`: checks over a valid manifest set that find stacks
// which deploy fine but then fail or expose something at run time. Every finding is a warning with a
// rule id (`--strict` turns warnings into errors). Run it on the valid resources after the
// cross-document checks: the rules assume references resolve and specs carry their defaults.
import { compareDiagnostics, type Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import type { Resource } from '../resource.js';
import { didYouMean } from '../suggest.js';
import { bucketPublicAccess } from './bucket-public-access.js';
import { gcsVolumeWithoutAccess } from './gcs-volume-without-access.js';
import { httpRunAppUrl } from './http-run-app-url.js';
import { internalIngressWithoutVpc } from './internal-ingress-without-vpc.js';
import { nextPublicOnRuntime } from './next-public-on-runtime.js';
import { probePortNotServed } from './probe-port-not-served.js';
import { projectRoleWhereResourceWouldDo } from './project-role-where-resource-would-do.js';
import { publicInvokerGrant } from './public-invoker-grant.js';
import type { LintContext, LintRule } from './rule.js';
import { schedulerCannotRunJob } from './scheduler-cannot-run-job.js';
import { secretPublic } from './secret-public.js';
import { signsUrlsWithoutTokenCreator } from './signs-urls-without-token-creator.js';
import { softDeleteOutlivesLifecycle } from './soft-delete-outlives-lifecycle.js';

export const LINT_RULES: readonly LintRule[] = [
  internalIngressWithoutVpc,
  httpRunAppUrl,
  bucketPublicAccess,
  secretPublic,
  projectRoleWhereResourceWouldDo,
  nextPublicOnRuntime,
  signsUrlsWithoutTokenCreator,
  softDeleteOutlivesLifecycle,
  publicInvokerGrant,
  gcsVolumeWithoutAccess,
  probePortNotServed,
  schedulerCannotRunJob,
];

export function lintResources(resources: Resource[]): Diagnostic[] {
  // A duplicate kind/name is already an error; lint the first of each once.
  const byKey = new Map<string, Resource>();
  for (const r of resources) if (!byKey.has(r.key)) byKey.set(r.key, r);
  const unique = [...byKey.values()];
  const ctx: LintContext = { resources: unique, ofKind: (kind) => unique.filter((r) => r.kind === kind) };
  const found = LINT_RULES.flatMap((rule) => rule.check(ctx));
  return [...found.map((d) => acceptedBy(byKey.get(d.subject), d)), ...unknownSuppressions(unique)].sort(compareDiagnostics);
}

/** musectl.dev/lint-ignore: {rule-id: reason} on a resource accepts that rule's findings about it. */
export const LINT_IGNORE_ANNOTATION = 'musectl.dev/lint-ignore';

const suppressions = (r: Resource | undefined): Record<string, string> => {
  const raw = r?.annotations[LINT_IGNORE_ANNOTATION];
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
};

function acceptedBy(r: Resource | undefined, d: Diagnostic): Diagnostic {
  const reason = d.rule ? suppressions(r)[d.rule] : undefined;
  return reason ? { ...d, severity: 'accepted', reason } : d;
}

/** A suppression of a rule that does not exist is a typo that would hide nothing: an error. */
function unknownSuppressions(resources: Resource[]): Diagnostic[] {
  const ids = LINT_RULES.map((r) => r.id);
  return resources.flatMap((r) =>
    Object.keys(suppressions(r))
      .filter((id) => !ids.includes(id))
      .map((id) => ({
        ...locate(r.doc, ['metadata', 'annotations', LINT_IGNORE_ANNOTATION, id], { key: true }),
        severity: 'error' as const,
        subject: r.key,
        message: `${LINT_IGNORE_ANNOTATION}: no lint rule "${id}"${didYouMean(id, ids)}; the rules are ${ids.join(', ')}`,
      })),
  );
}

export type { LintRule } from './rule.js';
