// Cloud Storage's rules that relate two fields of a bucket, each with the page that states it:
// Autoclass keeps STANDARD as the default class; a hierarchical namespace needs uniform
// bucket-level access; a configurable dual-region is two regions of a multi-region; turbo
// replication is for dual-regions.
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';
import { STORAGE_DUAL_REGIONS, STORAGE_MULTI_REGIONS } from './locations.js';

const AUTOCLASS_DOC = 'https://cloud.google.com/storage/docs/autoclass';
const HNS_DOC = 'https://cloud.google.com/storage/docs/create-hns-bucket';
const LOCATIONS_DOC = 'https://cloud.google.com/storage/docs/locations#configurable';
const TURBO_DOC = 'https://cloud.google.com/storage/docs/availability-durability#turbo-replication';

export function bucketRules(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (path: Path, message: string) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  const spec = r.spec;
  const location = typeof spec.location === 'string' ? spec.location.toUpperCase() : '';
  if (spec.autoclass?.enabled === true && spec.storageClass !== 'STANDARD') {
    error(
      ['spec', 'storageClass'],
      `spec.storageClass: ${quote(spec.storageClass)} with Autoclass on; Autoclass manages the classes itself and the bucket's default class stays STANDARD (${AUTOCLASS_DOC})`,
    );
  }
  if (spec.autoclass?.terminalStorageClass !== undefined && spec.autoclass?.enabled !== true) {
    error(
      ['spec', 'autoclass', 'terminalStorageClass'],
      `spec.autoclass.terminalStorageClass: set with Autoclass off; set spec.autoclass.enabled: true, or leave it out (${AUTOCLASS_DOC})`,
    );
  }
  if (spec.hierarchicalNamespace?.enabled === true && spec.iamConfiguration?.uniformBucketLevelAccess?.enabled !== true) {
    error(
      ['spec', 'hierarchicalNamespace', 'enabled'],
      `spec.hierarchicalNamespace.enabled: true without uniform bucket-level access; set spec.iamConfiguration.uniformBucketLevelAccess.enabled: true (${HNS_DOC})`,
    );
  }
  const custom = spec.customPlacementConfig !== undefined;
  if (custom && !STORAGE_MULTI_REGIONS.includes(location)) {
    error(
      ['spec', 'customPlacementConfig'],
      `spec.customPlacementConfig: with location ${quote(spec.location)}; a configurable dual-region names two regions of a multi-region location (US, EU or ASIA) (${LOCATIONS_DOC})`,
    );
  }
  if (spec.rpo === 'ASYNC_TURBO' && !STORAGE_DUAL_REGIONS.includes(location) && !custom) {
    error(['spec', 'rpo'], `spec.rpo: ASYNC_TURBO with location ${quote(spec.location)}; turbo replication is for dual-region buckets only (${TURBO_DOC})`);
  }
  return out;
}
