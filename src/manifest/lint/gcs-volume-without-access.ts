// Cloud Storage FUSE mounts a bucket with the revision's (or task's) own service account: when that
// account may not read the bucket, the instance fails to start ("Configure Cloud Storage volume
// mounts": the service identity needs storage.objects.get and .list; a writable mount needs
// create and delete too), which shows up long after the manifests validated. Only what the stack
// itself says can be checked: a bucket of the stack (bucketRef), an account of the stack
// (serviceAccountRef), and the grants between them in the manifests (on the bucket or the project).
import type { Diagnostic } from '../diagnostics.js';
import { locate, type Path } from '../document.js';
import type { Resource } from '../resource.js';
import { type LintRule, warning } from './rule.js';

const ID = 'gcs-volume-without-access';
const DOC = 'https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts';

/** Roles that read objects (storage.objects.get and .list), and those that also write them (Cloud Storage's IAM roles page). */
const WRITE_ROLES = [
  'roles/storage.objectUser',
  'roles/storage.objectAdmin',
  'roles/storage.admin',
  'roles/storage.legacyObjectOwner',
  'roles/owner',
  'roles/editor',
];
const READ_ROLES = [...WRITE_ROLES, 'roles/storage.objectViewer', 'roles/storage.legacyObjectReader', 'roles/viewer'];

interface Grant {
  role: string;
  member?: string;
  memberFrom?: { serviceAccountRef?: { name: string } };
  resourceRef: { kind: string; name?: string; external?: string };
}

/** The template of a service or job, and where it is. */
const templateOf = (r: Resource): { t: Record<string, any> | undefined; at: Path } =>
  r.kind === 'CloudRunJob' ? { t: r.spec.template?.template, at: ['spec', 'template', 'template'] } : { t: r.spec.template, at: ['spec', 'template'] };

function rolesOn(grants: Grant[], account: string, bucket: string): string[] {
  return grants
    .filter((g) => g.memberFrom?.serviceAccountRef?.name === account || (g.member?.startsWith(`serviceAccount:${account}@`) ?? false))
    .filter(
      (g) =>
        (g.resourceRef.kind === 'Bucket' && (g.resourceRef.name === bucket || g.resourceRef.external === bucket)) ||
        (g.resourceRef.kind === 'Project' && !g.resourceRef.external),
    )
    .map((g) => g.role);
}

export const gcsVolumeWithoutAccess: LintRule = {
  id: ID,
  check(ctx) {
    const grants = ctx.ofKind('IAMPolicyMember').map((m) => m.spec as Grant);
    const out: Diagnostic[] = [];
    for (const r of [...ctx.ofKind('CloudRunService'), ...ctx.ofKind('CloudRunJob')]) {
      const { t, at } = templateOf(r);
      const account: string | undefined = t?.serviceAccountRef?.name;
      if (!t || account === undefined || !Array.isArray(t.volumes)) continue;
      t.volumes.forEach((v: Record<string, any>, i: number) => {
        const bucket: string | undefined = v?.gcs?.bucketRef?.name;
        if (bucket === undefined) return;
        const roles = rolesOn(grants, account, bucket);
        const where = locate(r.doc, [...at, 'volumes', i, 'gcs', 'bucketRef', 'name']);
        const grant = `add an IAMPolicyMember {role: ROLE, memberFrom: {serviceAccountRef: {name: ${account}}}, resourceRef: {kind: Bucket, name: ${bucket}}}`;
        if (!roles.some((role) => READ_ROLES.includes(role))) {
          out.push(
            warning(
              r,
              ID,
              where,
              `volume ${v.name} mounts Bucket/${bucket}, which ServiceAccount/${account} may not read: the instances cannot mount it and fail to start (${DOC}); ${grant.replace('ROLE', v.gcs.readOnly ? 'roles/storage.objectViewer' : 'roles/storage.objectUser')}`,
            ),
          );
        } else if (!v.gcs.readOnly && !roles.some((role) => WRITE_ROLES.includes(role))) {
          out.push(
            warning(
              r,
              ID,
              where,
              `volume ${v.name} mounts Bucket/${bucket} read-write, but ServiceAccount/${account} may only read it: every write fails; set gcs.readOnly: true, or ${grant.replace('ROLE', 'roles/storage.objectUser')}`,
            ),
          );
        }
      });
    }
    return out;
  },
};
