// Artifact Registry's rules that relate two fields of a repository (google/devtools/artifactregistry/v1/
// repository.proto): a format's settings only for that format; a cleanup policy's id is its key; a
// most-recent-versions rule keeps versions, it deletes none ("Configure cleanup policies").
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';

const CLEANUP_DOC = 'https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy';

export function repositoryRules(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (path: Path, message: string) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  for (const [field, format] of [
    ['dockerConfig', 'DOCKER'],
    ['mavenConfig', 'MAVEN'],
  ] as const) {
    if (r.spec[field] !== undefined && r.spec.format !== format)
      error(['spec', field], `spec.${field}: set on a ${quote(r.spec.format)} repository; it applies to ${format} repositories only`);
  }
  const policies = r.spec.cleanupPolicies;
  if (policies && typeof policies === 'object') {
    for (const [key, p] of Object.entries(policies as Record<string, any>)) {
      if (p?.id !== undefined && p.id !== key)
        error(['spec', 'cleanupPolicies', key, 'id'], `spec.cleanupPolicies.${key}.id: ${quote(p.id)} is not its key ${quote(key)}; leave it out`);
      if (p?.mostRecentVersions && p.action !== 'KEEP') {
        error(
          ['spec', 'cleanupPolicies', key, 'action'],
          `spec.cleanupPolicies.${key}.action: ${quote(p.action)} with mostRecentVersions; it keeps the newest versions, so its action is KEEP (${CLEANUP_DOC})`,
        );
      }
    }
  }
  return out;
}
