// The rest of a service account's life in IAM v1 (the discovery document's projects.serviceAccounts
// methods): update (PUT, the older form of patch: displayName and description), undelete (within
// 30 days of deletion, by unique id, when no account has taken the email since) and keys.list
// (user-managed keys are not emulated, so an account has none: an empty list).
import type { Emulator } from '../emulator.js';
import { ApiError } from '../errors.js';
import type { Binding, Policy } from '../iam-policy.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { checkIamBody } from './iam-request-fields.js';
import { accounts, findAccount, renderAccount, type StoredServiceAccount, unknownAccount, validateTexts } from './iam-service-account-model.js';

const ACCOUNT = '/v1/projects/{project}/serviceAccounts/{account}';
const DELETED = 'iam.deletedServiceAccounts';
/** "You can undelete a service account ... up to 30 days after you delete it" (IAM, Delete and undelete service accounts). */
const UNDELETE_WINDOW_MS = 30 * 86_400_000;

interface DeletedAccount {
  account: StoredServiceAccount;
  deletedAtMs: number;
}

const deleted = (emu: Emulator) => emu.store.collection<DeletedAccount>(DELETED);

export function registerServiceAccountLifecycle(emu: Emulator, requireAccount: (req: EmuRequest) => StoredServiceAccount): void {
  emu.router.put(ACCOUNT, (req) => updateAccount(req, requireAccount(req)));
  emu.router.post(`${ACCOUNT}:undelete`, undelete);
  emu.router.get(`${ACCOUNT}/keys`, (req) => {
    requireAccount(req);
    return { body: {} };
  });
}

/** Keeps a deleted account for undelete (called by delete). */
export function rememberDeleted(emu: Emulator, sa: StoredServiceAccount): void {
  deleted(emu)[sa.uniqueId] = { account: structuredClone(sa), deletedAtMs: emu.clock.now() };
}

function updateAccount(req: EmuRequest, sa: StoredServiceAccount): EmuResponse {
  const body = checkIamBody('ServiceAccount', req.body);
  validateTexts(body.displayName, body.description);
  for (const field of ['displayName', 'description'] as const) {
    if (body[field]) sa[field] = body[field];
    else delete sa[field];
  }
  return { body: renderAccount(sa) };
}

function undelete(req: EmuRequest): EmuResponse {
  checkIamBody('UndeleteServiceAccountRequest', req.body);
  const entry = deleted(req.emu)[req.params.account];
  if (!entry || req.emu.clock.now() - entry.deletedAtMs > UNDELETE_WINDOW_MS) {
    if (findAccount(req.emu, req.params.account)) throw new ApiError(400, 'Account is not deleted.', 'FAILED_PRECONDITION'); // [G]
    throw unknownAccount();
  }
  const sa = entry.account;
  if (accounts(req.emu)[sa.email]) {
    throw new ApiError(400, `Cannot undelete service account: an account with the email ${sa.email} exists.`, 'FAILED_PRECONDITION'); // [G]
  }
  accounts(req.emu)[sa.email] = sa;
  delete deleted(req.emu)[sa.uniqueId];
  restoreInPolicies(req.emu, sa);
  return { body: { restoredAccount: renderAccount(sa) } };
}

/** Bindings that showed the account as deleted:serviceAccount:EMAIL?uid=ID name it again. */
function restoreInPolicies(emu: Emulator, sa: StoredServiceAccount): void {
  const gone = `deleted:serviceAccount:${sa.email}?uid=${sa.uniqueId}`;
  for (const policy of Object.values(emu.store.collection<Policy>('iam.policies'))) {
    for (const binding of policy.bindings ?? ([] as Binding[])) {
      if (binding.members.includes(gone)) binding.members = [...new Set(binding.members.map((m) => (m === gone ? `serviceAccount:${sa.email}` : m)))].sort();
    }
  }
}
