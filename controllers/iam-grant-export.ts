// Exporting grants (IAMPolicyMember): the members of the IAM policies of the resources export
// writes, and the project's grants to the service accounts it writes (a project's policy holds its
// owners and Google's service agents too: those are the project's, not a stack's). What Google
// puts in a new resource's policy by itself (a bucket's convenience values) is left out, as the
// resource's own controller says (IamPolicyHolder.isInitialGrant).
import { type Exportable, type ExportIndex, holdsIamPolicy } from '../src/contract/controller.js';

/** A grant's Google id, "Kind|googleId|role|member", in parts (members and roles never hold a "|"). */
export function grantParts(id: string): { role: string; member: string; resourceKind: string; resource: string } {
  const parts = id.split('|');
  return { resourceKind: parts[0], resource: parts.slice(1, -2).join('|'), role: parts.at(-2) ?? '', member: parts.at(-1) ?? '' };
}

/** The part of a grant's manifest name that says who: an exported account's name, else the member's own name. */
function memberWord(member: string, exported: ExportIndex): string {
  const account = exported.withOutput('ServiceAccount', 'member', member);
  if (account) return account;
  if (member === 'allUsers') return 'all-users';
  if (member === 'allAuthenticatedUsers') return 'all-authenticated-users';
  return member.replace(/^[a-zA-Z]+:/, '').split('@')[0];
}

const nameSafe = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');

export const grantExport: Required<Exportable> = {
  exportScopes: (ctx, exported) => [
    ...exported.filter((e) => holdsIamPolicy(ctx.controller(e.kind))).map((e) => `${e.kind}|${e.id}`),
    `Project|projects/${ctx.project}`,
  ],

  exportable(observed, ctx, exported) {
    const g = grantParts(observed.id);
    if (g.resourceKind === 'Project') return exported.withOutput('ServiceAccount', 'member', g.member) !== undefined;
    return !ctx.controller(g.resourceKind).iamPolicy?.isInitialGrant?.(g.role, g.member);
  },

  toManifestSpec(observed, ctx, exported) {
    const g = grantParts(observed.id);
    const account = exported.withOutput('ServiceAccount', 'member', g.member);
    const name = g.resourceKind === 'Project' ? undefined : exported.nameOf(g.resourceKind, g.resource);
    const resourceRef =
      g.resourceKind === 'Project'
        ? g.resource === `projects/${ctx.project}`
          ? { kind: 'Project' }
          : { kind: 'Project', external: g.resource }
        : name
          ? { kind: g.resourceKind, name }
          : { kind: g.resourceKind, external: g.resource };
    return { role: g.role, ...(account ? { memberFrom: { serviceAccountRef: { name: account } } } : { member: g.member }), resourceRef };
  },

  // Who, what role, on what: sa-backend-storage-objectadmin-on-sessionmuse-uploads-p.
  nameOf(observed, exported) {
    const g = grantParts(observed.id);
    const on = g.resourceKind === 'Project' ? 'project' : (exported.nameOf(g.resourceKind, g.resource) ?? g.resource.split('/').pop() ?? '');
    const role = g.role.replace(/^(projects|organizations)\/[^/]+\//, '').replace(/^roles\//, '');
    return nameSafe(`${memberWord(g.member, exported)}-${role}-on-${on}`)
      .slice(0, 253)
      .replace(/-$/, '');
  },
};
