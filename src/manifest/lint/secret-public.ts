// A secret readable by allUsers (anyone) or allAuthenticatedUsers (anyone with any Google account)
// is published, whatever the role: even a viewer role tells the world the secret exists and how it is
// named, and accessor roles hand out the value. Secrets are granted to the identities that read them.
import type { Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import { type LintRule, warning } from './rule.js';

const ID = 'secret-public';

const PUBLIC: Record<string, string> = {
  allUsers: 'anyone on the internet',
  allAuthenticatedUsers: 'anyone with a Google account',
};

export const secretPublic: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const m of ctx.ofKind('IAMPolicyMember')) {
      const { member, role, resourceRef } = m.spec as { member?: string; role: string; resourceRef: { kind: string; name?: string; external?: string } };
      if (resourceRef.kind !== 'Secret' || member === undefined || !(member in PUBLIC)) continue;
      const secret = resourceRef.name !== undefined ? `Secret/${resourceRef.name}` : resourceRef.external;
      out.push(
        warning(
          m,
          ID,
          locate(m.doc, ['spec', 'member']),
          `grants ${role} on ${secret} to ${member}: ${PUBLIC[member]} can use the secret; remove this member and grant the role to the service account that reads it (memberFrom.serviceAccountRef)`,
        ),
      );
    }
    return out;
  },
};
