// Secret Manager v1: secrets (create, get, list, patch, delete) and their IAM policies
// (gcp-api-facts.md §5; field lists from google.cloud.secretmanager.v1 in the official package).
// Versions and payloads live in secret-manager-versions.ts. A secret value is never logged, put in
// an error message, or stored anywhere but the state (see secret-manager-store.ts).

import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { alreadyExists, invalidArgument } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { paginate, parseMask, wire } from './common.js';
import { compileFilter } from './secret-manager-filter.js';
import { checkSettings, sameReplicationShape } from './secret-manager-settings.js';
import { allSecrets, checkEtag, newSecretEtag, projectFor, SM, type StoredSecret, secretFor, secretName } from './secret-manager-store.js';
import { registerSecretVersions } from './secret-manager-versions.js';

export function registerSecretManager(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/secret-manager', `${SM}.SecretManagerService`, {
    CreateSecret: createSecret,
    ListSecrets: listSecrets,
    GetSecret: (req) => wire(req, `${SM}.Secret`, secretFor(req, 'secretmanager.read').resource),
    UpdateSecret: updateSecret,
    DeleteSecret: deleteSecret,
    GetIamPolicy: getIamPolicy,
    SetIamPolicy: setIamPolicy,
    TestIamPermissions: [testIamPermissions, { mutates: false }],
  });
  registerSecretVersions(emu);
}

/** secretId: at most 255 letters, numerals, hyphens and underscores (gcp-api-facts.md §5). */
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

function createSecret(req: EmuRequest): EmuResponse {
  const project = projectFor(req, 'secretmanager.write');
  const secretId = req.query.get('secretId') ?? req.query.get('secret_id') ?? '';
  if (!secretId) throw invalidArgument('Field [secret_id] is required.', 'secret_id');
  if (!SECRET_ID.test(secretId)) {
    // [G] wording; the rule itself is Google's.
    throw invalidArgument(
      `Secret ID [${secretId}] must be at most 255 characters long and contain only letters, numerals, hyphens and underscores.`,
      'secret_id',
    );
  }
  const body = decode(`${SM}.Secret`, req.body ?? {}, 'secret');
  checkReplication(body.replication);
  const name = secretName(project, secretId);
  const secrets = allSecrets(req);
  if (secrets[name]) throw alreadyExists(`Secret [${name}] already exists.`);

  const resource: StoredSecret['resource'] = { ...body, name, createTime: req.emu.clock.iso(), etag: newSecretEtag(req.emu) };
  delete resource.tags; // INPUT_ONLY: attached as resource-manager tags, never echoed
  checkSettings(resource, new Set(Object.keys(body)), req.emu.clock.now(), {});
  applyTtl(resource, req.emu.clock.now());
  secrets[name] = { resource, versions: {}, nextVersion: 1 };
  return wire(req, `${SM}.Secret`, resource);
}

/** A global secret needs a replication policy: automatic, or user-managed with replicas. [G: wording] */
function checkReplication(replication: Record<string, any> | undefined): void {
  if (!replication || (!replication.automatic && !replication.userManaged)) {
    throw invalidArgument('Secret.replication must be provided.', 'secret.replication');
  }
  if (replication.userManaged) {
    const replicas: Array<{ location?: string }> = replication.userManaged.replicas ?? [];
    if (replicas.length === 0) throw invalidArgument('Secret.replication.user_managed.replicas must not be empty.', 'secret.replication.user_managed.replicas');
    if (replicas.some((r) => !r.location))
      throw invalidArgument('Secret.replication.user_managed.replicas[].location must be provided.', 'secret.replication.user_managed.replicas.location');
  }
}

/** `ttl` is INPUT_ONLY: it becomes `expireTime`, which is what Google answers. */
function applyTtl(resource: Record<string, any>, nowMs: number): void {
  if (resource.ttl === undefined) return;
  const seconds = Number(/^(-?\d+(?:\.\d+)?)s$/.exec(String(resource.ttl))?.[1]);
  if (!Number.isFinite(seconds))
    throw invalidArgument(`Invalid value at 'secret.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(resource.ttl)}`, 'secret.ttl');
  resource.expireTime = new Date(nowMs + seconds * 1000).toISOString();
  delete resource.ttl;
}

const SECRET_FILTER_FIELDS = /^(name|labels\.[^:=!]+|create_time|createTime)$/;

function listSecrets(req: EmuRequest): EmuResponse {
  const project = projectFor(req, 'secretmanager.read');
  const prefix = `projects/${project.projectNumber}/secrets/`;
  const matches = compileFilter(req.query.get('filter'), SECRET_FILTER_FIELDS);
  const secrets = Object.values(allSecrets(req))
    .map((s) => s.resource)
    .filter((s) => s.name.startsWith(prefix))
    .filter((s) => matches((field) => (field.startsWith('labels.') ? s.labels?.[field.slice(7)] : s[field])))
    .sort((a, b) => a.name.localeCompare(b.name));
  // Up to 25,000 a page; the server picks the size when none is asked (the ListSecrets reference).
  const { page, nextPageToken } = paginate(secrets, req.query, { defaultSize: 25_000, maxSize: 25_000 });
  return wire(req, `${SM}.ListSecretsResponse`, { secrets: page, nextPageToken, totalSize: secrets.length });
}

