// A Cloud Run template's volumes in spec form and back: a secret's files, in-memory scratch space,
// a Cloud Storage bucket through Cloud Storage FUSE, an NFS share, Cloud SQL sockets. A manifest
// names a Secret or a Bucket of the stack by reference (secretRef, bucketRef); spec form holds the
// name the API takes (secret, bucket), as Google echoes it, and export turns it back into a
// reference when that resource is exported too.
import type { ExportIndex } from '../src/contract/controller.js';
import { noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';

type Volume = import('@google-cloud/run').protos.google.cloud.run.v2.IVolume;

/** The forms of a volume: exactly one is set. */
const FORMS = ['secret', 'emptyDir', 'gcs', 'nfs', 'cloudSqlInstance'] as const;

/** Mode bits of a secret's files when none are given: 0444 (the proto's SecretVolumeSource.default_mode). */
export const DEFAULT_SECRET_MODE = 0o444;

export function volumeSpec(v: Volume): Record<string, any> {
  const out: Record<string, any> = { name: v.name ?? '' };
  if (v.secret) {
    out.secret = {
      secret: v.secret.secret ?? '',
      items: (v.secret.items ?? []).map((i) => ({ path: i.path ?? '', version: i.version || 'latest', mode: i.mode ?? 0 })),
      defaultMode: v.secret.defaultMode || DEFAULT_SECRET_MODE,
    };
  }
  if (v.emptyDir) {
    // MEDIUM_UNSPECIFIED "falls back to the default implementation which is currently in memory".
    const medium = String(v.emptyDir.medium ?? '');
    out.emptyDir = { medium: medium && !/UNSPECIFIED/.test(medium) ? medium : 'MEMORY', ...(v.emptyDir.sizeLimit ? { sizeLimit: v.emptyDir.sizeLimit } : {}) };
  }
  if (v.gcs) out.gcs = { bucket: v.gcs.bucket ?? '', readOnly: Boolean(v.gcs.readOnly), mountOptions: v.gcs.mountOptions ?? [] };
  if (v.nfs) out.nfs = { server: v.nfs.server ?? '', path: v.nfs.path ?? '', readOnly: Boolean(v.nfs.readOnly) };
  if (v.cloudSqlInstance) out.cloudSqlInstance = { instances: v.cloudSqlInstance.instances ?? [] };
  return out;
}

/** A manifest's volume as it compares with Google's: references as the names the API takes, the other forms none. */
export function canonicalVolume(v: Record<string, any>): void {
  if (v.secret?.secretRef) {
    v.secret.secret = v.secret.secretRef.name;
    delete v.secret.secretRef;
  }
  if (v.gcs?.bucketRef) {
    v.gcs.bucket = v.gcs.bucketRef.name;
    delete v.gcs.bucketRef;
  }
  if (v.emptyDir) noneWhereAbsent(v.emptyDir, ['sizeLimit']);
  noneWhereAbsent(v, FORMS);
}

export const volumesToApi = (volumes: Array<Record<string, any>>): Volume[] => volumes.map((v) => withoutNulls(v) as Volume);

/** A volume as export writes it: a reference to a Secret or Bucket that is exported too. */
export function volumeForExport(v: Record<string, any>, exported: ExportIndex): void {
  if (v.secret && exported.has('Secret', v.secret.secret)) {
    v.secret = { secretRef: { name: v.secret.secret }, ...v.secret };
    delete v.secret.secret;
  }
  if (v.gcs && exported.has('Bucket', v.gcs.bucket)) {
    v.gcs = { bucketRef: { name: v.gcs.bucket }, ...v.gcs };
    delete v.gcs.bucket;
  }
}

/** The Secrets of the stack a template's volumes read (by reference). */
export const volumeSecretRefs = (volumes: Array<Record<string, any>> | undefined): string[] =>
  (volumes ?? []).flatMap((v) => (v?.secret?.secretRef?.name ? [v.secret.secretRef.name as string] : []));
