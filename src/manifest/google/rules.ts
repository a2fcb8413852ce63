// Google's create-time rules that need code rather than a schema keyword, checked before any call
// so that nothing is half-applied: a bucket name Google refuses, a location the API does not
// offer, Cloud Run's CPU and memory table. The per-field rules (lengths, patterns, int32 ranges,
// label counts) are in the schemas, next to the field, with the doc that states them.
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';
import { closest } from '../suggest.js';
import { repositoryRules } from './artifact-registry.js';
import { bucketRules } from './bucket.js';
import { cloudRunRules } from './cloud-run.js';
import { cloudSchedulerRules } from './cloud-scheduler.js';
import { isKnownLocation, LOCATIONS, LOCATIONS_COMPILED, type LocationList } from './locations.js';
import { secretRules } from './secret.js';

const GCS_NAMING = 'https://cloud.google.com/storage/docs/buckets#naming';
const IAM_SA = 'https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts';

export function googleRules(resources: Resource[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of resources) {
    // Invalid documents take part too (every problem in one run), so nothing here trusts a type.
    if (r.spec === null || typeof r.spec !== 'object' || Array.isArray(r.spec)) continue;
    const error = (path: Path, message: string) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
    const location = (path: Path, list: LocationList, value: unknown) => {
      if (typeof value !== 'string' || isKnownLocation(list, value)) return;
      const hint = closest(list.caseInsensitive ? value.toUpperCase() : value, list.names);
      error(
        path,
        `${path.join('.').replace(/\.(\d+)/g, '[$1]')}: ${quote(value)} is not a known ${list.what}${hint ? ` (did you mean "${list.caseInsensitive ? hint.toLowerCase() : hint}"?)` : ''}; the list (${list.source}, compiled ${LOCATIONS_COMPILED}) is in src/manifest/google/locations.ts`,
      );
    };
    switch (r.kind) {
      case 'CloudRunService':
      case 'CloudRunJob':
        location(['spec', 'location'], LOCATIONS.cloudRun, r.spec.location);
        out.push(...cloudRunRules(r));
        break;
      case 'Bucket': {
        const misspelt = googleLookalike(r.name);
        if (misspelt) {
          error(
            ['metadata', 'name'],
            `metadata.name: ${quote(r.name)} contains ${quote(misspelt)}; Google refuses bucket names with "google" or a close misspelling of it (${GCS_NAMING})`,
          );
        }
        location(['spec', 'location'], LOCATIONS.storage, r.spec.location);
        out.push(...bucketRules(r));
        break;
      }
      case 'CloudSchedulerJob':
        out.push(...cloudSchedulerRules(r));
        break;
      case 'ArtifactRegistryRepository':
        location(['spec', 'location'], LOCATIONS.artifactRegistry, r.spec.location);
        out.push(...repositoryRules(r));
        break;
      case 'Secret': {
        const replicas = r.spec.replication?.userManaged?.replicas;
        if (Array.isArray(replicas)) {
          replicas.forEach((x: { location?: unknown }, i: number) => {
            location(['spec', 'replication', 'userManaged', 'replicas', i, 'location'], LOCATIONS.secretManager, x?.location);
          });
        }
        out.push(...secretRules(r));
        break;
      }
      case 'ServiceAccount':
        // The limits are in bytes (UTF-8), the schema's maxLength in characters.
        for (const [field, max] of [
          ['displayName', 100],
          ['description', 256],
        ] as const) {
          const v = r.spec[field];
          if (typeof v === 'string' && Buffer.byteLength(v, 'utf8') > max) {
            error(['spec', field], `spec.${field}: ${Buffer.byteLength(v, 'utf8')} bytes in UTF-8; IAM takes at most ${max} (${IAM_SA})`);
          }
        }
        break;
    }
  }
  return out;
}

/**
 * The part of a bucket name that reads as "google": written with look-alike digits (g00gle,
 * goog1e) or with one letter dropped, doubled or swapped (gogle, gooogle, googel). A different
 * letter in its place ("goggle") is not counted: that is another word.
 */
export function googleLookalike(name: string): string | undefined {
  const plain = name.toLowerCase();
  const normal = plain.replace(/0/g, 'o').replace(/[1|]/g, 'l').replace(/3/g, 'e');
  const target = 'google';
  for (const len of [6, 7, 5]) {
    for (let i = 0; i + len <= normal.length; i++) {
      const window = normal.slice(i, i + len);
      if (window[0] === 'g' && (window === target || oneEditWithoutSubstitution(window, target))) return plain.slice(i, i + len);
    }
  }
  return undefined;
}

/** Whether `a` becomes `b` by one insertion, one deletion or one swap of neighbours. */
function oneEditWithoutSubstitution(a: string, b: string): boolean {
  if (a.length === b.length) {
    const diff = [...a].map((ch, i) => (ch === b[i] ? -1 : i)).filter((i) => i >= 0);
    return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  if (long.length !== short.length + 1) return false;
  for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
  return false;
}
