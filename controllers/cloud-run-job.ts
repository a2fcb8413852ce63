// CloudRunJob: Cloud Run Admin API v2 jobs through @google-cloud/run (REST mode). Like services,
// updates are read-modify-write on what Google returned; create, update and delete are operations.
// Running the job is not musectl's business: it manages the job's definition.
import type { Blocks, Controller, ControllerContext, Exportable, IamPolicyHolder, Labelled, Observed, ReportsHealth } from '../src/contract/controller.js';
import { lower } from '../src/contract/normalize.js';
import { cloneSpec, noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';
import { isNotFound } from '../src/gcp/errors.js';
import { waitForOperation } from '../src/gcp/operations.js';
import { enumName, locationOf, secretWithoutValue } from './cloud-run-common.js';
import { canonicalTemplate, normalizeTemplate, sharedTemplateSpec, sharedTemplateToApi, templateForExport } from './cloud-run-template.js';
import { gaxPolicyAccess } from './iam-policy.js';
import { listAllPages } from './paging.js';
import { apiDuration, isoTime } from './proto-values.js';

type Job = import('@google-cloud/run').protos.google.cloud.run.v2.IJob;

const regionScope = (id: string): string => id.split('/jobs/')[0];

function specOf(j: Job, project: string): Record<string, any> {
  const exec = j.template ?? {};
  const task = exec.template ?? {};
  const binauthz = j.binaryAuthorization;
  return {
    location: locationOf(j.name ?? ''),
    launchStage: enumName(j.launchStage),
    annotations: { ...(j.annotations ?? {}) },
    ...(binauthz && (binauthz.policy || binauthz.useDefault !== undefined)
      ? {
          binaryAuthorization: {
            ...(binauthz.policy ? { policy: binauthz.policy } : { useDefault: Boolean(binauthz.useDefault) }),
            breakglassJustification: binauthz.breakglassJustification ?? '',
          },
        }
      : {}),
    template: {
      labels: { ...(exec.labels ?? {}) },
      annotations: { ...(exec.annotations ?? {}) },
      taskCount: exec.taskCount ?? 1,
      parallelism: exec.parallelism ?? 0,
      template: {
        maxRetries: task.maxRetries ?? 0,
        ...sharedTemplateSpec(task, project, true),
      },
    },
  };
}

function toObserved(j: Job, project: string): Observed {
  return {
    id: j.name ?? '',
    spec: specOf(j, project),
    labels: { ...(j.labels ?? {}) },
    outputs: { name: j.name ?? '' },
    ...(j.uid ? { evidence: { uid: j.uid } } : {}),
    raw: j,
  };
}

function toApi(desired: Record<string, any>, labels: Record<string, string>, project: string, base: Job = {}): Job {
  const exec = desired.template;
  const task = exec.template;
  const job: Job = {
    ...base,
    labels,
    annotations: desired.annotations,
    launchStage: desired.launchStage,
    binaryAuthorization: desired.binaryAuthorization ? withoutNulls(desired.binaryAuthorization) : undefined,
    template: {
      ...(base.template ?? {}),
      labels: exec.labels,
      annotations: exec.annotations,
      taskCount: exec.taskCount,
      parallelism: exec.parallelism,
      template: {
        ...(base.template?.template ?? {}),
        timeout: apiDuration(task.timeout),
        maxRetries: task.maxRetries,
        ...sharedTemplateToApi(task, project, base.template?.template ?? {}, true),
      },
    },
  };
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
    'executionCount',
    'latestCreatedExecution',
    'reconciling',
    'satisfiesPzs',
  ] as const) {
    delete (job as Record<string, unknown>)[k];
  }
  return job;
}

/** Jobs listed per page. */
const PAGE_SIZE = 100;
const QUOTA = { read: 'run.read', write: 'run.write' } as const;

