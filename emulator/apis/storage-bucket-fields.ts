// The bucket resource of the Cloud Storage JSON API v1: its field list (from Google's reference of
// the Bucket resource), value rules, defaults and PATCH semantics.
//
// Unknown fields: the JSON API is a discovery-document API with no proto behind its REST surface,
// and it does not answer "Unknown name ... Cannot find field" like the One Platform APIs; a name it
// does not know is ignored. The emulator follows that: unknown and output-only names are dropped
// (never stored, never echoed), so a misspelt field shows up as a field that never takes effect.
// [G] no primary source states this outright; keep an eye on it.
//
// Invalid values: Cloud Storage answers a bare 400 `Invalid argument.` (reason invalid) for bad
// labels and lifecycle rules (seen by Terraform and Config Connector users), with no hint which field.

import { storageError } from '../errors.js';
import { finalizeSettings } from './storage-bucket-settings.js';
import { validateLifecycle } from './storage-lifecycle.js';
import { invalidArgument } from './storage-model.js';

/** Every field of the Bucket resource, by how a request may use it. */
export const BUCKET_FIELDS = {
  /** Settable on insert, patch and update. */
  writable: [
    'acl',
    'autoclass',
    'billing',
    'cors',
    'defaultEventBasedHold',
    'defaultObjectAcl',
    'encryption',
    'iamConfiguration',
    'ipFilter',
    'labels',
    'lifecycle',
    'logging',
    'retentionPolicy',
    'rpo',
    'softDeletePolicy',
    'storageClass',
    'versioning',
    'website',
  ],
  /** Settable only when the bucket is created (name is handled on its own). */
  createOnly: ['location', 'customPlacementConfig', 'hierarchicalNamespace'],
  /** Filled by the server; ignored in requests. */
  outputOnly: [
    'kind',
    'id',
    'selfLink',
    'name',
    'projectNumber',
    'metageneration',
    'etag',
    'timeCreated',
    'updated',
    'locationType',
    'owner',
    'satisfiesPZS',
    'satisfiesPZI',
    'generation',
    'softDeleteTime',
    'hardDeleteTime',
    'objectRetention',
  ],
} as const;

const WRITABLE = new Set<string>(BUCKET_FIELDS.writable);
const CREATE_ONLY = new Set<string>(BUCKET_FIELDS.createOnly);

export const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE', 'MULTI_REGIONAL', 'REGIONAL', 'DURABLE_REDUCED_AVAILABILITY'];

const MULTI_REGIONS = ['US', 'EU', 'ASIA'];
const DUAL_REGIONS = ['ASIA1', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'NAM4'];
const REGIONS = [
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
  'southamerica-east1',
  'southamerica-west1',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'africa-south1',
].map((r) => r.toUpperCase());

/** Soft delete: off (0) or between 7 and 90 days; 7 days by default. */
const SOFT_DELETE_DEFAULT = '604800';
const SOFT_DELETE_MIN = 7 * 86_400;
const SOFT_DELETE_MAX = 90 * 86_400;
/** Uniform bucket-level access can be turned off again for 90 days after it is turned on. */
const UBLA_LOCK_MS = 90 * 86_400_000;

// Label keys per the facts sheet (^[a-z0-9_-]{1,63}$), with the international (non-ASCII lower-case
// and caseless) letters Google's label rules also allow; values the same, and may be empty.
const LABEL_KEY = /^[\p{Ll}\p{Lo}0-9_-]{1,63}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}0-9_-]{0,63}$/u;
const MAX_LABELS = 64;

/** Checks a bucket name; `creating` adds the rules that only matter for new names. */
export function checkBucketName(name: unknown, creating: boolean): string {
  const bad = () => storageError(400, 'invalid', `Invalid bucket name: '${String(name)}'`);
  if (typeof name !== 'string') throw bad();
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name) || name.length < 3) throw bad();
  if (name.includes('.')) {
    if (name.length > 222 || name.split('.').some((part) => part.length === 0 || part.length > 63)) throw bad();
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) throw bad();
  } else if (name.length > 63) {
    throw bad();
  }
  if (creating && (name.startsWith('goog') || /g[o0][o0]g[l1][e3]/.test(name))) throw bad();
  return name;
}

/** Location upper-cased as Cloud Storage stores it, and its type. */
export function resolveLocation(raw: unknown): { location: string; locationType: string } {
  const location = raw === undefined || raw === null || raw === '' ? 'US' : String(raw).toUpperCase();
  if (MULTI_REGIONS.includes(location)) return { location, locationType: 'multi-region' };
  if (DUAL_REGIONS.includes(location)) return { location, locationType: 'dual-region' };
  if (REGIONS.includes(location)) return { location, locationType: 'region' };
  throw storageError(400, 'invalid', 'The specified location constraint is not valid.');
}

/** Keeps the names a request may set; everything else (output-only, unknown) is dropped. */
export function settable(body: Record<string, any>, creating: boolean): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(body)) {
    if (WRITABLE.has(k) || (creating && CREATE_ONLY.has(k))) out[k] = v;
  }
  return out;
}

/**
 * JSON API patch semantics (RFC 7396 merge patch): objects merge key by key, arrays and scalars
 * replace, and null removes. So `{"labels": {"a": null}}` drops one label and keeps the others.
 */
