// ServiceAccount: IAM API v1 service accounts, through @googleapis/iam (@google-cloud/iam has no
// service-account API). Accounts have no labels: ownership is kept in the inventory.
import type { Controller, ControllerContext, Exportable, IamPolicyHolder, Observed } from '../src/contract/controller.js';
import { httpStatus, isNotFound } from '../src/gcp/errors.js';
import { withRetry } from '../src/gcp/retry.js';
import { fromApiPolicy, policyOrEmpty, toApiPolicy } from './iam-policy.js';

type Account = import('@googleapis/iam').iam_v1.Schema$ServiceAccount;

export const emailOf = (accountId: string, project: string): string => `${accountId}@${project}.iam.gserviceaccount.com`;

/** Consecutive successful reads after which a new account counts as visible (what Terraform does). */
const CONSISTENT_READS = 3;

function toObserved(a: Account): Observed {
  const email = a.email ?? '';
  return {
    id: a.name ?? '',
    spec: { displayName: a.displayName ?? '', description: a.description ?? '', disabled: Boolean(a.disabled) },
    labels: {},
    outputs: { email, member: `serviceAccount:${email}`, uniqueId: a.uniqueId ?? '' },
    ...(a.uniqueId ? { evidence: { uniqueId: a.uniqueId } } : {}),
    raw: a,
  };
}

/** Accounts listed per page: the IAM API's maximum. */
const PAGE_SIZE = 100;
const QUOTA = { read: 'iam.read', write: 'iam.write' } as const;

export const serviceAccountController: Controller & IamPolicyHolder & Exportable = {
  kind: 'ServiceAccount',
  facts: {
    clients: ['iam'],
    newPolicyEmpty: true,
    requiresApi: 'iam.googleapis.com',
    deletionPolicy: 'delete',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    exportScope: 'project',
    shownOutputs: ['email'],
  },

  iamPolicy: {
    get: (ctx, id) =>
      policyOrEmpty(async () => {
        const res = await ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `read the IAM policy of ${id}` }, () =>
          ctx.clients.iam().projects.serviceAccounts.getIamPolicy({ resource: id, 'options.requestedPolicyVersion': 3 }),
        );
        return fromApiPolicy(res.data as any);
      }),
    async set(ctx, id, policy) {
      const res = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `write the IAM policy of ${id}` }, () =>
        ctx.clients.iam().projects.serviceAccounts.setIamPolicy({ resource: id, requestBody: { policy: toApiPolicy(policy) as any } }),
      );
      return fromApiPolicy(res.data as any);
    },
  },

  nameOf: (observed) => (observed.outputs.email ?? '').split('@')[0],
  toManifestSpec: (observed) => structuredClone(observed.spec),
  identify: (r, ctx) => ({ id: `projects/${ctx.project}/serviceAccounts/${emailOf(r.name, ctx.project)}`, scope: `projects/${ctx.project}` }),

  async observe(ctx, scope) {
    const found = new Map<string, Observed>();
    let pageToken: string | undefined;
    do {
      const res = await ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `list service accounts in ${scope}` }, () =>
        ctx.clients.iam().projects.serviceAccounts.list({ name: scope, pageSize: PAGE_SIZE, pageToken }),
      );
      for (const a of res.data.accounts ?? []) {
        const o = toObserved(a);
        found.set(o.id, o);
      }
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    return found;
  },

  desired: (r) => ({ displayName: r.spec.displayName, description: r.spec.description, disabled: r.spec.disabled }),

  predictOutputs(r, ctx) {
    const email = emailOf(r.name, ctx.project);
    return { email, member: `serviceAccount:${email}` };
  },

  async create(ctx, r, desired) {
    const iam = ctx.clients.iam();
    const res = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `create ${r.key}` }, () =>
      iam.projects.serviceAccounts.create({
        name: `projects/${ctx.project}`,
        requestBody: { accountId: r.name, serviceAccount: { displayName: desired.displayName, description: desired.description } },
      }),
    );
    const account = res.data;
    if (desired.disabled) await setDisabled(ctx, account.name!, true);
    await waitUntilVisible(ctx, account.name!);
    return toObserved({ ...account, disabled: desired.disabled });
  },

  async update(ctx, r, desired, _labels, actual) {
    const iam = ctx.clients.iam();
    let account = actual.raw as Account;
    if (desired.displayName !== actual.spec.displayName || desired.description !== actual.spec.description) {
      const res = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `update ${r.key}` }, () =>
        iam.projects.serviceAccounts.patch({
          name: actual.id,
          requestBody: { serviceAccount: { displayName: desired.displayName, description: desired.description }, updateMask: 'displayName,description' },
        }),
      );
      account = res.data;
    }
    if (desired.disabled !== actual.spec.disabled) await setDisabled(ctx, actual.id, desired.disabled);
    return toObserved({ ...account, disabled: desired.disabled });
  },

  async delete(ctx, actual) {
    try {
      await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `delete ${actual.id}` }, () =>
        ctx.clients.iam().projects.serviceAccounts.delete({ name: actual.id }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
};

async function setDisabled(ctx: ControllerContext, name: string, disabled: boolean): Promise<void> {
  const accounts = ctx.clients.iam().projects.serviceAccounts;
  await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `${disabled ? 'disable' : 'enable'} ${name}` }, () =>
    disabled ? accounts.disable({ name, requestBody: {} }) : accounts.enable({ name, requestBody: {} }),
  );
}

/**
 * A new account is not visible everywhere at once: reads 404 and IAM bindings of it fail for a
 * few seconds. Wait for several successful reads in a row before anything depends on it.
 */
async function waitUntilVisible(ctx: ControllerContext, name: string): Promise<void> {
  const notYet = (err: unknown) => isNotFound(err) || httpStatus(err) === 403;
  try {
    // One attempt is CONSISTENT_READS reads in a row; a miss starts the streak over.
    await withRetry(
      async () => {
        for (let i = 0; i < CONSISTENT_READS; i++) {
          await ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `read new ${name}` }, () =>
            ctx.clients.iam().projects.serviceAccounts.get({ name }),
          );
        }
      },
      { retryOn: notYet, deadline: Date.now() + ctx.consistencyTimeoutMs, attempts: Number.POSITIVE_INFINITY, baseMs: 100, capMs: 2_000 },
    );
  } catch (err) {
    if (!notYet(err)) throw err;
    throw new Error(`service account ${name} was created but is still not visible after ${ctx.consistencyTimeoutMs} ms`);
  }
}
