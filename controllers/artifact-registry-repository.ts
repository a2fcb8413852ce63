// ArtifactRegistryRepository: Artifact Registry repositories (API v1). Create and delete are
// long-running operations; a patch is synchronous and names its fields in an update mask.
import type { Controller, ControllerContext, Exportable, HoldsData, IamPolicyHolder, Labelled, Observed, ReportsHealth } from '../src/contract/controller.js';
import { cloneSpec, sameSpec } from '../src/contract/spec.js';
import { isNotFound } from '../src/gcp/errors.js';
import { waitForOperation } from '../src/gcp/operations.js';
import { desiredSettings, normalizeSettings, repositorySettings, settingsToApi, UPDATABLE } from './artifact-registry-spec.js';
import { gaxPolicyAccess } from './iam-policy.js';
import { listAllPages } from './paging.js';
import { isoTime } from './proto-values.js';

type Repository = import('@google-cloud/artifact-registry').protos.google.devtools.artifactregistry.v1.IRepository;

const locationOf = (name: string): string => name.split('/')[3];
const registryOf = (location: string, project: string, id: string): string => `${location}-docker.pkg.dev/${project}/${id}`;

function toObserved(repo: Repository, project: string): Observed {
  const name = repo.name ?? '';
  const id = name.split('/').pop() ?? '';
  const location = locationOf(name);
  return {
    id: name,
    spec: {
      location,
      format: String(repo.format ?? ''),
      ...repositorySettings(repo),
    },
    labels: { ...(repo.labels ?? {}) },
    outputs: { name, registry: registryOf(location, project, id) },
    ...(repo.createTime ? { evidence: { createTime: `${String(repo.createTime.seconds ?? 0)}.${String(repo.createTime.nanos ?? 0).padStart(9, '0')}` } } : {}),
    raw: repo,
  };
}

/** A spec with its durations by value. */
function normalized(spec: Record<string, any>): Record<string, any> {
  const s = cloneSpec(spec);
  normalizeSettings(s);
  return s;
}

/** Repositories listed per page: the API's maximum. */
const PAGE_SIZE = 1000;
const QUOTA = { read: 'artifactregistry.request', write: 'artifactregistry.request' } as const;

export const artifactRegistryRepositoryController: Controller & Labelled & IamPolicyHolder & HoldsData & Exportable & ReportsHealth = {
  kind: 'ArtifactRegistryRepository',
  facts: {
    clients: ['artifactRegistry'],
    newPolicyEmpty: true,
    requiresApi: 'artifactregistry.googleapis.com',
    deletionPolicy: 'delete',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    longRunning: true,
    exportScope: 'region',
    shownOutputs: ['registry'],
  },

  async dataHeld(ctx, actual) {
    const [images] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `count the images of ${actual.id}` }, () =>
      ctx.clients.artifactRegistry().listDockerImages({ parent: actual.id, pageSize: 1000 }, { autoPaginate: false }),
    );
    return { count: images.length, more: images.length >= 1000, noun: images.length === 1 ? 'image' : 'images' };
  },

  async setLabels(ctx, actual, labels) {
    await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `relabel ${actual.id}` }, () =>
      ctx.clients.artifactRegistry().updateRepository({ repository: { name: actual.id, labels }, updateMask: { paths: ['labels'] } }),
    );
  },

  iamPolicy: gaxPolicyAccess({
    client: (ctx) => ctx.clients.artifactRegistry(),
    quota: QUOTA,
    scope: (ctx) => ctx.project,
  }),

  health: (actual) => {
    const updated = isoTime((actual.raw as Repository).updateTime as never);
    return { state: 'ready', ...(updated ? { changedAt: updated } : {}) };
  },

  identify: (r, ctx) => {
    const scope = `projects/${ctx.project}/locations/${r.spec.location}`;
    return { id: `${scope}/repositories/${r.name}`, scope };
  },
  toManifestSpec: (observed) => structuredClone(observed.spec),

  async observe(ctx, scope) {
    const client = ctx.clients.artifactRegistry();
    const repos = await listAllPages((pageToken) =>
      ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `list repositories in ${scope}` }, () =>
        client.listRepositories({ parent: scope, pageSize: PAGE_SIZE, pageToken }, { autoPaginate: false }),
      ),
    );
    return new Map(repos.map((repo) => [repo.name ?? '', toObserved(repo, ctx.project)]));
  },

  desired: (r) => desiredSettings(r.spec),

  normalize: normalized,

  predictOutputs: (r, ctx) => ({
    name: `projects/${ctx.project}/locations/${r.spec.location}/repositories/${r.name}`,
    registry: registryOf(r.spec.location, ctx.project, r.name),
  }),

  async create(ctx, r, desired, labels) {
    const client = ctx.clients.artifactRegistry();
    const parent = `projects/${ctx.project}/locations/${r.spec.location}`;
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `create ${r.key}` }, () =>
      client.createRepository({
        parent,
        repositoryId: r.name,
        repository: { format: desired.format, labels, ...settingsToApi(desired) },
      }),
    );
    const repo = await waitForOperation<Repository>(ctx.api, operation, { quota: 'artifactregistry.request', scope: ctx.project, what: `create ${r.key}` });
    return toObserved(repo as Repository, ctx.project);
  },

  async update(ctx, r, desired, labels, actual) {
    // The settings that differ (a dockerConfig left out of the manifest is Google's), and the labels.
    const [want, have] = [normalized(desired), normalized(actual.spec)];
    const changed = (Object.keys(UPDATABLE) as Array<keyof typeof UPDATABLE>).filter(
      (k) => want[k] !== undefined && !sameSpec(want[k], have[k]), // a null inside is none
    );
    const [repo] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `update ${r.key}` }, () =>
      ctx.clients.artifactRegistry().updateRepository({
        repository: { name: actual.id, labels, ...settingsToApi(desired) },
        updateMask: { paths: ['labels', ...changed.map((k) => UPDATABLE[k])] },
      }),
    );
    return toObserved(repo, ctx.project);
  },

  async delete(ctx: ControllerContext, actual) {
    try {
      const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `delete ${actual.id}` }, () =>
        ctx.clients.artifactRegistry().deleteRepository({ name: actual.id }),
      );
      await waitForOperation(ctx.api, operation, { quota: 'artifactregistry.request', scope: ctx.project, what: `delete ${actual.id}` });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};
