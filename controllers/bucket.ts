// Bucket: Cloud Storage buckets through @google-cloud/storage (JSON API v1). Google stores the
// location upper-case; patches are guarded by the metageneration we read, so a concurrent change
// is never overwritten blindly.
import type { Controller, ControllerContext, Exportable, HoldsData, IamPolicyHolder, Labelled, Observed, ReportsHealth } from '../src/contract/controller.js';
import { isNotFound } from '../src/gcp/errors.js';
import { bucketBody, bucketForExport, bucketSpec, desiredBucket, normalizeBucket } from './bucket-spec.js';
import { fromApiPolicy, policyOrEmpty, toApiPolicy } from './iam-policy.js';

type BucketMetadata = import('@google-cloud/storage').BucketMetadata;

function toObserved(m: BucketMetadata): Observed {
  const name = m.name ?? '';
  return {
    id: name,
    spec: bucketSpec(m),
    labels: (m.labels ?? {}) as Record<string, string>,
    outputs: { name, url: `gs://${name}` },
    // A bucket of the same name made later has another creation time (names are global).
    ...(m.timeCreated ? { evidence: { timeCreated: String(m.timeCreated) } } : {}),
    raw: m,
  };
}

/** Buckets listed per page: the JSON API's maximum. */
const PAGE_SIZE = 1000;
const QUOTA = { read: 'storage.read', write: 'storage.bucketUpdate', createDelete: 'storage.bucketCreateDelete' } as const;

export const bucketController: Controller & Labelled & IamPolicyHolder & HoldsData & Exportable & ReportsHealth = {
  kind: 'Bucket',
  facts: {
    clients: ['storage'],
    requiresApi: 'storage.googleapis.com',
    deletionPolicy: 'abandon',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    exportScope: 'project',
    shownOutputs: ['url'],
  },

  async dataHeld(ctx, actual) {
    const [files, next] = await ctx.api.call({ quota: 'storage.objects', scope: actual.id, what: `count the objects of bucket ${actual.id}` }, () =>
      ctx.clients.storage().bucket(actual.id).getFiles({ maxResults: 1000, autoPaginate: false }),
    );
    return { count: files.length, more: Boolean((next as { pageToken?: string } | null)?.pageToken), noun: files.length === 1 ? 'object' : 'objects' };
  },

  async setLabels(ctx, actual, labels) {
    const patch: Record<string, string | null> = { ...labels };
    for (const k of Object.keys(actual.labels)) if (!(k in labels)) patch[k] = null;
    await ctx.api.call({ quota: QUOTA.write, scope: actual.id, what: `relabel bucket ${actual.id}` }, () =>
      ctx.clients
        .storage()
        .bucket(actual.id)
        .setMetadata({ labels: patch } as any),
    );
  },

  iamPolicy: {
    get: (ctx, id) =>
      policyOrEmpty(async () => {
        const [p] = await ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `read the IAM policy of bucket ${id}` }, () =>
          ctx.clients.storage().bucket(id).iam.getPolicy({ requestedPolicyVersion: 3 }),
        );
        return fromApiPolicy(p as any);
      }),
    async set(ctx, id, policy) {
      // A stale etag is refused with 412 (Cloud Storage's way of saying "concurrent change").
      const [p] = await ctx.api.call({ quota: QUOTA.write, scope: id, what: `write the IAM policy of bucket ${id}` }, () =>
        ctx.clients
          .storage()
          .bucket(id)
          .iam.setPolicy(toApiPolicy(policy) as any),
      );
      return fromApiPolicy(p as any);
    },
    // Every new bucket's policy grants the project's owners and editors legacyBucketOwner and its
    // viewers legacyBucketReader, by "convenience values" (../shared/gcp-api-facts.md section 2;
    // https://cloud.google.com/storage/docs/access-control/iam#convenience-values).
    isInitialGrant: (role, member) =>
      (role === 'roles/storage.legacyBucketOwner' && /^project(Owner|Editor):/.test(member)) ||
      (role === 'roles/storage.legacyBucketReader' && member.startsWith('projectViewer:')),
  },

  // Cloud Storage says when a bucket's metadata last changed (`updated`), not by whom.
  health: (actual) => {
    const updated = (actual.raw as BucketMetadata).updated;
    return { state: 'ready', ...(updated ? { changedAt: new Date(String(updated)).toISOString() } : {}) };
  },

  identify: (r, ctx) => ({ id: r.name, scope: `projects/${ctx.project}` }),
  toManifestSpec: (observed, _ctx, exported) => bucketForExport(observed.spec, exported, observed.id),

  async observe(ctx) {
    const storage = ctx.clients.storage();
    const found = new Map<string, Observed>();
    let pageToken: string | undefined;
    do {
      const [buckets, next] = await ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `list buckets of ${ctx.project}` }, () =>
        storage.getBuckets({ autoPaginate: false, maxResults: PAGE_SIZE, pageToken }),
      );
      for (const b of buckets) found.set(b.name, toObserved(b.metadata));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return found;
  },

  desired: (r) => desiredBucket(r.name, r.spec),

  predictOutputs: (r) => ({ name: r.name, url: `gs://${r.name}` }),

  normalize: normalizeBucket,

  async create(ctx, r, desired, labels) {
    const storage = ctx.clients.storage();
    const [bucket] = await ctx.api.call({ quota: QUOTA.createDelete, scope: ctx.project, what: `create ${r.key}` }, () =>
      storage.createBucket(r.name, { ...bucketBody(desired, labels), ...(desired.objectRetention ? { enableObjectRetention: true } : {}) } as any),
    );
    return toObserved(bucket.metadata);
  },

  async update(ctx, r, desired, labels, actual) {
    const bucket = ctx.clients.storage().bucket(r.name);
    // Labels in a JSON API patch merge: a key is removed by setting it to null.
    const patchLabels: Record<string, string | null> = { ...labels };
    for (const k of Object.keys(actual.labels)) if (!(k in labels)) patchLabels[k] = null;
    const patch = bucketBody(desired, patchLabels, actual.raw as Record<string, any>);
    const metageneration = (actual.raw as BucketMetadata).metageneration;
    const [metadata] = await ctx.api.call({ quota: QUOTA.write, scope: r.name, what: `update ${r.key}` }, () =>
      bucket.setMetadata(patch as any, metageneration !== undefined ? { ifMetagenerationMatch: Number(metageneration) } : {}),
    );
    return toObserved(metadata);
  },

  async delete(ctx: ControllerContext, actual, opts) {
    const bucket = ctx.clients.storage().bucket(actual.id);
    try {
      // Google refuses to delete a bucket that holds objects (409): force-destroy empties it first.
      if (opts?.force)
        await ctx.api.call({ quota: 'storage.objects', scope: actual.id, what: `delete the objects of bucket ${actual.id}` }, () =>
          bucket.deleteFiles({ force: true }),
        );
      await ctx.api.call({ quota: QUOTA.createDelete, scope: ctx.project, what: `delete bucket ${actual.id}` }, () => bucket.delete());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};
