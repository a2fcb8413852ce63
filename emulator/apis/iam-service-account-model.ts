// Service accounts as IAM v1 stores and shows them (gcp-api-facts.md §3): where they live in the
// state, how a resource name finds one, what a new one looks like, and what the API answers when
// one is missing.
import { randomInt } from 'node:crypto';
import type { Emulator } from '../emulator.js';
import { ApiError, invalidArgument } from '../errors.js';

export interface StoredServiceAccount {
  name: string;
  projectId: string;
  uniqueId: string;
  email: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
  /** Emulator-internal: creation time (ms), for the eventual-consistency window. Never sent. */
  createdAtMs: number;
}

const COLLECTION = 'iam.serviceAccounts';

/** Google sends this etag on every service account (the field is deprecated). */
export const SERVICE_ACCOUNT_ETAG = 'MDEwMjE5MjA=';

/** A project holds at most this many service accounts (default quota). */
export const MAX_ACCOUNTS_PER_PROJECT = 100;

const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;

/** All service accounts, keyed by email. */
export function accounts(emu: Emulator): Record<string, StoredServiceAccount> {
  return emu.store.collection<StoredServiceAccount>(COLLECTION);
}

export function accountsOfProject(emu: Emulator, projectId: string): StoredServiceAccount[] {
  return Object.values(accounts(emu))
    .filter((sa) => sa.projectId === projectId)
    .sort((a, b) => a.email.localeCompare(b.email));
}

/**
 * Finds the account a `projects/{project}/serviceAccounts/{account}` name points at. The account
 * part is an email or a unique id; the project part may be `-`. The email alone identifies an
 * account, so the project part is not checked against it.
 */
export function findAccount(emu: Emulator, account: string): StoredServiceAccount | undefined {
  const all = accounts(emu);
  if (/^\d+$/.test(account)) return Object.values(all).find((sa) => sa.uniqueId === account);
  return all[account.toLowerCase()];
}

/** The 404 IAM answers for a service account it cannot find by resource name. */
export function unknownAccount(): ApiError {
  return new ApiError(404, 'Unknown service account', 'NOT_FOUND');
}

/** True while a new account is still invisible to reads (EmulatorOptions.serviceAccountConsistencyMs). */
export function insideConsistencyWindow(emu: Emulator, sa: StoredServiceAccount, now = emu.clock.now()): boolean {
  const windowMs = emu.options.serviceAccountConsistencyMs ?? 0;
  return windowMs > 0 && now - sa.createdAtMs < windowMs;
}

/** Checks a create request's user-assignable fields, with the messages IAM answers. */
export function validateNewAccount(accountId: string | undefined, displayName: string | undefined, description: string | undefined): string {
  accountId ??= '';
  if (accountId.length < 6 || accountId.length > 30) {
    throw invalidArgument(`The account ID "${accountId}" does not have a length between 6 and 30.`);
  }
  if (!ACCOUNT_ID.test(accountId)) {
    // [G] wording: Google's text for a pattern mismatch was not found; the length one is verified.
    throw invalidArgument(`The account ID "${accountId}" is invalid: it must match the regular expression [a-z]([-a-z0-9]*[a-z0-9]).`);
  }
  validateTexts(displayName, description);
  return accountId;
}

/** displayName <= 100 UTF-8 bytes, description <= 256, in IAM's words. */
export function validateTexts(displayName: string | undefined, description: string | undefined): void {
  const tooLong = (field: string, value: string | undefined, max: number) => {
    const length = Buffer.byteLength(value ?? '', 'utf8');
    if (length > max) {
      throw invalidArgument(`The ${field} length (${length}) is longer than the maximum allowed length ${max}.`);
    }
  };
  tooLong('display_name', displayName, 100);
  tooLong('description', description, 256);
}

/** A stable numeric id of 21 digits, as Google's (they start with 1). */
export function newUniqueId(emu: Emulator): string {
  const taken = new Set(Object.values(accounts(emu)).map((sa) => sa.uniqueId));
  for (;;) {
    let id = '1';
    for (let i = 0; i < 20; i++) id += String(randomInt(10));
    if (!taken.has(id)) return id;
  }
}

/** The wire form: uniqueId doubles as oauth2ClientId; `disabled` is omitted when false. */
export function renderAccount(sa: StoredServiceAccount): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: sa.name,
    projectId: sa.projectId,
    uniqueId: sa.uniqueId,
    email: sa.email,
  };
  if (sa.displayName) out.displayName = sa.displayName;
  out.etag = SERVICE_ACCOUNT_ETAG;
  if (sa.description) out.description = sa.description;
  out.oauth2ClientId = sa.uniqueId;
  if (sa.disabled) out.disabled = true;
  return out;
}
