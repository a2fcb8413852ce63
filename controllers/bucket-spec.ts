// A Cloud Storage bucket's fields in spec form and back (JSON API v1, the same names). Spec form
// writes Google's default where Google leaves a field out (no website: empty suffixes) and none
// (null) for a setting that is not there (no retention policy, no logging, no IP filter). A patch
// is a JSON merge patch: a setting that goes is sent as null, which removes it.
import type { ExportIndex } from '../src/contract/controller.js';
import { mapPath, sorted, upper } from '../src/contract/normalize.js';
import { cloneSpec, noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';

type BucketMetadata = import('@google-cloud/storage').BucketMetadata;

/** The fields of the schema's spec, as the JSON API names them (the same names). */
export const MANAGED = [
  'location',
  'storageClass',
  'lifecycle',
  'versioning',
  'iamConfiguration',
  'softDeletePolicy',
  'cors',
  'autoclass',
  'billing',
  'customPlacementConfig',
  'defaultEventBasedHold',
  'encryption',
  'hierarchicalNamespace',
  'ipFilter',
  'logging',
  'objectRetention',
  'retentionPolicy',
  'rpo',
  'website',
] as const;

/** Settings that, left out of a manifest, are none. */
const OPTIONAL = ['customPlacementConfig', 'ipFilter', 'logging', 'objectRetention', 'retentionPolicy'] as const;
const ENFORCEMENT = [
  'googleManagedEncryptionEnforcementConfig',
  'customerManagedEncryptionEnforcementConfig',
  'customerSuppliedEncryptionEnforcementConfig',
] as const;

/** A lifecycle rule as the manifest writes it (the API adds nothing, but may number-ify strings). */
export function cleanRule(rule: any): Record<string, any> {
  const action: Record<string, unknown> = { type: rule.action?.type };
  if (rule.action?.storageClass) action.storageClass = rule.action.storageClass;
  const condition: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule.condition ?? {})) {
    if (v !== undefined && v !== null) condition[k] = typeof v === 'string' && /^(age|numNewerVersions|daysSince\w+)$/.test(k) ? Number(v) : v;
  }
  return { action, condition };
}

export function bucketSpec(m: BucketMetadata): Record<string, any> {
  const a = m as Record<string, any>;
  const encryption = a.encryption ?? {};
  return {
    location: m.location ?? 'US',
    storageClass: m.storageClass ?? 'STANDARD',
    lifecycle: { rule: (m.lifecycle?.rule ?? []).map(cleanRule) },
    versioning: { enabled: Boolean(m.versioning?.enabled) },
    iamConfiguration: {
      uniformBucketLevelAccess: { enabled: Boolean(m.iamConfiguration?.uniformBucketLevelAccess?.enabled) },
      publicAccessPrevention: m.iamConfiguration?.publicAccessPrevention ?? 'inherited',
    },
    softDeletePolicy: { retentionDurationSeconds: Number(m.softDeletePolicy?.retentionDurationSeconds ?? 0) },
    cors: (m.cors ?? []).map((c) => ({ ...c })),
    autoclass: a.autoclass?.enabled ? { enabled: true, terminalStorageClass: a.autoclass.terminalStorageClass ?? 'NEARLINE' } : { enabled: false },
    billing: { requesterPays: Boolean(a.billing?.requesterPays) },
    ...(a.customPlacementConfig?.dataLocations?.length ? { customPlacementConfig: { dataLocations: [...a.customPlacementConfig.dataLocations] } } : {}),
    defaultEventBasedHold: Boolean(a.defaultEventBasedHold),
    encryption: {
      defaultKmsKeyName: encryption.defaultKmsKeyName ?? '',
      ...Object.fromEntries(ENFORCEMENT.flatMap((k) => (encryption[k]?.restrictionMode ? [[k, { restrictionMode: encryption[k].restrictionMode }]] : []))),
    },
    hierarchicalNamespace: { enabled: Boolean(a.hierarchicalNamespace?.enabled) },
    ...(a.ipFilter?.mode
      ? {
          ipFilter: {
            mode: a.ipFilter.mode,
            publicNetworkSource: { allowedIpCidrRanges: a.ipFilter.publicNetworkSource?.allowedIpCidrRanges ?? [] },
            vpcNetworkSources: (a.ipFilter.vpcNetworkSources ?? []).map((v: any) => ({ network: v.network, allowedIpCidrRanges: v.allowedIpCidrRanges ?? [] })),
            allowCrossOrgVpcs: Boolean(a.ipFilter.allowCrossOrgVpcs),
            allowAllServiceAgentAccess: Boolean(a.ipFilter.allowAllServiceAgentAccess),
          },
        }
      : {}),
    ...(a.logging?.logBucket ? { logging: { logBucket: a.logging.logBucket, logObjectPrefix: a.logging.logObjectPrefix ?? '' } } : {}),
    ...(a.objectRetention?.mode === 'Enabled' ? { objectRetention: { mode: 'Enabled' } } : {}),
    ...(a.retentionPolicy?.retentionPeriod ? { retentionPolicy: { retentionPeriod: Number(a.retentionPolicy.retentionPeriod) } } : {}),
    // A region has no recovery point objective; dual- and multi-regions DEFAULT unless turbo.
    rpo: a.rpo ?? 'DEFAULT',
    website: { mainPageSuffix: a.website?.mainPageSuffix ?? '', notFoundPage: a.website?.notFoundPage ?? '' },
  };
}

