// IAM v1 service accounts (gcp-api-facts.md §3): create, get, list, patch, delete, enable and
// disable, served as the @googleapis/iam client calls them. Names are
// `projects/{PROJECT_ID|-}/serviceAccounts/{EMAIL|UNIQUE_ID}`. The account's own IAM policy lives
// in iam-service-account-policy.ts.
import type { Emulator } from '../emulator.js';
import { ApiError, type ErrorDetail } from '../errors.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { applyMask, paginate, parseMask } from './common.js';
import { checkIamBody } from './iam-request-fields.js';
import { registerServiceAccountLifecycle, rememberDeleted } from './iam-service-account-lifecycle.js';
import {
  accounts,
  accountsOfProject,
  findAccount,
  insideConsistencyWindow,
  MAX_ACCOUNTS_PER_PROJECT,
  newUniqueId,
  renderAccount,
  type StoredServiceAccount,
  unknownAccount,
  validateNewAccount,
  validateTexts,
} from './iam-service-account-model.js';
import { forgetAccountInPolicies, registerServiceAccountPolicy } from './iam-service-account-policy.js';

const ACCOUNT = '/v1/projects/{project}/serviceAccounts/{account}';

export function registerServiceAccounts(emu: Emulator): void {
  const r = emu.router;
  r.post('/v1/projects/{project}/serviceAccounts', createAccount);
  r.get('/v1/projects/{project}/serviceAccounts', listAccounts);
  r.get(ACCOUNT, getAccount);
  r.patch(ACCOUNT, patchAccount);
  r.delete(ACCOUNT, deleteAccount);
  r.post(`${ACCOUNT}:enable`, (req) => setDisabled(req, false));
  r.post(`${ACCOUNT}:disable`, (req) => setDisabled(req, true));
  registerServiceAccountPolicy(emu);
  registerServiceAccountLifecycle(emu, (req) =>
    requireAccount(req, req.method === 'GET' ? 'iam.read' : 'iam.write', req.method === 'GET' ? 'iam.serviceAccountKeys.list' : 'iam.serviceAccounts.update'),
  );
  emu.policies.serviceAccountUsable = (email) => serviceAccountUsable(emu, email);
}

/**
 * Whether a policy may bind `email` now. A user-managed account (ID@PROJECT.iam.gserviceaccount.com)
 * of a project the emulator knows must exist and be past its consistency window, or Google answers
 * "Service account X does not exist." Google-managed accounts (NUMBER-compute@developer...,
 * service agents under gcp-sa-*) and accounts of projects the emulator never saw are taken as real.
 */
