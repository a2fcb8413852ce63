// Secret Manager's rules that relate two fields of a secret: rotation reminders go to topics, so a
// rotation needs at least one; a customer-managed key lives where the data does ("Enable
// customer-managed encryption keys for Secret Manager": a global key for automatic replication, a
// key in the replica's own location for user-managed replication).
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { showPath as show } from '../humanize.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';

const CMEK_DOC = 'https://cloud.google.com/secret-manager/docs/cmek';
const ROTATION_DOC = 'https://cloud.google.com/secret-manager/docs/secret-rotation';

const keyLocation = (name: unknown): string | undefined => (typeof name === 'string' ? /^projects\/[^/]+\/locations\/([^/]+)\//.exec(name)?.[1] : undefined);

export function secretRules(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (path: Path, message: string) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  const spec = r.spec;
  if (spec.rotation && typeof spec.rotation === 'object' && !(Array.isArray(spec.topics) && spec.topics.length > 0)) {
    error(
      ['spec', 'rotation'],
      `spec.rotation: set without topics; Secret Manager sends rotation reminders to Pub/Sub topics, so a rotation needs at least one in spec.topics (${ROTATION_DOC})`,
    );
  }
  const automatic = spec.replication?.automatic?.customerManagedEncryption?.kmsKeyName;
  const at = keyLocation(automatic);
  if (at !== undefined && at !== 'global') {
    const p: Path = ['spec', 'replication', 'automatic', 'customerManagedEncryption', 'kmsKeyName'];
    error(p, `${show(p)}: a key in ${quote(at)}; automatic replication takes a key in the global location (${CMEK_DOC})`);
  }
  const replicas = spec.replication?.userManaged?.replicas;
  if (Array.isArray(replicas)) {
    replicas.forEach((x: any, i: number) => {
      const where = keyLocation(x?.customerManagedEncryption?.kmsKeyName);
      if (where === undefined || typeof x?.location !== 'string' || where === x.location) return;
      const p: Path = ['spec', 'replication', 'userManaged', 'replicas', i, 'customerManagedEncryption', 'kmsKeyName'];
      error(
        p,
        `${show(p)}: a key in ${quote(where)} for a replica in ${quote(x.location)}; each replica's key must be in the replica's own location (${CMEK_DOC})`,
      );
    });
  }
  return out;
}
