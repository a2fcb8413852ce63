// What Secret Manager checks about a secret's settings on create and update (the Secret and
// Rotation messages' comments in google/cloud/secretmanager/v1/resources.proto; the wording of the
// refusals is by analogy with the service's own [G]): rotation needs topics and a first time at
// least 5 minutes ahead, a period of 1 hour to 100 years; aliases name versions that exist; a
// replication policy keeps its form and locations, and only its keys may change.
import { invalidArgument } from '../errors.js';
import type { StoredSecret } from './secret-manager-store.js';

const MIN_ROTATION_PERIOD_S = 3600;
const MAX_ROTATION_S = 3_153_600_000;
const MIN_ROTATION_LEAD_MS = 300_000;
const MAX_TOPICS = 10;
const MAX_ALIASES = 50;
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

const seconds = (d: unknown): number => Number(/^(-?\d+(?:\.\d+)?)s$/.exec(String(d ?? ''))?.[1] ?? Number.NaN);

/** Checks the settings a request sets (`changed`: the fields it writes), against the clock and the secret's versions. */
export function checkSettings(resource: Record<string, any>, changed: Set<string>, nowMs: number, versions: StoredSecret['versions']): void {
  const topics: any[] = resource.topics ?? [];
  if (changed.has('topics')) {
    if (topics.length > MAX_TOPICS) throw invalidArgument(`A secret can have at most ${MAX_TOPICS} topics.`, 'secret.topics');
    for (const t of topics)
      if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(t?.name ?? ''))
        throw invalidArgument(`Topic name [${t?.name}] must be of the form projects/*/topics/*.`, 'secret.topics');
  }
  const rotation = resource.rotation;
  if (rotation && (changed.has('rotation') || changed.has('topics'))) {
    if (topics.length === 0) throw invalidArgument('A secret with a rotation policy must have at least one topic.', 'secret.rotation');
    if (rotation.rotationPeriod !== undefined) {
      const s = seconds(rotation.rotationPeriod);
      if (!(s >= MIN_ROTATION_PERIOD_S && s <= MAX_ROTATION_S))
        throw invalidArgument('Rotation period must be between 3600s and 3153600000s.', 'secret.rotation.rotation_period');
      if (!rotation.nextRotationTime)
        throw invalidArgument('next_rotation_time must be set when rotation_period is set.', 'secret.rotation.next_rotation_time');
    }
    if (changed.has('rotation') && rotation.nextRotationTime) {
      const at = Date.parse(rotation.nextRotationTime);
      if (!(at >= nowMs + MIN_ROTATION_LEAD_MS))
        throw invalidArgument('next_rotation_time must be at least 5 minutes in the future.', 'secret.rotation.next_rotation_time');
    }
  }
  if (changed.has('expireTime') && resource.expireTime && !(Date.parse(resource.expireTime) > nowMs)) {
    throw invalidArgument('expire_time must be in the future.', 'secret.expire_time');
  }
  if (changed.has('versionAliases')) {
    const aliases = Object.entries(resource.versionAliases ?? {});
    if (aliases.length > MAX_ALIASES) throw invalidArgument(`A secret can have at most ${MAX_ALIASES} version aliases.`, 'secret.version_aliases');
    for (const [alias, version] of aliases) {
      if (!ALIAS.test(alias) || alias === 'latest' || alias === 'NEW')
        throw invalidArgument(`Version alias [${alias}] is not valid.`, 'secret.version_aliases');
      if (!versions[String(version)])
        throw invalidArgument(`Version alias [${alias}] refers to version [${version}], which does not exist.`, 'secret.version_aliases');
    }
  }
}

/** Replication without its keys: what must stay the same (the form and the locations). */
function replicationShape(r: Record<string, any> | undefined): string {
  if (r?.userManaged) return `user:${(r.userManaged.replicas ?? []).map((x: { location?: string }) => x.location).join(',')}`;
  return r?.automatic ? 'automatic' : 'none';
}

/** Whether `next` differs from `current` only in its customer-managed keys (which Secret Manager lets a caller change). */
export const sameReplicationShape = (current: Record<string, any> | undefined, next: Record<string, any> | undefined): boolean =>
  replicationShape(current) === replicationShape(next);