function serviceAccountUsable(emu: Emulator, email: string): boolean {
  const lower = email.toLowerCase();
  const domain = /^[^@]+@([a-z][-a-z0-9]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(lower);
  if (!domain) return true;
  if (!emu.projects.list().some((p) => p.projectId === domain[1])) return true;
  const sa = accounts(emu)[lower];
  return sa !== undefined && !insideConsistencyWindow(emu, sa);
}

/** Charges a read or write to the project that owns the account (or the one named in the URL). */
function charge(req: EmuRequest, metric: 'iam.read' | 'iam.write', sa?: StoredServiceAccount): void {
  const projectId = sa?.projectId ?? (req.params.project !== '-' ? req.params.project : undefined);
  if (!projectId) return;
  const project = req.emu.projects.resolve(projectId);
  req.emu.quota.charge(metric, project.projectId, project.projectNumber);
}

/**
 * The account a name points at, or IAM's 404. Addressed as projects/-/serviceAccounts/X, a missing
 * account is 403: "if you try to access the service account projects/-/serviceAccounts/fake@example.com,
 * which does not exist, the response contains an HTTP 403 Forbidden error instead of a 404 Not Found
 * error" (the ServiceAccount name field of IAM's discovery document).
 */
function requireAccount(req: EmuRequest, metric: 'iam.read' | 'iam.write', permission: string): StoredServiceAccount {
  const sa = findAccount(req.emu, req.params.account);
  charge(req, metric, sa);
  if (!sa && req.params.project === '-') {
    throw new ApiError(403, `Permission '${permission}' denied on resource (or it may not exist).`, 'PERMISSION_DENIED'); // [G] wording
  }
  if (!sa) throw unknownAccount();
  return sa;
}

function createAccount(req: EmuRequest): EmuResponse {
  const project = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge('iam.write', project.projectId, project.projectNumber);
  const body = checkIamBody('CreateServiceAccountRequest', req.body);
  const fields = body.serviceAccount ?? {};
  const accountId = validateNewAccount(body.accountId, fields.displayName, fields.description);
  const email = `${accountId}@${project.projectId}.iam.gserviceaccount.com`;
  const name = `projects/${project.projectId}/serviceAccounts/${email}`;
  const all = accounts(req.emu);
  if (all[email]) {
    const resource: ErrorDetail = { '@type': 'type.googleapis.com/google.rpc.ResourceInfo', resourceName: name };
    throw new ApiError(409, `Service account ${accountId} already exists within project projects/${project.projectId}.`, 'ALREADY_EXISTS', [resource]);
  }
  // The per-project account count is a default quota: enforced with the other quotas.
  if (req.emu.quota.enabled && accountsOfProject(req.emu, project.projectId).length >= MAX_ACCOUNTS_PER_PROJECT) {
    throw new ApiError(429, 'Maximum number of service accounts on project reached.', 'RESOURCE_EXHAUSTED', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '86401s' },
    ]);
  }
  const sa: StoredServiceAccount = {
    name,
    projectId: project.projectId,
    uniqueId: newUniqueId(req.emu),
    email,
    ...(fields.displayName ? { displayName: fields.displayName } : {}),
    ...(fields.description ? { description: fields.description } : {}),
    createdAtMs: req.emu.clock.now(),
  };
  all[email] = sa;
  return { body: renderAccount(sa) };
}

function listAccounts(req: EmuRequest): EmuResponse {
  const project = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge('iam.read', project.projectId, project.projectNumber);
  // IAM's page size defaults to 20 and is capped at 100.
  const { page, nextPageToken } = paginate(accountsOfProject(req.emu, project.projectId), req.query, { defaultSize: 20, maxSize: 100 });
  const body: Record<string, unknown> = {};
  if (page.length > 0) body.accounts = page.map(renderAccount);
  if (nextPageToken) body.nextPageToken = nextPageToken;
  return { body };
}

function getAccount(req: EmuRequest): EmuResponse {
  const sa = requireAccount(req, 'iam.read', 'iam.serviceAccounts.get');
  // Right after creation a read can miss the account (Terraform waits for consecutive GETs).
  if (insideConsistencyWindow(req.emu, sa)) throw unknownAccount();
  return { body: renderAccount(sa) };
}

function patchAccount(req: EmuRequest): EmuResponse {
  const sa = requireAccount(req, 'iam.write', 'iam.serviceAccounts.update');
  const body = checkIamBody('PatchServiceAccountRequest', req.body);
  const mask = parseMask(body.updateMask);
  // [G] wording: IAM requires the mask ("You must use the update_mask field").
  if (mask.length === 0) throw new ApiError(400, 'Field update_mask is required.', 'INVALID_ARGUMENT');
  const patch = body.serviceAccount ?? {};
  const updated: Record<string, any> = { ...sa };
  applyMask(updated, patch, mask, ['displayName', 'description']);
  validateTexts(updated.displayName, updated.description);
  for (const field of ['displayName', 'description'] as const) {
    if (updated[field]) sa[field] = updated[field];
    else delete sa[field];
  }
  return { body: renderAccount(sa) };
}

function deleteAccount(req: EmuRequest): EmuResponse {
  const sa = requireAccount(req, 'iam.write', 'iam.serviceAccounts.delete');
  delete accounts(req.emu)[sa.email];
  rememberDeleted(req.emu, sa);
  forgetAccountInPolicies(req.emu, sa);
  return { body: {} };
}

function setDisabled(req: EmuRequest, disabled: boolean): EmuResponse {
  const sa = requireAccount(req, 'iam.write', disabled ? 'iam.serviceAccounts.disable' : 'iam.serviceAccounts.enable');
  checkIamBody(disabled ? 'DisableServiceAccountRequest' : 'EnableServiceAccountRequest', req.body);
  if (disabled) sa.disabled = true;
  else delete sa.disabled;
  return { body: {} };
}
