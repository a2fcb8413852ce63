// An Artifact Registry repository's settings in spec form and back: format settings, CMEK, cleanup
// policies and vulnerability scanning. Spec form writes Google's defaults where Google leaves a
// field out (INHERITED scanning, no key) and none (null) for a cleanup condition left out.
import { durationSeconds, mapPath } from '../src/contract/normalize.js';
import { cloneSpec, noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';
import { enumName } from './cloud-run-common.js';
import { apiDuration, durationText } from './proto-values.js';

type Repository = import('@google-cloud/artifact-registry').protos.google.devtools.artifactregistry.v1.IRepository;
type Policy = import('@google-cloud/artifact-registry').protos.google.devtools.artifactregistry.v1.ICleanupPolicy;

/** The settings an update writes, as the update mask names them. */
export const UPDATABLE = {
  description: 'description',
  dockerConfig: 'docker_config.immutable_tags',
  cleanupPolicies: 'cleanup_policies',
  cleanupPolicyDryRun: 'cleanup_policy_dry_run',
  vulnerabilityScanningConfig: 'vulnerability_scanning_config.enablement_config',
} as const;

function policySpec(id: string, p: Policy): Record<string, any> {
  const c = p.condition;
  const olderThan = durationText(c?.olderThan as never);
  const newerThan = durationText(c?.newerThan as never);
  return {
    id: p.id || id,
    action: enumName(p.action),
    ...(c
      ? {
          condition: {
            ...(enumName(c.tagState) ? { tagState: enumName(c.tagState) } : {}),
            tagPrefixes: c.tagPrefixes ?? [],
            versionNamePrefixes: c.versionNamePrefixes ?? [],
            packageNamePrefixes: c.packageNamePrefixes ?? [],
            ...(olderThan ? { olderThan } : {}),
            ...(newerThan ? { newerThan } : {}),
          },
        }
      : {}),
    ...(p.mostRecentVersions
      ? {
          mostRecentVersions: {
            packageNamePrefixes: p.mostRecentVersions.packageNamePrefixes ?? [],
            ...(p.mostRecentVersions.keepCount ? { keepCount: p.mostRecentVersions.keepCount } : {}),
          },
        }
      : {}),
  };
}

/** The repository's settings as observe reads them (location and format aside). */
export function repositorySettings(repo: Repository): Record<string, any> {
  const maven = repo.mavenConfig;
  return {
    description: repo.description ?? '',
    ...(repo.dockerConfig ? { dockerConfig: { immutableTags: Boolean(repo.dockerConfig.immutableTags) } } : {}),
    ...(maven
      ? {
          mavenConfig: {
            allowSnapshotOverwrites: Boolean(maven.allowSnapshotOverwrites),
            ...(enumName(maven.versionPolicy) ? { versionPolicy: enumName(maven.versionPolicy) } : {}),
          },
        }
      : {}),
    kmsKeyName: repo.kmsKeyName ?? '',
    cleanupPolicies: Object.fromEntries(Object.entries(repo.cleanupPolicies ?? {}).map(([id, p]) => [id, policySpec(id, p)])),
    cleanupPolicyDryRun: Boolean(repo.cleanupPolicyDryRun),
    // Unset reads as ENABLEMENT_CONFIG_UNSPECIFIED: scanning as the project has it, i.e. INHERITED.
    vulnerabilityScanningConfig: { enablementConfig: enumName(repo.vulnerabilityScanningConfig?.enablementConfig) ?? 'INHERITED' },
  };
}

/** A manifest's settings as they compare with Google's: a policy's id from its key, what a condition leaves out none. */
export function desiredSettings(spec: Record<string, any>): Record<string, any> {
  const s = cloneSpec(spec);
  for (const [id, p] of Object.entries((s.cleanupPolicies ?? {}) as Record<string, Record<string, any>>)) {
    p.id ??= id;
    noneWhereAbsent(p, ['condition', 'mostRecentVersions']);
    if (p.condition) noneWhereAbsent(p.condition, ['tagState', 'olderThan', 'newerThan']);
    if (p.mostRecentVersions) noneWhereAbsent(p.mostRecentVersions, ['keepCount']);
  }
  return s;
}

export function normalizeSettings(spec: Record<string, any>): void {
  for (const p of Object.values((spec.cleanupPolicies ?? {}) as Record<string, Record<string, any>>)) {
    mapPath(p, 'condition.olderThan', durationSeconds);
    mapPath(p, 'condition.newerThan', durationSeconds);
  }
}

/** The API's fields for settings in spec form. */
export function settingsToApi(s: Record<string, any>): Repository {
  const policies = Object.fromEntries(
    Object.entries((s.cleanupPolicies ?? {}) as Record<string, Record<string, any>>).map(([id, p]) => {
      const policy = withoutNulls(cloneSpec(p));
      if (policy.condition?.olderThan) policy.condition.olderThan = apiDuration(policy.condition.olderThan);
      if (policy.condition?.newerThan) policy.condition.newerThan = apiDuration(policy.condition.newerThan);
      return [id, policy];
    }),
  );
  return {
    description: s.description,
    ...(s.dockerConfig ? { dockerConfig: s.dockerConfig } : {}),
    ...(s.mavenConfig ? { mavenConfig: s.mavenConfig } : {}),
    ...(s.kmsKeyName ? { kmsKeyName: s.kmsKeyName } : {}),
    cleanupPolicies: policies,
    cleanupPolicyDryRun: s.cleanupPolicyDryRun,
    vulnerabilityScanningConfig: { enablementConfig: s.vulnerabilityScanningConfig?.enablementConfig },
  };
}