/** Mask paths a patch may name; secretType is immutable (checked, not set), replication only in its keys. */
const UPDATABLE = new Set([
  'labels',
  'annotations',
  'versionAliases',
  'expireTime',
  'ttl',
  'topics',
  'rotation',
  'versionDestroyTtl',
  'customerManagedEncryption',
]);
const IMMUTABLE = new Set(['secretType']);
/** Named in a mask without effect: identity and output fields. */
const IGNORED = new Set(['name', 'createTime', 'etag', 'tags']);

function updateSecret(req: EmuRequest): EmuResponse {
  const stored = secretFor(req, 'secretmanager.write');
  const rawMask = req.query.get('updateMask') ?? req.query.get('update_mask');
  if (rawMask === null) throw invalidArgument('Field [update_mask] is required.', 'update_mask');
  const body = decode(`${SM}.Secret`, req.body ?? {}, 'secret');
  const current = stored.resource;
  checkEtag(body.etag, current.etag);

  const next: Record<string, any> = structuredClone(current);
  for (const path of parseMask(rawMask)) {
    if (IGNORED.has(path)) continue;
    if (path === 'replication') {
      // The customer-managed keys of a replication may change; its form and locations may not.
      if (!sameReplicationShape(current.replication, body.replication)) throw immutableChange(path, current);
      next.replication = structuredClone(body.replication);
      continue;
    }
    if (IMMUTABLE.has(path)) {
      // AIP-203: naming an immutable field is fine as long as its value does not change.
      if (canonicalJson(body[path]) !== canonicalJson(current[path])) throw immutableChange(path, current);
      continue;
    }
    // Whole fields only: a path into a map (labels.team) or '*' is refused, as Google does. [G]
    if (!UPDATABLE.has(path)) throw invalidArgument('Request contains an invalid argument.', 'update_mask');
    if (path === 'ttl' || path === 'expireTime') delete next.expireTime;
    if (body[path] === undefined) delete next[path];
    else next[path] = structuredClone(body[path]);
  }
  checkSettings(next, new Set(parseMask(rawMask)), req.emu.clock.now(), stored.versions);
  applyTtl(next, req.emu.clock.now());
  next.etag = newSecretEtag(req.emu); // a no-op update moves the etag too (Secret Manager's etag guide)
  stored.resource = next as StoredSecret['resource'];
  return wire(req, `${SM}.Secret`, next);
}

function immutableChange(path: string, current: Record<string, any>) {
  if (path === 'replication') {
    const kind = current.replication?.userManaged ? 'user managed' : 'automatic';
    return invalidArgument(
      `Existing secret has ${kind} replication, but requested secret does not match. Updating secret replication is not supported.`,
      'secret.replication',
    );
  }
  return invalidArgument(`Field '${path}' is immutable and cannot be updated.`, `secret.${path}`);
}

/** JSON with sorted keys, to compare canonical resources structurally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function deleteSecret(req: EmuRequest): EmuResponse {
  const stored = secretFor(req, 'secretmanager.write');
  checkEtag(req.query.get('etag'), stored.resource.etag);
  delete allSecrets(req)[stored.resource.name];
  // A secret created again under the same id starts with no grants and no versions.
  req.emu.policies.delete(stored.resource.name);
  return { body: {} };
}

function getIamPolicy(req: EmuRequest): EmuResponse {
  const stored = secretFor(req, 'secretmanager.read');
  return wire(req, 'google.iam.v1.Policy', req.emu.policies.get(stored.resource.name));
}

function setIamPolicy(req: EmuRequest): EmuResponse {
  const body = decode('google.iam.v1.SetIamPolicyRequest', req.body ?? {}, '');
  const stored = secretFor(req, 'secretmanager.write');
  const policy = req.emu.policies.set(stored.resource.name, body.policy ?? {}, { dialect: 'google' });
  return wire(req, 'google.iam.v1.Policy', policy);
}

/** The emulator's caller holds every Secret Manager permission on the secret. */
function testIamPermissions(req: EmuRequest): EmuResponse {
  const body = decode('google.iam.v1.TestIamPermissionsRequest', req.body ?? {}, '');
  secretFor(req, 'secretmanager.read');
  const permissions = ((body.permissions ?? []) as string[]).filter((p) => p.startsWith('secretmanager.'));
  return wire(req, 'google.iam.v1.TestIamPermissionsResponse', { permissions });
}
