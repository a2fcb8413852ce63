// Secret Manager state and the lookups every Secret Manager route shares. Secrets are keyed by their
// full name with the project NUMBER (`projects/123/secrets/S`), which is how Google names them even
// when asked by project id (gcp-api-facts.md §5). A secret keeps its versions beside it; a version's
// payload is kept (base64) apart from the version resource, so encoding a version can never leak it.

import type { Emulator } from '../emulator.js';
import { ApiError, notFound } from '../errors.js';
import type { Project } from '../projects.js';
import type { EmuRequest } from '../router.js';

export const SM = 'google.cloud.secretmanager.v1';

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

export interface StoredVersion {
  /** The SecretVersion resource in canonical form (enum names), without any payload. */
  resource: Record<string, any> & { name: string; state: VersionState; etag: string };
  /** The payload, base64; removed when the version is destroyed. */
  data?: string;
  /** CRC32C of the payload as a decimal string (int64 on the wire). */
  crc32c?: string;
}

export interface StoredSecret {
  /** The Secret resource in canonical form. */
  resource: Record<string, any> & { name: string; etag: string };
  /** Versions by number (as a string key). */
  versions: Record<string, StoredVersion>;
  /** Versions are numbered from 1 and numbers are never reused within a secret. */
  nextVersion: number;
}

const COLLECTION = 'secretmanager.secrets';

export type QuotaMetric = 'secretmanager.read' | 'secretmanager.write' | 'secretmanager.access';

/** Every secret, by full name; `ctx` is a request or `{emu}` (Cloud Run checks secrets at deploy time). */
export function allSecrets(ctx: { emu: Emulator }): Record<string, StoredSecret> {
  return ctx.emu.store.collection<StoredSecret>(COLLECTION);
}

/** Resolves the {project} path variable (id or number) and charges the call to its quota. */
export function projectFor(req: EmuRequest, metric: QuotaMetric): Project {
  const project = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge(metric, project.projectId, project.projectNumber);
  return project;
}

export const secretName = (project: Project, secretId: string): string => `projects/${project.projectNumber}/secrets/${secretId}`;

/** The secret a secret-level call (get, patch, delete, addVersion, IAM) names, or Google's 404. */
export function secretFor(req: EmuRequest, metric: QuotaMetric): StoredSecret {
  const name = secretName(projectFor(req, metric), req.params.secret);
  const found = allSecrets(req)[name];
  if (!found) throw notFound(`Secret [${name}] not found.`);
  return found;
}

/**
 * The secret a version-level call names. Google words a missing secret differently here, the same
 * way as a secret that has no versions yet ('latest' of nothing).
 */
export function secretForVersions(req: EmuRequest, metric: QuotaMetric): StoredSecret {
  const name = secretName(projectFor(req, metric), req.params.secret);
  const found = allSecrets(req)[name];
  if (!found) throw noVersions(name);
  return found;
}

const noVersions = (secret: string): ApiError => notFound(`Secret [${secret}] not found or has no versions.`);

/**
 * Resolves a version reference: a number, `latest` (the most recently CREATED version, whatever its
 * state: accessing `latest` when the newest version is disabled fails rather than falling back to
 * an older one, as users report of the real API), or an alias from `versionAliases`.
 */
export function resolveVersion(secret: StoredSecret, ref: string): StoredVersion {
  const name = secret.resource.name;
  let key: string;
  if (/^\d+$/.test(ref)) {
    key = String(Number(ref));
  } else if (ref === 'latest') {
    const numbers = Object.keys(secret.versions).map(Number);
    if (numbers.length === 0) throw noVersions(name);
    key = String(Math.max(...numbers));
  } else {
    const aliased = secret.resource.versionAliases?.[ref];
    if (aliased === undefined) throw notFound(`Secret [${name}] has no alias [${ref}]`);
    key = String(Number(aliased));
  }
  const version = secret.versions[key];
  if (!version) throw notFound(`Secret Version [${name}/versions/${key}] not found.`);
  return version;
}

/**
 * Enable, disable and destroy take a version number only (no alias, no `latest`). [G: wording as
 * reported from the real API]
 */
export function numberedVersion(secret: StoredSecret, ref: string): StoredVersion {
  if (!/^\d+$/.test(ref)) {
    throw new ApiError(
      400,
      `The provided Secret Version ID [${secret.resource.name}/versions/${ref}] does not match the expected format [projects/*/secrets/*/versions/*]`,
      'INVALID_ARGUMENT',
    );
  }
  return resolveVersion(secret, ref);
}

/**
 * A fresh etag. Secret Manager etags are quoted hex strings (`"\"15e3c1a2b4d5f6\""` on the wire);
 * every modification, a no-op included, gets a new one.
 */
export function newSecretEtag(emu: Emulator): string {
  const counters = emu.store.collection<{ value: string }>('secretmanager.counters');
  const last = BigInt(counters.etag?.value ?? '0');
  let value = BigInt(emu.clock.now()) * 1000n;
  if (value <= last) value = last + 1n;
  counters.etag = { value: value.toString() };
  return `"${value.toString(16)}"`;
}

/**
 * The optimistic-concurrency check of patch, delete, enable, disable and destroy: an etag that is
 * given and is not the current one fails with FAILED_PRECONDITION and HTTP 400 (Secret Manager's
 * etag guide says so; it predates the AIP switch to ABORTED). [G: message wording]
 */
export function checkEtag(sent: unknown, current: string): void {
  if (typeof sent !== 'string' || sent === '') return;
  if (sent !== current) {
    throw new ApiError(
      400,
      "The etag provided in the request does not match the resource's current etag. Please retry the whole read-modify-write with exponential backoff.",
      'FAILED_PRECONDITION',
    );
  }
}

/** The replication status a version reports: the shape of its secret's replication policy. */
export function replicationStatusFor(replication: Record<string, any> | undefined): Record<string, unknown> | undefined {
  if (!replication) return undefined;
  if (replication.userManaged) {
    return { userManaged: { replicas: (replication.userManaged.replicas ?? []).map((r: { location: string }) => ({ location: r.location })) } };
  }
  return { automatic: {} };
}
