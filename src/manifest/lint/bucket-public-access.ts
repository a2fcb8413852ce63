// Google's defaults leave a bucket open to being made public: without uniform bucket-level access,
// per-object ACLs (which IAM reviews do not show) can grant allUsers; with publicAccessPrevention
// "inherited", a single allUsers grant or public ACL exposes every object (unless an organization
// policy happens to enforce prevention). Private buckets set both; objects are shared through signed
// URLs, which work under both settings.
import type { Diagnostic } from '../diagnostics.js';
import { type LintRule, locateField, warning } from './rule.js';

const ID = 'bucket-public-access';

export const bucketPublicAccess: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const b of ctx.ofKind('Bucket')) {
      const iam = (b.spec.iamConfiguration ?? {}) as { uniformBucketLevelAccess?: { enabled?: boolean }; publicAccessPrevention?: string };
      if (iam.uniformBucketLevelAccess?.enabled !== true) {
        out.push(
          warning(
            b,
            ID,
            locateField(b, ['spec', 'iamConfiguration', 'uniformBucketLevelAccess', 'enabled']),
            'uniform bucket-level access is off, so object ACLs can make single objects public where IAM does not show it; set spec.iamConfiguration.uniformBucketLevelAccess.enabled: true',
          ),
        );
      }
      if (iam.publicAccessPrevention !== 'enforced') {
        out.push(
          warning(
            b,
            ID,
            locateField(b, ['spec', 'iamConfiguration', 'publicAccessPrevention']),
            `public access prevention is "${iam.publicAccessPrevention ?? 'inherited'}", so one grant to allUsers or allAuthenticatedUsers exposes every object to the internet; set spec.iamConfiguration.publicAccessPrevention: enforced (share objects through signed URLs)`,
          ),
        );
      }
    }
    return out;
  },
};
