// The newer settings of a bucket, as Cloud Storage checks and fills them in (the Bucket resource of
// the JSON API reference; the pages named at each rule). Cloud Storage answers a bad value with a
// bare 400 "Invalid argument." (storage-bucket-fields.ts), so these say nothing more either.
import { invalidArgument } from './storage-model.js';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Autoclass, logging, encryption enforcement, IP filtering, hierarchical namespace and custom
 * placement. `previous` is the bucket's fields before this change (undefined on insert), `name` the bucket's.
 */
export function finalizeSettings(out: Record<string, any>, previous: Record<string, any> | undefined, now: string, name: string): void {
  autoclass(out, previous, now);
  if (out.logging !== undefined) {
    if (!isObject(out.logging) || typeof out.logging.logBucket !== 'string' || !out.logging.logBucket) throw invalidArgument();
    // "The default prefix is the bucket name" (Access and storage logs); Google writes it in. [G]
    out.logging = { logBucket: out.logging.logBucket, logObjectPrefix: out.logging.logObjectPrefix || name };
  }
  if (out.encryption !== undefined) encryption(out, previous, now);
  if (out.ipFilter !== undefined) {
    const f = out.ipFilter;
    if (!isObject(f) || (f.mode !== 'Enabled' && f.mode !== 'Disabled')) throw invalidArgument();
  }
  // A hierarchical namespace needs uniform bucket-level access (Create and manage buckets with
  // hierarchical namespace enabled).
  if (out.hierarchicalNamespace?.enabled && !out.iamConfiguration?.uniformBucketLevelAccess?.enabled) throw invalidArgument();
  if (out.customPlacementConfig !== undefined) {
    const locations = out.customPlacementConfig?.dataLocations;
    if (!Array.isArray(locations) || locations.length !== 2) throw invalidArgument();
    out.customPlacementConfig = { dataLocations: locations.map((l: unknown) => String(l).toUpperCase()) };
  }
  if (out.website !== undefined && !isObject(out.website)) throw invalidArgument();
}

/**
 * With Autoclass on, the default storage class is STANDARD and the terminal class NEARLINE unless
 * ARCHIVE is asked for; toggleTime moves when it is turned on or off ("Autoclass").
 */
function autoclass(out: Record<string, any>, previous: Record<string, any> | undefined, now: string): void {
  if (out.autoclass === undefined) return;
  if (!isObject(out.autoclass)) throw invalidArgument();
  const enabled = out.autoclass.enabled === true;
  const was = previous?.autoclass?.enabled === true;
  const toggleTime = enabled !== was || !previous?.autoclass?.toggleTime ? now : previous.autoclass.toggleTime;
  if (!enabled) {
    out.autoclass = { enabled: false, toggleTime };
    return;
  }
  if (out.storageClass !== 'STANDARD') throw invalidArgument();
  const terminal = out.autoclass.terminalStorageClass ?? 'NEARLINE';
  if (terminal !== 'NEARLINE' && terminal !== 'ARCHIVE') throw invalidArgument();
  const terminalChanged = previous?.autoclass?.terminalStorageClass !== terminal;
  out.autoclass = {
    enabled: true,
    toggleTime,
    terminalStorageClass: terminal,
    terminalStorageClassUpdateTime: terminalChanged ? now : previous?.autoclass?.terminalStorageClassUpdateTime,
  };
}

const ENFORCEMENT = ['googleManagedEncryptionEnforcementConfig', 'customerManagedEncryptionEnforcementConfig', 'customerSuppliedEncryptionEnforcementConfig'];

/** A restriction takes effect when it is set: its effectiveTime (output only) moves then. */
function encryption(out: Record<string, any>, previous: Record<string, any> | undefined, now: string): void {
  if (!isObject(out.encryption)) throw invalidArgument();
  for (const k of ENFORCEMENT) {
    const config = out.encryption[k];
    if (config === undefined) continue;
    if (!isObject(config) || (config.restrictionMode !== 'NotRestricted' && config.restrictionMode !== 'FullyRestricted')) throw invalidArgument();
    const before = previous?.encryption?.[k];
    out.encryption[k] = {
      restrictionMode: config.restrictionMode,
      effectiveTime: before?.restrictionMode === config.restrictionMode ? before.effectiveTime : now,
    };
  }
  if (Object.keys(out.encryption).length === 0 || (Object.keys(out.encryption).length === 1 && !out.encryption.defaultKmsKeyName)) delete out.encryption;
}
