// Secret: Secret Manager secrets. The value comes from an environment variable or a file named in
// the manifest, never from the manifest itself; it lives only in a Sensitive (never printed) and
// is added as a new version only when it differs from the latest one. Google names secrets with
// the project number; musectl keys them by project id like every other kind.
import type { Controller, ControllerContext, Exportable, HoldsData, IamPolicyHolder, Labelled, Observed, Warns } from '../src/contract/controller.js';
import { cloneSpec, sameSpec, sensitive } from '../src/contract/spec.js';
import { httpStatus, isNotFound } from '../src/gcp/errors.js';
import { googleLibraries } from '../src/gcp/libraries.js';
import { registerSecret } from '../src/gcp/scrub.js';
import type { Resource } from '../src/manifest/index.js';
import { secretValue } from '../src/manifest/secret-source.js';
import { gaxPolicyAccess } from './iam-policy.js';
import { listAllPages } from './paging.js';
import { desiredSettings, normalizeSettings, SETTINGS, secretSpec, settingsToApi } from './secret-spec.js';

type ApiSecret = import('@google-cloud/secret-manager').protos.google.cloud.secretmanager.v1.ISecret;

const keyOf = (project: string, secretId: string): string => `projects/${project}/secrets/${secretId}`;
const secretIdOf = (name: string): string => name.split('/').pop() ?? '';

/** The value from its source (read once when the manifests were loaded), or why there is none. */
export const readValue = (r: Resource): { value?: Buffer; missing?: string } => secretValue(r);

/** A spec with its instants and durations by value (the value itself as it is). */
function normalized(spec: Record<string, any>): Record<string, any> {
  const s = cloneSpec(spec);
  normalizeSettings(s);
  return s;
}

/** Secrets listed per page. */
const PAGE_SIZE = 250;
const QUOTA = { read: 'secretmanager.read', write: 'secretmanager.write' } as const;

const evidenceOf = (s: ApiSecret): Record<string, string> | undefined => (s.createTime ? { createTime: timestampText(s.createTime) } : undefined);

/** A proto Timestamp as gax hands it over ({seconds, nanos}), as one comparable string. */
function timestampText(t: NonNullable<ApiSecret['createTime']>): string {
  return `${String(t.seconds ?? 0)}.${String(t.nanos ?? 0).padStart(9, '0')}`;
}

