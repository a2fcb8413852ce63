// A Secret Manager secret's settings in spec form and back: replication (with its keys),
// annotations, topics, expiration, rotation, version aliases, delayed destruction and the type.
// The value is not here: secret.ts reads and writes versions.
import { durationSeconds, instantMs, mapPath } from '../src/contract/normalize.js';
import { cloneSpec, noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';
import { enumName } from './cloud-run-common.js';
import { apiDuration, durationText, isoTime, protoTimestamp } from './proto-values.js';

type ApiSecret = import('@google-cloud/secret-manager').protos.google.cloud.secretmanager.v1.ISecret;
type Cmek = { kmsKeyName?: string | null } | null | undefined;

/** The settings of a secret musectl writes with an update mask, as the mask names them. */
export const SETTINGS = {
  replication: 'replication',
  annotations: 'annotations',
  topics: 'topics',
  expireTime: 'expire_time',
  rotation: 'rotation',
  versionAliases: 'version_aliases',
  versionDestroyTtl: 'version_destroy_ttl',
} as const;

const cmekSpec = (c: Cmek) => (c?.kmsKeyName ? { customerManagedEncryption: { kmsKeyName: c.kmsKeyName } } : {});

function replicationSpec(s: ApiSecret): Record<string, unknown> {
  const um = s.replication?.userManaged;
  if (um?.replicas?.length)
    return { userManaged: { replicas: um.replicas.map((x) => ({ location: x.location ?? '', ...cmekSpec(x.customerManagedEncryption) })) } };
  return { automatic: { ...cmekSpec(s.replication?.automatic?.customerManagedEncryption) } };
}

/** The secret's settings as observe reads them. */
export function secretSpec(s: ApiSecret): Record<string, any> {
  const expireTime = isoTime(s.expireTime as never);
  const next = isoTime(s.rotation?.nextRotationTime as never);
  const period = durationText(s.rotation?.rotationPeriod as never);
  const destroyTtl = durationText(s.versionDestroyTtl as never);
  const type = enumName(s.secretType);
  return {
    replication: replicationSpec(s),
    annotations: { ...(s.annotations ?? {}) },
    topics: (s.topics ?? []).map((t) => ({ name: t.name ?? '' })),
    ...(expireTime ? { expireTime } : {}),
    ...(next || period ? { rotation: { ...(next ? { nextRotationTime: next } : {}), ...(period ? { rotationPeriod: period } : {}) } } : {}),
    versionAliases: Object.fromEntries(Object.entries(s.versionAliases ?? {}).map(([k, v]) => [k, Number(String(v))])),
    ...(destroyTtl ? { versionDestroyTtl: destroyTtl } : {}),
    ...(type ? { secretType: type } : {}),
  };
}

/** A manifest's settings as they compare with Google's: what it leaves out is none. */
export function desiredSettings(spec: Record<string, any>): Record<string, any> {
  const s = cloneSpec(spec);
  delete s.valueFrom;
  noneWhereAbsent(s, ['expireTime', 'rotation', 'versionDestroyTtl', 'secretType']);
  // The other form of replication is none, so that switching forms shows (and replaces).
  noneWhereAbsent(s.replication, ['automatic', 'userManaged']);
  if (s.replication.automatic) noneWhereAbsent(s.replication.automatic, ['customerManagedEncryption']);
  for (const r of s.replication.userManaged?.replicas ?? []) noneWhereAbsent(r, ['customerManagedEncryption']);
  if (s.rotation) noneWhereAbsent(s.rotation, ['rotationPeriod']);
  return s;
}

/**
 * Instants and durations by value; a rotation time modulo its period: Google moves
 * nextRotationTime on by the period at every rotation, and a time whole periods later is the same schedule.
 */
export function normalizeSettings(spec: Record<string, any>): void {
  mapPath(spec, 'expireTime', instantMs);
  mapPath(spec, 'versionDestroyTtl', durationSeconds);
  mapPath(spec, 'rotation.rotationPeriod', durationSeconds);
  mapPath(spec, 'rotation.nextRotationTime', instantMs);
  const period = spec.rotation?.rotationPeriod;
  if (typeof period === 'number' && period > 0 && typeof spec.rotation.nextRotationTime === 'number') spec.rotation.nextRotationTime %= period * 1000;
}

/** The API's fields for settings in spec form (those in `only`, or all). */
export function settingsToApi(s: Record<string, any>, only?: Array<keyof typeof SETTINGS>): ApiSecret {
  const all: ApiSecret = {
    replication: withoutNulls(s.replication),
    annotations: s.annotations,
    topics: s.topics,
    expireTime: s.expireTime ? protoTimestamp(s.expireTime) : undefined,
    rotation: s.rotation
      ? {
          nextRotationTime: protoTimestamp(s.rotation.nextRotationTime),
          ...(s.rotation.rotationPeriod ? { rotationPeriod: apiDuration(s.rotation.rotationPeriod) } : {}),
        }
      : undefined,
    versionAliases: s.versionAliases,
    versionDestroyTtl: s.versionDestroyTtl ? apiDuration(s.versionDestroyTtl) : undefined,
  };
  if (!only) return all;
  return Object.fromEntries(only.map((k) => [k, all[k]])) as ApiSecret;
}
