// What Artifact Registry checks about a repository's settings and fills in (the Repository and
// CleanupPolicy messages of google/devtools/artifactregistry/v1/repository.proto; the refusals are
// worded by analogy [G]): at most 10 cleanup policies, each keyed by its own id, with an action
// and one of a condition or a most-recent-versions rule; format settings only for their format;
// the scanning state that follows from the scanning setting.
import { invalidArgument } from '../errors.js';

const MAX_CLEANUP_POLICIES = 10;

export function checkRepositorySettings(repo: Record<string, any>): void {
  const policies = Object.entries((repo.cleanupPolicies ?? {}) as Record<string, Record<string, any>>);
  if (policies.length > MAX_CLEANUP_POLICIES)
    throw invalidArgument(`A repository can have at most ${MAX_CLEANUP_POLICIES} cleanup policies.`, 'repository.cleanup_policies');
  for (const [key, p] of policies) {
    if (p.id && p.id !== key) throw invalidArgument(`Cleanup policy id "${p.id}" does not match its key "${key}".`, 'repository.cleanup_policies');
    if (!p.action || p.action === 'ACTION_UNSPECIFIED') throw invalidArgument(`Cleanup policy "${key}" must have an action.`, 'repository.cleanup_policies');
    if (Boolean(p.condition) === Boolean(p.mostRecentVersions)) {
      throw invalidArgument(`Cleanup policy "${key}" must have exactly one of condition and most_recent_versions.`, 'repository.cleanup_policies');
    }
  }
  if (repo.mavenConfig && repo.format !== 'MAVEN') throw invalidArgument('maven_config is only valid for MAVEN repositories.', 'repository.maven_config');
  if (repo.dockerConfig && repo.format !== 'DOCKER') throw invalidArgument('docker_config is only valid for DOCKER repositories.', 'repository.docker_config');
}

/**
 * The output-only scanning state of a Docker repository: disabled by its setting, or by the project's
 * Container Scanning API, which the emulator never has on [G: what the state reads then].
 */
export function scanningState(repo: Record<string, any>): void {
  if (repo.format !== 'DOCKER') return;
  const config = repo.vulnerabilityScanningConfig ?? {};
  const disabled = config.enablementConfig === 'DISABLED';
  repo.vulnerabilityScanningConfig = {
    ...(config.enablementConfig ? { enablementConfig: config.enablementConfig } : {}),
    enablementState: 'SCANNING_DISABLED',
    enablementStateReason: disabled ? 'Vulnerability scanning is disabled in the repository settings.' : 'API containerscanning.googleapis.com is not enabled.',
  };
}
