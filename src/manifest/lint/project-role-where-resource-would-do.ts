// A role granted on the project applies to every resource of its kind in the project, including
// ones this stack does not own and ones created later. When the stack has resources of that kind,
// the same role granted on each of them gives the member what it needs and nothing more.
import type { Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import { type LintRule, warning } from './rule.js';

const ID = 'project-role-where-resource-would-do';

/**
 * Predefined roles that can be granted on a single resource, by the kind of that resource. Left out
 * on purpose: roles that also create resources of the kind (storage.admin, run.admin,
 * run.developer, secretmanager.admin, artifactregistry.admin, artifactregistry.createOnPush*), since
 * creating needs the project; project-only roles (storage.hmacKeyAdmin, aiplatform.user, ...);
 * and custom roles (what they hold is not known here). None of these ever warn.
 */
const RESOURCE_ROLES: Array<{ kind: string; role: RegExp }> = [
  // objectViewer, objectCreator, objectUser, objectAdmin, bucketViewer, legacyBucket*, legacyObject*
  { kind: 'Bucket', role: /^roles\/storage\.(object[A-Za-z]+|bucketViewer|legacy[A-Za-z]+)$/ },
  { kind: 'Secret', role: /^roles\/secretmanager\.(secretAccessor|secretVersionAdder|secretVersionManager|viewer)$/ },
  { kind: 'CloudRunService', role: /^roles\/run\.(invoker|servicesInvoker|viewer)$/ },
  { kind: 'ArtifactRegistryRepository', role: /^roles\/artifactregistry\.(reader|writer|repoAdmin)$/ },
  // On the project these let the member act as every service account in it.
  { kind: 'ServiceAccount', role: /^roles\/iam\.(serviceAccountUser|serviceAccountTokenCreator|serviceAccountOpenIdTokenCreator|workloadIdentityUser)$/ },
];

/** At most three names, so the line stays readable in a large stack. */
const someNames = (names: string[]): string => (names.length > 3 ? `${names.slice(0, 3).join(', ')}, ...` : names.join(', '));

export const projectRoleWhereResourceWouldDo: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const m of ctx.ofKind('IAMPolicyMember')) {
      const { role, resourceRef } = m.spec as { role: string; resourceRef: { kind: string; external?: string } };
      // Another project (external) holds none of this stack's resources.
      if (resourceRef.kind !== 'Project' || resourceRef.external !== undefined) continue;
      const kind = RESOURCE_ROLES.find((e) => e.role.test(role))?.kind;
      const candidates = kind ? ctx.ofKind(kind).map((r) => r.name) : [];
      if (!kind || candidates.length === 0) continue;
      out.push(
        warning(
          m,
          ID,
          locate(m.doc, ['spec', 'role']),
          `${role} on the project reaches every ${kind} in it, not only this stack's (${someNames(candidates)}); ` +
            `grant it on the ${kind} instead (resourceRef: {kind: ${kind}, name: ${candidates[0]}}), one IAMPolicyMember per ${kind} the member uses`,
        ),
      );
    }
    return out;
  },
};
