// CloudRunService: Cloud Run Admin API v2 services through @google-cloud/run (REST mode). Updates
// are read-modify-write on what Google returned, so fields musectl does not manage (the ones
// schema/field-exclusions.json lists, such as a function's buildConfig) survive; template.revision
// is cleared, or Google refuses a changed template under an old name.
import type {
  Blocks,
  Controller,
  ControllerContext,
  Exportable,
  IamPolicyHolder,
  Labelled,
  Observed,
  Preparing,
  ReportsHealth,
  Warns,
} from '../src/contract/controller.js';
import { cpuMillis, lower, mapPath, sorted } from '../src/contract/normalize.js';
import { cloneSpec, noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';
import { isNotFound } from '../src/gcp/errors.js';
import { waitForOperation } from '../src/gcp/operations.js';
import { parseArtifactRegistryImage, pinned, resolveDigest } from '../src/gcp/registry.js';
import type { Resource } from '../src/manifest/index.js';
import { enumName, locationOf, secretWithoutValue } from './cloud-run-common.js';
import { degradedWarning, explainRolloutFailure, serviceHealth } from './cloud-run-rollout.js';
import { canonicalTemplate, normalizeTemplate, sharedTemplateSpec, sharedTemplateToApi, templateForExport } from './cloud-run-template.js';
import { gaxPolicyAccess } from './iam-policy.js';
import { listAllPages } from './paging.js';
import { apiDuration } from './proto-values.js';

type Service = import('@google-cloud/run').protos.google.cloud.run.v2.IService;

/**
 * An image that was not in Artifact Registry at plan time may have been pushed since (its repository
 * is created by the same apply, then the image is pushed): look once more before creating the
 * service, and deploy it by digest if it is there now, so the next plan finds nothing to change.
 */
async function pinImagesPushedSincePlan(ctx: ControllerContext, r: { spec: Record<string, any> }, desired: Record<string, any>): Promise<void> {
  if (r.spec.imagePolicy !== 'digest') return;
  for (const c of desired.template.containers as Array<{ image: string }>) {
    if (!parseArtifactRegistryImage(c.image) || !ctx.imageDigests.has(c.image) || ctx.imageDigests.get(c.image) !== undefined) continue;
    const digest = await resolveDigest(c.image, ctx.clients, ctx.api);
    if (digest) c.image = pinned(c.image, digest);
  }
}

function specOf(s: Service, project: string): Record<string, any> {
  const t = s.template ?? {};
  const scaling = s.scaling ?? {};
  return {
    location: locationOf(s.name ?? ''),
    description: s.description ?? '',
    annotations: { ...(s.annotations ?? {}) },
    ingress: enumName(s.ingress),
    launchStage: enumName(s.launchStage),
    invokerIamDisabled: Boolean(s.invokerIamDisabled),
    defaultUriDisabled: Boolean(s.defaultUriDisabled),
    iapEnabled: Boolean(s.iapEnabled),
    customAudiences: s.customAudiences ?? [],
    ...(s.binaryAuthorization && (s.binaryAuthorization.policy || s.binaryAuthorization.useDefault !== undefined)
      ? {
          binaryAuthorization: {
            ...(s.binaryAuthorization.policy ? { policy: s.binaryAuthorization.policy } : { useDefault: Boolean(s.binaryAuthorization.useDefault) }),
            breakglassJustification: s.binaryAuthorization.breakglassJustification ?? '',
          },
        }
      : {}),
    scaling: {
      minInstanceCount: scaling.minInstanceCount ?? 0,
      maxInstanceCount: scaling.maxInstanceCount ?? 0,
      // "If not provided, it defaults to AUTOMATIC" (ServiceScaling.scaling_mode).
      scalingMode: enumName(scaling.scalingMode) ?? 'AUTOMATIC',
      ...(scaling.manualInstanceCount !== undefined && scaling.manualInstanceCount !== null ? { manualInstanceCount: scaling.manualInstanceCount } : {}),
    },
    template: {
      labels: { ...(t.labels ?? {}) },
      annotations: { ...(t.annotations ?? {}) },
      scaling: { minInstanceCount: t.scaling?.minInstanceCount ?? 0, maxInstanceCount: t.scaling?.maxInstanceCount ?? 0 },
      maxInstanceRequestConcurrency: t.maxInstanceRequestConcurrency ?? 0,
      sessionAffinity: Boolean(t.sessionAffinity),
      healthCheckDisabled: Boolean(t.healthCheckDisabled),
      encryptionKeyRevocationAction: enumName(t.encryptionKeyRevocationAction) ?? 'PREVENT_NEW',
      ...(t.encryptionKeyShutdownDuration ? { encryptionKeyShutdownDuration: t.encryptionKeyShutdownDuration } : {}),
      ...(t.serviceMesh?.mesh ? { serviceMesh: { mesh: t.serviceMesh.mesh } } : {}),
      ...sharedTemplateSpec(t, project, false),
    },
    traffic: (s.traffic ?? []).map((tt) => ({
      type: enumName(tt.type),
      percent: tt.percent ?? 0,
      ...(tt.revision ? { revision: tt.revision } : {}),
      ...(tt.tag ? { tag: tt.tag } : {}),
    })),
  };
}

/**
 * Cloud Run takes ports on one container only, the ingress container
 * (https://cloud.google.com/run/docs/deploying#sidecars), but the schema's default port fills in
 * every container: with several, the default stays only on the one that writes ports, or on the
 * first when none does, and the sidecars get none.
 */
function onePortedContainer(r: Resource, containers: Array<Record<string, any>>): void {
  if (containers.length < 2) return;
  const written = ((r.doc.value as { spec?: { template?: { containers?: unknown[] } } })?.spec?.template?.containers ?? []).map(
    (c) => Array.isArray((c as { ports?: unknown })?.ports) && (c as { ports: unknown[] }).ports.length > 0,
  );
  const ingress = Math.max(0, written.indexOf(true));
  containers.forEach((c, i) => {
    if (i !== ingress && !written[i]) c.ports = [];
  });
}

function toObserved(s: Service, project: string): Observed {
  return {
    id: s.name ?? '',
    spec: specOf(s, project),
    labels: { ...(s.labels ?? {}) },
    outputs: { uri: s.uri ?? '', name: s.name ?? '' },
    ...(s.uid ? { evidence: { uid: s.uid } } : {}),
    raw: s,
  };
}

/** The API's Service for the managed fields, onto `base` (what Google returned, for updates). */
function toApi(desired: Record<string, any>, labels: Record<string, string>, project: string, base: Service = {}): Service {
  const t = desired.template;
  const svc: Service = {
    ...base,
    description: desired.description,
    annotations: desired.annotations,
    labels,
    ingress: desired.ingress,
    launchStage: desired.launchStage,
    invokerIamDisabled: desired.invokerIamDisabled,
    defaultUriDisabled: desired.defaultUriDisabled,
    iapEnabled: desired.iapEnabled,
    customAudiences: desired.customAudiences,
    binaryAuthorization: desired.binaryAuthorization ? withoutNulls(desired.binaryAuthorization) : undefined,
    scaling: withoutNulls(desired.scaling),
    traffic: desired.traffic,
    template: {
      ...(base.template ?? {}),
      revision: '', // a changed template under the old revision name is refused (409)
      labels: t.labels,
      annotations: t.annotations,
      scaling: t.scaling,
      timeout: apiDuration(t.timeout),
      maxInstanceRequestConcurrency: t.maxInstanceRequestConcurrency,
      sessionAffinity: t.sessionAffinity,
      healthCheckDisabled: t.healthCheckDisabled,
      encryptionKeyRevocationAction: t.encryptionKeyRevocationAction,
      encryptionKeyShutdownDuration: t.encryptionKeyShutdownDuration ? apiDuration(t.encryptionKeyShutdownDuration) : undefined,
      serviceMesh: t.serviceMesh ?? undefined,
      ...sharedTemplateToApi(t, project, base.template ?? {}, false),
    },
  };
  // Output-only fields are ignored by Google; dropping them keeps requests small and readable.
  for (const k of [
    'uid',
    'generation',
    'createTime',
    'updateTime',
    'deleteTime',
    'expireTime',
    'creator',
    'lastModifier',
    'observedGeneration',
    'terminalCondition',
    'conditions',
    'latestReadyRevision',
    'latestCreatedRevision',
    'trafficStatuses',
    'uri',
    'urls',
    'reconciling',
    'satisfiesPzs',
  ] as const) {
    delete (svc as Record<string, unknown>)[k];
  }
  return svc;
}

const regionScope = (id: string): string => id.split('/services/')[0];

/** Services listed per page. */
const PAGE_SIZE = 100;
const QUOTA = { read: 'run.read', write: 'run.write' } as const;

export const cloudRunServiceController: Controller & Labelled & IamPolicyHolder & Exportable & Preparing & Warns & Blocks & ReportsHealth = {
  kind: 'CloudRunService',
  facts: {
    clients: ['runServices'],
    newPolicyEmpty: true,
    requiresApi: 'run.googleapis.com',
    deletionPolicy: 'delete',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    longRunning: true,
    exportScope: 'region',
    shownOutputs: ['uri'],
  },

  iamPolicy: gaxPolicyAccess({
    client: (ctx) => ctx.clients.runServices(),
    quota: QUOTA,
    scope: (_ctx, id) => regionScope(id),
  }),

  async setLabels(ctx, actual, labels) {
    const service = { ...(structuredClone(actual.raw) as Service), labels };
    delete service.template?.revision; // an unchanged template keeps its revision
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: regionScope(actual.id), what: `relabel ${actual.id}` }, () =>
      ctx.clients.runServices().updateService({ service }),
    );
    await waitForOperation(ctx.api, operation, { quota: QUOTA.read, scope: regionScope(actual.id), what: `relabel ${actual.id}` });
  },

  toManifestSpec(observed, ctx, exported) {
    const spec = cloneSpec(observed.spec);
    const t = spec.template;
    templateForExport(t, ctx.project, exported);
    if (t.encryptionKeyRevocationAction === 'PREVENT_NEW' && !t.encryptionKey) delete t.encryptionKeyRevocationAction;
    const cpu = cpuMillis(t.containers[0]?.resources?.limits?.cpu) as number;
    if (t.maxInstanceRequestConcurrency === (cpu < 1000 ? 1 : 80)) delete t.maxInstanceRequestConcurrency;
    return spec;
  },

  identify: (r, ctx) => {
    const scope = `projects/${ctx.project}/locations/${r.spec.location}`;
    return { id: `${scope}/services/${r.name}`, scope };
  },

  async observe(ctx, scope) {
    const client = ctx.clients.runServices();
    const services = await listAllPages((pageToken) =>
      ctx.api.call({ quota: QUOTA.read, scope, what: `list services in ${scope}` }, () =>
        client.listServices({ parent: scope, pageSize: PAGE_SIZE, pageToken }, { autoPaginate: false }),
      ),
    );
    return new Map(services.map((s) => [s.name ?? '', toObserved(s, ctx.project)]));
  },

  async prepare(ctx, resources) {
    const images = new Set(
      resources.filter((r) => r.spec.imagePolicy === 'digest').flatMap((r) => r.spec.template.containers.map((c: { image: string }) => c.image)),
    );
    await Promise.all(
      [...images]
        .filter((i) => parseArtifactRegistryImage(i))
        .map(async (image) => ctx.imageDigests.set(image, await resolveDigest(image, ctx.clients, ctx.api))),
    );
  },

  planBlocker: (r, ctx, observedOf) => secretWithoutValue(ctx, r.spec.template, observedOf),

  health: (actual) => serviceHealth(actual.raw as Service),

  planWarnings(r, ctx, observed) {
    const degraded = observed ? degradedWarning(observed.raw as Service, ctx.project) : undefined;
    const warnings = degraded ? [degraded] : [];
    if (r.spec.imagePolicy !== 'digest') return warnings;
    return warnings.concat(
      r.spec.template.containers
        .filter((c: { image: string }) => parseArtifactRegistryImage(c.image) && ctx.imageDigests.has(c.image) && ctx.imageDigests.get(c.image) === undefined)
        .map(
          (c: { image: string }) =>
            `image ${c.image} is not in Artifact Registry (not pushed yet?): it is deployed by tag, and Google will refuse it until it exists`,
        ),
    );
  },

  desired(r, ctx, outputs) {
    const spec = cloneSpec(r.spec);
    delete spec.imagePolicy; // musectl's own setting, not Google's
    const t = spec.template;
    for (const c of t.containers) {
      const digest = r.spec.imagePolicy === 'digest' ? ctx.imageDigests.get(c.image) : undefined;
      if (digest) c.image = pinned(c.image, digest);
    }
    onePortedContainer(r, t.containers);
    canonicalTemplate(t, ctx.project, outputs, false);
    noneWhereAbsent(t, ['serviceMesh', 'encryptionKeyShutdownDuration']);
    noneWhereAbsent(spec, ['binaryAuthorization']);
    noneWhereAbsent(spec.scaling, ['manualInstanceCount']);
    // Google's default concurrency depends on the CPU: 1 below one vCPU, else 80.
    if (t.maxInstanceRequestConcurrency === undefined) {
      const cpu = cpuMillis(t.containers[0]?.resources?.limits?.cpu) as number;
      t.maxInstanceRequestConcurrency = cpu < 1000 ? 1 : 80;
    }
    return spec;
  },

  predictOutputs: (r, ctx) => ({ name: `projects/${ctx.project}/locations/${r.spec.location}/services/${r.name}` }),

  normalize(spec) {
    const s = cloneSpec(spec);
    s.location = lower(s.location);
    mapPath(s, 'customAudiences', sorted);
    normalizeTemplate(s, 'template');
    return s;
  },

  async create(ctx, r, desired, labels) {
    await pinImagesPushedSincePlan(ctx, r, desired);
    const client = ctx.clients.runServices();
    const parent = `projects/${ctx.project}/locations/${r.spec.location}`;
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: parent, what: `create ${r.key}` }, () =>
      client.createService({ parent, serviceId: r.name, service: toApi(desired, labels, ctx.project) }),
    );
    const name = `${parent}/services/${r.name}`;
    const service = await waitForOperation<Service>(ctx.api, operation, { quota: QUOTA.read, scope: parent, what: `create ${r.key}` }).catch(async (err) => {
      throw await explainRolloutFailure(ctx, name, err);
    });
    return toObserved(service, ctx.project);
  },

  async update(ctx, r, desired, labels, actual) {
    const client = ctx.clients.runServices();
    const service = toApi(desired, labels, ctx.project, structuredClone(actual.raw as Service));
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: `projects/${ctx.project}/locations/${r.spec.location}`, what: `update ${r.key}` }, () =>
      client.updateService({ service }),
    );
    const scope = `projects/${ctx.project}/locations/${r.spec.location}`;
    const updated = await waitForOperation<Service>(ctx.api, operation, { quota: QUOTA.read, scope, what: `update ${r.key}` }).catch(async (err) => {
      throw await explainRolloutFailure(ctx, actual.id, err);
    });
    return toObserved(updated, ctx.project);
  },

  async delete(ctx: ControllerContext, actual) {
    const client = ctx.clients.runServices();
    try {
      const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: regionScope(actual.id), what: `delete ${actual.id}` }, () =>
        client.deleteService({ name: actual.id }),
      );
      await waitForOperation(ctx.api, operation, { quota: QUOTA.read, scope: regionScope(actual.id), what: `delete ${actual.id}` });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};
