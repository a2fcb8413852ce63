// Design-mistake lint for `musectl validate`: checks over a valid manifest set that find stacks
// which deploy fine but then fail or expose something at run time. Every finding is a warning with a
// rule id (`--strict` turns warnings into errors). Run it on the valid resources after the
// cross-document checks: the rules assume references resolve and specs carry their defaults.
import { compareDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { Resource } from '../resource.js';
import { bucketPublicAccess } from './bucket-public-access.js';
import { httpRunAppUrl } from './http-run-app-url.js';
import { internalIngressWithoutVpc } from './internal-ingress-without-vpc.js';
import { nextPublicOnRuntime } from './next-public-on-runtime.js';
import { projectRoleWhereResourceWouldDo } from './project-role-where-resource-would-do.js';
import type { LintContext, LintRule } from './rule.js';
import { secretPublic } from './secret-public.js';
import { signsUrlsWithoutTokenCreator } from './signs-urls-without-token-creator.js';

export const LINT_RULES: readonly LintRule[] = [
  internalIngressWithoutVpc,
  httpRunAppUrl,
  bucketPublicAccess,
  secretPublic,
  projectRoleWhereResourceWouldDo,
  nextPublicOnRuntime,
  signsUrlsWithoutTokenCreator,
];

export function lintResources(resources: Resource[]): Diagnostic[] {
  // A duplicate kind/name is already an error; lint the first of each once.
  const byKey = new Map<string, Resource>();
  for (const r of resources) if (!byKey.has(r.key)) byKey.set(r.key, r);
  const unique = [...byKey.values()];
  const ctx: LintContext = { resources: unique, ofKind: (kind) => unique.filter((r) => r.kind === kind) };
  return LINT_RULES.flatMap((rule) => rule.check(ctx)).sort(compareDiagnostics);
}

export type { LintRule } from './rule.js';
