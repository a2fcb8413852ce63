// A service account's own IAM policy (who may act as it: roles/iam.serviceAccountUser,
// roles/iam.serviceAccountTokenCreator, ...) and what deleting an account does to the policies
// that name it (gcp-api-facts.md §3, §4).
import type { Emulator } from '../emulator.js';
import { ApiError, invalidArgument } from '../errors.js';
import type { Binding, Policy } from '../iam-policy.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { checkIamBody } from './iam-request-fields.js';
import { findAccount, type StoredServiceAccount } from './iam-service-account-model.js';

const ACCOUNT = '/v1/projects/{project}/serviceAccounts/{account}';

/** PolicyStore's collection (emulator/iam-policy.ts): deletion rewrites members across all of it. */
const POLICY_COLLECTION = 'iam.policies';

export function registerServiceAccountPolicy(emu: Emulator): void {
  emu.router.post(`${ACCOUNT}:getIamPolicy`, getPolicy, { mutates: false });
  emu.router.post(`${ACCOUNT}:setIamPolicy`, setPolicy);
}

const policyKey = (sa: StoredServiceAccount): string => `projects/${sa.projectId}/serviceAccounts/${sa.email}`;

/** IAM's policy methods word a missing account by its email, as Gaia (the identity backend) does. */
function requireAccount(req: EmuRequest, metric: 'iam.read' | 'iam.write'): StoredServiceAccount {
  const sa = findAccount(req.emu, req.params.account);
  if (sa) {
    const project = req.emu.projects.resolve(sa.projectId);
    req.emu.quota.charge(metric, project.projectId, project.projectNumber);
    return sa;
  }
  const what = req.params.account.includes('@') ? `Not found; Gaia id not found for email ${req.params.account}` : 'Unknown service account';
  throw new ApiError(404, what, 'NOT_FOUND');
}

function getPolicy(req: EmuRequest): EmuResponse {
  const sa = requireAccount(req, 'iam.read');
  checkIamBody('GetIamPolicyRequest', req.body);
  // An account nobody granted anything on answers {"etag": "ACAB"} (PolicyStore's initial policy).
  return { body: renderPolicy(req.emu.policies.get(policyKey(sa))) };
}

function setPolicy(req: EmuRequest): EmuResponse {
  const sa = requireAccount(req, 'iam.write');
  const body = checkIamBody('SetIamPolicyRequest', req.body);
  const policy = (body.policy ?? {}) as Policy;
  for (const binding of policy.bindings ?? []) {
    if (binding.role && !grantableOnServiceAccount(binding.role)) {
      throw invalidArgument(`Role ${binding.role} is not supported for this resource.`);
    }
  }
  return { body: renderPolicy(req.emu.policies.set(policyKey(sa), policy, { dialect: 'google' })) };
}

/**
 * Roles a service account's policy accepts: IAM's own roles (serviceAccountUser, TokenCreator,
 * workloadIdentityUser, ...), the basic roles and custom roles. A product role such as
 * roles/run.invoker is refused, as Google refuses it on this resource type.
 */
function grantableOnServiceAccount(role: string): boolean {
  return /^roles\/iam\./.test(role) || /^roles\/(owner|editor|viewer)$/.test(role) || /^(projects|organizations)\/[^/]+\/roles\//.test(role);
}

/** Proto3 JSON: version and bindings omitted while unset or empty. */
function renderPolicy(policy: Policy): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (policy.version) out.version = policy.version;
  out.etag = policy.etag;
  if (policy.bindings?.length) out.bindings = policy.bindings;
  return out;
}

/**
 * After a delete, Google shows the account in every policy that still binds it as
 * `deleted:serviceAccount:EMAIL?uid=UNIQUE_ID`, so a new account of the same name does not inherit
 * its grants; the account's own policy goes with it.
 */
export function forgetAccountInPolicies(emu: Emulator, sa: StoredServiceAccount): void {
  emu.policies.delete(policyKey(sa));
  const live = `serviceAccount:${sa.email}`;
  const gone = `deleted:serviceAccount:${sa.email}?uid=${sa.uniqueId}`;
  for (const policy of Object.values(emu.store.collection<Policy>(POLICY_COLLECTION))) {
    for (const binding of policy.bindings ?? ([] as Binding[])) {
      if (!binding.members.includes(live)) continue;
      binding.members = [...new Set(binding.members.map((m) => (m === live ? gone : m)))].sort();
    }
  }
}