/**
 * A manifest's bucket as it compares with Google's: a log bucket by the name the API takes, logs
 * under the bucket's own name by default (Google's), no terminal class without Autoclass, and none
 * for the settings left out.
 */
export function desiredBucket(name: string, spec: Record<string, any>): Record<string, any> {
  const s = cloneSpec(Object.fromEntries(MANAGED.map((f) => [f, spec[f]])));
  if (s.logging?.logBucketRef) {
    s.logging = { logBucket: s.logging.logBucketRef.name, ...s.logging };
    delete s.logging.logBucketRef;
  }
  if (s.logging) s.logging.logObjectPrefix ??= name;
  if (s.autoclass?.enabled) s.autoclass.terminalStorageClass ??= 'NEARLINE';
  else if (s.autoclass) delete s.autoclass.terminalStorageClass;
  noneWhereAbsent(s, OPTIONAL);
  noneWhereAbsent(s.encryption, ENFORCEMENT);
  return s;
}

export function normalizeBucket(spec: Record<string, any>): Record<string, any> {
  const s = cloneSpec(spec);
  s.location = upper(s.location);
  if (s.lifecycle?.rule) s.lifecycle.rule = s.lifecycle.rule.map(cleanRule);
  mapPath(s, 'customPlacementConfig.dataLocations[]', upper);
  mapPath(s, 'customPlacementConfig.dataLocations', sorted);
  return s;
}

/** An object of defaults only (a website with no pages) says no more than its absence: the patch removes it. */
const allEmpty = (v: Record<string, any>): boolean => Object.values(v).every((x) => x === '' || x === false || x === null || x === undefined);

/**
 * The request body for the managed fields and labels. On create (`actual` absent): what is set. On
 * a patch: every managed field, none as null (removed), the fields fixed at creation left out, and
 * rpo only where the bucket has one (a region has none, and refuses it).
 */
export function bucketBody(desired: Record<string, any>, labels: Record<string, string | null>, actual?: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = { labels };
  for (const f of MANAGED) {
    const v = desired[f];
    if (actual) out[f] = v === null ? null : v;
    else if (v !== null && v !== undefined) out[f] = withoutNulls(v);
  }
  for (const f of ['website', 'encryption'] as const) {
    if (out[f] && allEmpty(out[f] as Record<string, any>)) {
      if (actual) out[f] = null;
      else delete out[f];
    }
  }
  if (!(desired.rpo === 'ASYNC_TURBO' || (actual && actual.rpo !== undefined))) delete out.rpo;
  if (actual) for (const f of ['location', 'customPlacementConfig', 'hierarchicalNamespace', 'objectRetention'] as const) delete out[f];
  // Object retention is turned on by the insert's enableObjectRetention, not by the resource.
  delete out.objectRetention;
  return out;
}

/** A bucket as export writes it: the log bucket by reference when it is exported too. */
export function bucketForExport(spec: Record<string, any>, exported: ExportIndex, name: string): Record<string, any> {
  const s = cloneSpec(spec);
  if (s.logging) {
    if (s.logging.logObjectPrefix === name) delete s.logging.logObjectPrefix;
    if (exported.has('Bucket', s.logging.logBucket)) {
      s.logging = { logBucketRef: { name: s.logging.logBucket }, ...s.logging };
      delete s.logging.logBucket;
    }
  }
  if (s.rpo === 'DEFAULT') delete s.rpo;
  return s;
}
