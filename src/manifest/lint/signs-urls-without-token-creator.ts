// On Cloud Run the credentials come from the metadata server: there is no private key to sign a
// Cloud Storage signed URL with. The client libraries then sign through the IAM Credentials API
// (signBlob) as the service's own account, which needs iam.serviceAccounts.signBlob on that account,
// i.e. roles/iam.serviceAccountTokenCreator granted to the account on itself. Without it every
// signed URL fails with 403 at run time, long after the deployment looked fine.
import type { Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import { envVars, type LintRule, warning } from './rule.js';

const ID = 'signs-urls-without-token-creator';
const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';

/** Heuristic: the app reads a signed-URL setting (e.g. SIGNED_URL_EXPIRATION_SECONDS). */
const SIGNS_URLS = /SIGNED_URL/i;

interface Grant {
  role: string;
  member?: string;
  memberFrom?: { serviceAccountRef: { name: string } };
  resourceRef: { kind: string; name?: string; external?: string };
}

/**
 * Whether a grant lets the stack's ServiceAccount `sa` sign as itself: token creator to that account,
 * on that account or on the whole project (which includes it; project-role-where-resource-would-do
 * warns about the latter separately).
 */
function letsSignAsItself(g: Grant, sa: string): boolean {
  if (g.role !== TOKEN_CREATOR) return false;
  const toSa = g.memberFrom?.serviceAccountRef.name === sa || (g.member?.startsWith(`serviceAccount:${sa}@`) ?? false);
  const onSa = g.resourceRef.kind === 'ServiceAccount' && g.resourceRef.name === sa;
  const onProject = g.resourceRef.kind === 'Project' && g.resourceRef.external === undefined;
  return toSa && (onSa || onProject);
}

function message(envName: string, sa: string): string {
  return (
    `${envName}: this service looks like it signs URLs, but its ServiceAccount/${sa} has no ${TOKEN_CREATOR} on itself; ` +
    'Cloud Run has no key file, so signing goes through IAM signBlob and fails with 403; ' +
    `add an IAMPolicyMember {role: ${TOKEN_CREATOR}, memberFrom: {serviceAccountRef: {name: ${sa}}}, resourceRef: {kind: ServiceAccount, name: ${sa}}}`
  );
}

export const signsUrlsWithoutTokenCreator: LintRule = {
  id: ID,
  check(ctx) {
    const grants = ctx.ofKind('IAMPolicyMember').map((m) => m.spec as Grant);
    const out: Diagnostic[] = [];
    for (const s of ctx.ofKind('CloudRunService')) {
      // Only an account of this stack can be checked: an external email's or the Compute Engine
      // default account's grants live outside the manifests.
      const sa: string | undefined = s.spec.template?.serviceAccountRef?.name;
      if (sa === undefined) continue;
      const signer = envVars(s).find((e) => SIGNS_URLS.test(e.name));
      if (!signer || grants.some((g) => letsSignAsItself(g, sa))) continue;
      out.push(warning(s, ID, locate(s.doc, [...signer.path, 'name']), message(signer.name, sa)));
    }
    return out;
  },
};
