// Cloud Storage keeps deleted objects restorable, and billed, for the soft-delete retention: 7 days
// unless the bucket says otherwise (cloud.google.com/storage/docs/soft-delete). A bucket whose
// lifecycle deletes objects after N days, to keep no data longer than that, still holds every
// deleted object for the retention after it: the data lives on longer than the design says.
import type { Diagnostic } from '../diagnostics.js';
import { type LintRule, locateField, warning } from './rule.js';

const ID = 'soft-delete-outlives-lifecycle';
const DAY = 86_400;

export const softDeleteOutlivesLifecycle: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const b of ctx.ofKind('Bucket')) {
      const rules = (b.spec.lifecycle?.rule ?? []) as Array<{ action?: { type?: string }; condition?: { age?: number } }>;
      const ages = rules.filter((r) => r.action?.type === 'Delete' && typeof r.condition?.age === 'number').map((r) => r.condition!.age!);
      if (ages.length === 0) continue;
      const age = Math.min(...ages);
      const retention = Number(b.spec.softDeletePolicy?.retentionDurationSeconds ?? 7 * DAY);
      if (retention <= 0) continue;
      out.push(
        warning(
          b,
          ID,
          locateField(b, ['spec', 'softDeletePolicy', 'retentionDurationSeconds']),
          `objects are deleted after ${age} day${age === 1 ? '' : 's'}, but soft delete keeps them restorable (and billed) for ${retention / DAY} more day${retention === DAY ? '' : 's'}; set spec.softDeletePolicy.retentionDurationSeconds: 0 to keep no data past the lifecycle`,
        ),
      );
    }
    return out;
  },
};