export const cloudRunJobController: Controller & Labelled & Blocks & IamPolicyHolder & Exportable & ReportsHealth = {
  kind: 'CloudRunJob',
  facts: {
    clients: ['runJobs'],
    requiresApi: 'run.googleapis.com',
    newPolicyEmpty: true,
    deletionPolicy: 'delete',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    longRunning: true,
    exportScope: 'region',
    shownOutputs: ['name'],
  },

  toManifestSpec(observed, ctx, exported) {
    const spec = cloneSpec(observed.spec);
    if (spec.launchStage === undefined) delete spec.launchStage;
    templateForExport(spec.template.template, ctx.project, exported);
    return spec;
  },

  identify: (r, ctx) => {
    const scope = `projects/${ctx.project}/locations/${r.spec.location}`;
    return { id: `${scope}/jobs/${r.name}`, scope };
  },

  // Who may run the job (roles/run.invoker for a scheduler's account, say).
  iamPolicy: gaxPolicyAccess({ client: (ctx) => ctx.clients.runJobs(), quota: QUOTA, scope: (_ctx, id) => regionScope(id) }),

  async observe(ctx, scope) {
    const client = ctx.clients.runJobs();
    const jobs = await listAllPages((pageToken) =>
      ctx.api.call({ quota: QUOTA.read, scope, what: `list jobs in ${scope}` }, () =>
        client.listJobs({ parent: scope, pageSize: PAGE_SIZE, pageToken }, { autoPaginate: false }),
      ),
    );
    return new Map(jobs.map((j) => [j.name ?? '', toObserved(j, ctx.project)]));
  },

  planBlocker: (r, ctx, observedOf) => secretWithoutValue(ctx, r.spec.template.template, observedOf),

  // A job's own conditions say whether its definition is ready to run (not how its executions went).
  health(actual) {
    const j = actual.raw as Job;
    const changed = {
      ...(isoTime(j.updateTime as never) ? { changedAt: isoTime(j.updateTime as never) } : {}),
      ...(j.lastModifier ? { changedBy: j.lastModifier } : {}),
    };
    const state = String(j.terminalCondition?.state ?? '');
    if (j.reconciling || state === 'CONDITION_RECONCILING') return { state: 'progressing', message: 'a change to the job is being applied', ...changed };
    if (state === 'CONDITION_FAILED') return { state: 'degraded', message: (j.terminalCondition?.message ?? 'not ready').split('\n')[0], ...changed };
    return { state: 'ready', ...changed };
  },

  desired(r, ctx, outputs) {
    const spec = cloneSpec(r.spec);
    canonicalTemplate(spec.template.template, ctx.project, outputs, true);
    noneWhereAbsent(spec, ['binaryAuthorization']);
    return spec;
  },

  predictOutputs: (r, ctx) => ({ name: `projects/${ctx.project}/locations/${r.spec.location}/jobs/${r.name}` }),

  normalize(spec) {
    const s = cloneSpec(spec);
    s.location = lower(s.location);
    normalizeTemplate(s, 'template.template');
    return s;
  },

  async create(ctx, r, desired, labels) {
    const parent = `projects/${ctx.project}/locations/${r.spec.location}`;
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: parent, what: `create ${r.key}` }, () =>
      ctx.clients.runJobs().createJob({ parent, jobId: r.name, job: toApi(desired, labels, ctx.project) }),
    );
    const job = await waitForOperation<Job>(ctx.api, operation, { quota: QUOTA.read, scope: parent, what: `create ${r.key}` });
    return toObserved(job, ctx.project);
  },

  async update(ctx, r, desired, labels, actual) {
    const job = toApi(desired, labels, ctx.project, structuredClone(actual.raw as Job));
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: regionScope(actual.id), what: `update ${r.key}` }, () =>
      ctx.clients.runJobs().updateJob({ job }),
    );
    const updated = await waitForOperation<Job>(ctx.api, operation, { quota: QUOTA.read, scope: regionScope(actual.id), what: `update ${r.key}` });
    return toObserved(updated, ctx.project);
  },

  async setLabels(ctx, actual, labels) {
    const job = { ...(structuredClone(actual.raw) as Job), labels };
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: regionScope(actual.id), what: `relabel ${actual.id}` }, () =>
      ctx.clients.runJobs().updateJob({ job }),
    );
    await waitForOperation(ctx.api, operation, { quota: QUOTA.read, scope: regionScope(actual.id), what: `relabel ${actual.id}` });
  },

  async delete(ctx: ControllerContext, actual) {
    try {
      const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: regionScope(actual.id), what: `delete ${actual.id}` }, () =>
        ctx.clients.runJobs().deleteJob({ name: actual.id }),
      );
      await waitForOperation(ctx.api, operation, { quota: QUOTA.read, scope: regionScope(actual.id), what: `delete ${actual.id}` });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};
