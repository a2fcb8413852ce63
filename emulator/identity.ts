// Who calls. The emulator's callers are its one all-powerful owner (the fixed token the clients
// send), except when the emulator itself calls an API on a service account's behalf: Cloud
// Scheduler attaching an OAuth token of the job's account. Such a token names its account, and an
// API that checks a permission (Cloud Run's jobs:run) checks it for that account, against the IAM
// policies of the resource and its project, as Google does.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { PolicyStore } from './iam-policy.js';

export class Identities {
  /** Tokens minted this session (kept in memory: a real access token lives an hour). */
  private readonly tokens = new Map<string, string>();

  /** An OAuth access token for the service account `email`. */
  mint(email: string): string {
    const token = `ya29.emulator-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, email);
    return token;
  }

  /** The service account a request's bearer token stands for; undefined: the owner. */
  serviceAccountOf(headers: IncomingHttpHeaders): string | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(String(headers.authorization ?? ''));
    return m ? this.tokens.get(m[1]) : undefined;
  }
}

/**
 * Whether `email` holds one of `roles` in any of the policies (the resource's, then its project's).
 * Basic roles count: owner and editor carry every permission a predefined role of the service has.
 */
export function holdsRole(policies: PolicyStore, email: string, roles: ReadonlySet<string>, policyKeys: string[]): boolean {
  const member = `serviceAccount:${email}`;
  return policyKeys.some((key) =>
    (policies.peek(key)?.bindings ?? []).some(
      (b) => !b.condition && (roles.has(b.role) || b.role === 'roles/owner' || b.role === 'roles/editor') && b.members.includes(member),
    ),
  );
}