export function mergePatch(target: unknown, patch: unknown): any {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, any> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Validates the settable fields of a bucket and fills in server defaults and derived values.
 * `previous` is the bucket's fields before this change (undefined on insert).
 */
export function finalizeFields(fields: Record<string, any>, previous: Record<string, any> | undefined, now: string, name = ''): Record<string, any> {
  const out = { ...fields };

  out.storageClass = storageClass(out.storageClass);
  labels(out);
  if (out.lifecycle !== undefined) {
    const rules = validateLifecycle(out.lifecycle);
    if (rules.length > 0) out.lifecycle = { rule: rules };
    else delete out.lifecycle;
  }
  if (out.versioning !== undefined) out.versioning = { enabled: bool(out.versioning?.enabled) };
  if (out.billing !== undefined) out.billing = { requesterPays: bool(out.billing?.requesterPays) };
  if (out.defaultEventBasedHold !== undefined) out.defaultEventBasedHold = bool(out.defaultEventBasedHold);
  out.iamConfiguration = iamConfiguration(out.iamConfiguration, previous?.iamConfiguration, now);
  out.softDeletePolicy = softDeletePolicy(out.softDeletePolicy, previous?.softDeletePolicy, now);
  if (out.retentionPolicy !== undefined) out.retentionPolicy = retentionPolicy(out.retentionPolicy, previous?.retentionPolicy, now);
  rpo(out);
  finalizeSettings(out, previous, now, name);
  return out;
}

function storageClass(raw: unknown): string {
  if (raw === undefined) return 'STANDARD';
  const value = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (!STORAGE_CLASSES.includes(value)) throw invalidArgument();
  return value;
}

function labels(out: Record<string, any>): void {
  if (out.labels === undefined) return;
  if (!isObject(out.labels)) throw invalidArgument();
  const entries = Object.entries(out.labels);
  if (entries.length > MAX_LABELS) throw invalidArgument();
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k) || typeof v !== 'string' || !LABEL_VALUE.test(v)) throw invalidArgument();
  }
  if (entries.length === 0) delete out.labels;
}

function iamConfiguration(raw: any, previous: any, now: string): Record<string, any> {
  if (raw !== undefined && !isObject(raw)) throw invalidArgument();
  const wasOn = Boolean(previous?.uniformBucketLevelAccess?.enabled);
  // bucketPolicyOnly is the old name of uniformBucketLevelAccess: whichever one the request
  // changed wins, and both are answered.
  const ubla = raw?.uniformBucketLevelAccess?.enabled;
  const bpo = raw?.bucketPolicyOnly?.enabled;
  let on = wasOn;
  if (ubla !== undefined && bool(ubla) !== wasOn) on = bool(ubla);
  else if (bpo !== undefined && bool(bpo) !== wasOn) on = bool(bpo);
  const lockedTime = on ? (wasOn ? previous.uniformBucketLevelAccess.lockedTime : new Date(Date.parse(now) + UBLA_LOCK_MS).toISOString()) : undefined;
  const access = on ? { enabled: true, lockedTime } : { enabled: false };

  const pap = raw?.publicAccessPrevention ?? 'inherited';
  const publicAccessPrevention = pap === 'unspecified' ? 'inherited' : pap;
  if (publicAccessPrevention !== 'inherited' && publicAccessPrevention !== 'enforced') throw invalidArgument();
  return { bucketPolicyOnly: { ...access }, uniformBucketLevelAccess: { ...access }, publicAccessPrevention };
}

function softDeletePolicy(raw: any, previous: any, now: string): Record<string, any> {
  if (raw !== undefined && !isObject(raw)) throw invalidArgument();
  const seconds = raw?.retentionDurationSeconds ?? SOFT_DELETE_DEFAULT;
  if (!/^\d+$/.test(String(seconds))) throw invalidArgument();
  const n = Number(seconds);
  if (n !== 0 && (n < SOFT_DELETE_MIN || n > SOFT_DELETE_MAX)) throw invalidArgument();
  const retentionDurationSeconds = String(n);
  // The policy takes effect when it is set; an unchanged policy keeps its time.
  const effectiveTime = previous?.retentionDurationSeconds === retentionDurationSeconds ? previous.effectiveTime : now;
  return { retentionDurationSeconds, effectiveTime };
}

function retentionPolicy(raw: any, previous: any, now: string): Record<string, any> {
  if (!isObject(raw) || !/^\d+$/.test(String(raw.retentionPeriod ?? ''))) throw invalidArgument();
  const n = Number(raw.retentionPeriod);
  if (n <= 0 || n > 3_155_760_000) throw invalidArgument();
  const retentionPeriod = String(n);
  const effectiveTime = previous?.retentionPeriod === retentionPeriod ? previous.effectiveTime : now;
  return { retentionPeriod, effectiveTime };
}

/** Recovery point objective: DEFAULT on multi- and dual-regions; ASYNC_TURBO only on dual-regions. */
function rpo(out: Record<string, any>): void {
  const type = resolveLocation(out.location).locationType;
  if (type === 'region') {
    if (out.rpo !== undefined) throw invalidArgument();
    return;
  }
  const value = out.rpo ?? 'DEFAULT';
  if (value !== 'DEFAULT' && !(value === 'ASYNC_TURBO' && type === 'dual-region')) throw invalidArgument();
  out.rpo = value;
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined) return false;
  throw invalidArgument();
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
