// Organizations with Domain Restricted Sharing (on by default for organizations created since
// 2024-05-03, cloud.google.com/resource-manager/docs/secure-by-default-organizations) refuse
// allUsers and allAuthenticatedUsers in every IAM policy, so a grant of roles/run.invoker to them
// fails at apply time there. Google's way to make a Cloud Run service public that works everywhere is
// invokerIamDisabled: true on the service (cloud.google.com/run/docs/securing/managing-access,
// "Disable the Cloud Run Invoker IAM check").
import type { Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import { type LintRule, warning } from './rule.js';

const ID = 'public-invoker-grant';
const PUBLIC = new Set(['allUsers', 'allAuthenticatedUsers']);

export const publicInvokerGrant: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const m of ctx.ofKind('IAMPolicyMember')) {
      const { member, role, resourceRef } = m.spec as { member?: string; role: string; resourceRef: { kind: string; name?: string; external?: string } };
      if (role !== 'roles/run.invoker' || member === undefined || !PUBLIC.has(member)) continue;
      if (resourceRef.kind !== 'CloudRunService' && resourceRef.kind !== 'CloudRunJob') continue;
      const target = resourceRef.name !== undefined ? `${resourceRef.kind}/${resourceRef.name}` : resourceRef.external;
      out.push(
        warning(
          m,
          ID,
          locate(m.doc, ['spec', 'member']),
          `grants roles/run.invoker on ${target} to ${member}: organizations with Domain Restricted Sharing (the default for those created since 2024-05-03) refuse this grant; drop it and set spec.invokerIamDisabled: true on the service, which makes it public everywhere`,
        ),
      );
    }
    return out;
  },
};