export const secretController: Controller & Labelled & IamPolicyHolder & HoldsData & Exportable & Warns = {
  kind: 'Secret',
  facts: {
    clients: ['secretManager'],
    newPolicyEmpty: true,
    requiresApi: 'secretmanager.googleapis.com',
    deletionPolicy: 'abandon',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    exportScope: 'project',
    shownOutputs: ['name'],
  },

  async dataHeld(ctx, actual) {
    const [versions] = await ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `count the versions of ${actual.id}` }, () =>
      ctx.clients.secretManager().listSecretVersions({ parent: actual.id, filter: 'state:ENABLED', pageSize: 1000 }, { autoPaginate: false }),
    );
    return { count: versions.length, more: versions.length >= 1000, noun: versions.length === 1 ? 'enabled version' : 'enabled versions' };
  },

  async setLabels(ctx, actual, labels) {
    await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `relabel ${actual.id}` }, () =>
      ctx.clients.secretManager().updateSecret({ secret: { name: actual.id, labels }, updateMask: { paths: ['labels'] } }),
    );
  },

  iamPolicy: gaxPolicyAccess({
    client: (ctx) => ctx.clients.secretManager(),
    quota: QUOTA,
    scope: (ctx) => ctx.project,
  }),

  identify: (r, ctx) => ({ id: keyOf(ctx.project, r.name), scope: `projects/${ctx.project}` }),

  async observe(ctx, scope) {
    const client = ctx.clients.secretManager();
    // The latest value, only of the stack's secrets whose value musectl manages: read with the list
    // where the inventory says the secret exists, after it otherwise.
    const early = new Map<string, Promise<Buffer | undefined>>();
    for (const r of ctx.observing?.resources('Secret') ?? []) {
      const key = keyOf(ctx.project, r.name);
      if (readValue(r).value === undefined || ctx.observing?.exists('Secret', key) !== true) continue;
      const read = latestValue(ctx, key);
      read.catch(() => undefined); // awaited below, unless the list fails first
      early.set(key, read);
    }
    const secrets = await listAllPages((pageToken) =>
      ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `list secrets of ${scope}` }, () =>
        client.listSecrets({ parent: scope, pageSize: PAGE_SIZE, pageToken }, { autoPaginate: false }),
      ),
    );
    const found = new Map<string, Observed>();
    for (const s of secrets) {
      const id = secretIdOf(s.name ?? '');
      found.set(keyOf(ctx.project, id), {
        id: s.name ?? '',
        spec: secretSpec(s),
        labels: { ...(s.labels ?? {}) },
        outputs: { name: s.name ?? '', secretId: id },
        ...(evidenceOf(s) ? { evidence: evidenceOf(s) } : {}),
        raw: s,
      });
    }
    await Promise.all(
      [...found.entries()].map(async ([key, o]) => {
        const r = ctx.resource('Secret', secretIdOf(key));
        if (!r || readValue(r).value === undefined) return;
        const latest = await (early.get(key) ?? latestValue(ctx, o.id));
        if (latest) o.spec.value = sensitive(latest);
      }),
    );
    return found;
  },

  desired(r) {
    const { value } = readValue(r);
    return { ...desiredSettings(r.spec), ...(value ? { value: sensitive(value) } : {}) };
  },

  normalize: normalized,

  planWarnings(r) {
    const { missing } = readValue(r);
    return missing ? [`no value: ${missing}; the secret's existing value (if any) is left as it is`] : [];
  },

  predictOutputs: (r) => ({ secretId: r.name }),
  toManifestSpec: (observed) => {
    const { value: _value, ...settings } = observed.spec;
    return structuredClone(settings);
  },

  async create(ctx, r, desired, labels) {
    const client = ctx.clients.secretManager();
    const { versionAliases, ...settings } = settingsToApi(desired);
    let [secret] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `create ${r.key}` }, () =>
      client.createSecret({
        parent: `projects/${ctx.project}`,
        secretId: r.name,
        secret: { ...settings, labels, ...(desired.secretType ? { secretType: desired.secretType } : {}) },
      }),
    );
    if (desired.value) await addVersion(ctx, secret.name!, desired.value.reveal());
    // An alias names a version, which exists only now.
    if (Object.keys(versionAliases ?? {}).length > 0) {
      [secret] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `set the version aliases of ${r.key}` }, () =>
        client.updateSecret({ secret: { name: secret.name, versionAliases }, updateMask: { paths: [SETTINGS.versionAliases] } }),
      );
    }
    return {
      id: secret.name!,
      spec: { ...secretSpec(secret), ...(desired.value ? { value: desired.value } : {}) },
      labels: { ...(secret.labels ?? {}) },
      outputs: { name: secret.name!, secretId: r.name },
      ...(evidenceOf(secret) ? { evidence: evidenceOf(secret) } : {}),
      raw: secret,
    };
  },

  async update(ctx, r, desired, labels, actual) {
    const client = ctx.clients.secretManager();
    let secret = actual.raw as ApiSecret;
    const changed = desired.value && !(actual.spec.value && desired.value.equals(actual.spec.value));
    // A new value first: an alias may name the version it adds.
    if (changed) await addVersion(ctx, actual.id, desired.value.reveal());
    // Only the settings that differ are written, named in the mask (an unchanged replication is never
    // sent); a null inside a setting is none, as the plan's diff reads it.
    const [want, have] = [normalized(desired), normalized(actual.spec)];
    const settings = (Object.keys(SETTINGS) as Array<keyof typeof SETTINGS>).filter((k) => !sameSpec(want[k], have[k]));
    const relabel = JSON.stringify(labels) !== JSON.stringify(actual.labels);
    if (settings.length > 0 || relabel) {
      [secret] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `update ${r.key}` }, () =>
        client.updateSecret({
          secret: { name: actual.id, labels, ...settingsToApi(desired, settings) },
          updateMask: { paths: [...(relabel ? ['labels'] : []), ...settings.map((k) => SETTINGS[k])] },
        }),
      );
    }
    return {
      ...actual,
      labels: { ...(secret.labels ?? labels) },
      spec: { ...secretSpec(secret), ...(desired.value ? { value: desired.value } : actual.spec.value ? { value: actual.spec.value } : {}) },
      raw: secret,
    };
  },

  async delete(ctx: ControllerContext, actual) {
    try {
      await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `delete ${actual.id}` }, () =>
        ctx.clients.secretManager().deleteSecret({ name: actual.id }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};

/** The latest version's payload, or undefined when there is none usable (none yet, disabled, destroyed). */
async function latestValue(ctx: ControllerContext, name: string): Promise<Buffer | undefined> {
  try {
    const [res] = await ctx.api.call({ quota: 'secretmanager.access', scope: ctx.project, what: `read the latest version of ${name}` }, () =>
      ctx.clients.secretManager().accessSecretVersion({ name: `${name}/versions/latest` }),
    );
    const data = res.payload?.data;
    if (!data) return undefined;
    const value = Buffer.from(data as Uint8Array);
    registerSecret(value); // an older value is as secret as the new one
    return value;
  } catch (err) {
    if (isNotFound(err) || httpStatus(err) === 400) return undefined;
    throw err;
  }
}

/** CRC32C as Secret Manager wants it (unsigned), from the official storage library's implementation. */
function crc32c(data: Buffer): number {
  const { CRC32C } = googleLibraries().storage;
  const crc = new CRC32C();
  crc.update(data);
  return crc.valueOf() >>> 0;
}

/**
 * Adds a version with its CRC32C, so Google checks the payload arrived intact. Adding a version is
 * not idempotent: when an attempt failed without an answer (a dropped connection), it may have
 * landed, so a retry first looks whether the latest version already holds the value.
 */
async function addVersion(ctx: ControllerContext, name: string, data: Buffer): Promise<void> {
  let attempted = false;
  await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `add a version to ${name}` }, async () => {
    if (attempted && (await latestValue(ctx, name))?.equals(data)) return;
    attempted = true;
    await ctx.clients.secretManager().addSecretVersion({ parent: name, payload: { data, dataCrc32c: crc32c(data) } });
  });
}

/**
 * Whether Secret Manager has an enabled version `version` ("latest" or a number) of the secret `name`
 * (its metadata only: the payload is not read).
 */
export async function hasEnabledVersion(ctx: ControllerContext, name: string, version: string): Promise<boolean> {
  try {
    const [v] = await ctx.api.call({ quota: 'secretmanager.read', scope: ctx.project, what: `look for version ${version} of ${name}` }, () =>
      ctx.clients.secretManager().getSecretVersion({ name: `${name}/versions/${version}` }),
    );
    return String(v.state) === 'ENABLED';
  } catch (err) {
    if (isNotFound(err) || httpStatus(err) === 400) return false;
    throw err;
  }
}

/** What to do to give a Secret a value, for messages. */
export function valueHint(r: Resource): string {
  const from = r.spec.valueFrom as { env?: string; file?: string } | undefined;
  if (from?.env) return `set the environment variable ${from.env}`;
  if (from?.file) return `write the file ${from.file}`;
  return `add spec.valueFrom to Secret/${r.name}, or add a version in Secret Manager`;
}
