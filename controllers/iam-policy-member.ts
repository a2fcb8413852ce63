// IAMPolicyMember: one role for one member on one resource's policy. Additive: only the members
// of the stack's manifests are added or removed; every other binding stays as it is. All members
// of one policy are written in one etag-checked read-modify-write, retried on a concurrent change
// (409 ABORTED or 412) from a fresh read. The project's own policy is Resource Manager's.
import type { BatchItem, Controller, ControllerContext, IamPolicy, IamPolicyAccess, Observed } from '../src/engine/controller.js';
import { isUnknown } from '../src/engine/controller.js';
import { UserError } from '../src/errors.js';
import { errorMessage, httpStatus, isConcurrentChange } from '../src/gcp/errors.js';
import { sleep } from '../src/gcp/retry.js';
import type { Resource } from '../src/manifest/index.js';
import { gaxPolicyAccess } from './iam-policy.js';

/** The project's policy, through Resource Manager v3. */
const projectPolicy: IamPolicyAccess = gaxPolicyAccess({
  client: (ctx) => ctx.clients.projects(),
  quota: { read: 'resourcemanager.read', write: 'resourcemanager.write' },
  scope: (ctx) => ctx.project,
});

/** The policy a member goes into: "Kind|google id". */
function policyScope(r: Resource, ctx: ControllerContext): string {
  const ref = r.spec.resourceRef as { kind: string; name?: string; external?: string };
  if (ref.kind === 'Project') return `Project|${ref.external ?? `projects/${ctx.project}`}`;
  if (ref.external) return `${ref.kind}|${ref.external}`;
  const target = ctx.resource(ref.kind, ref.name!);
  if (!target) throw new Error(`IAMPolicyMember/${r.name}: ${ref.kind}/${ref.name} is not in the stack`);
  return `${ref.kind}|${ctx.controller(ref.kind).id(target, ctx)}`;
}

function access(ctx: ControllerContext, scope: string): { kind: string; id: string; api: IamPolicyAccess } {
  const sep = scope.indexOf('|');
  const kind = scope.slice(0, sep);
  const id = scope.slice(sep + 1);
  const api = kind === 'Project' ? projectPolicy : ctx.controller(kind).iamPolicy;
  if (!api) throw new Error(`${kind} has no IAM policy`);
  return { kind, id, api };
}

/** The member string: literal, or the referenced account's serviceAccount:EMAIL (known before it exists). */
function memberOf(r: Resource, ctx: ControllerContext): string {
  if (r.spec.member) return r.spec.member as string;
  const name = r.spec.memberFrom.serviceAccountRef.name as string;
  const account = ctx.resource('ServiceAccount', name);
  const member = account ? ctx.controller('ServiceAccount').predictOutputs(account, ctx).member : undefined;
  if (!member || isUnknown(member)) throw new Error(`IAMPolicyMember/${r.name}: ServiceAccount/${name} is not in the stack`);
  return member;
}

const memberId = (scope: string, role: string, member: string): string => `${scope}|${role}|${member}`;

function observed(scope: string, role: string, member: string): Observed {
  return { id: memberId(scope, role, member), spec: { role, member }, labels: {}, outputs: {}, raw: undefined };
}

/** Attempts at the read-modify-write before giving up on concurrent changes. */
const MAX_POLICY_ATTEMPTS = 8;

export const iamPolicyMemberController: Controller = {
  kind: 'IAMPolicyMember',
  hasLabels: false,
  sharedIdentity: true,

  scope: policyScope,
  id: (r, ctx) => memberId(policyScope(r, ctx), r.spec.role, memberOf(r, ctx)),

  async observe(ctx, scope) {
    const { api, id } = access(ctx, scope);
    const policy = await api.get(ctx, id);
    const found = new Map<string, Observed>();
    for (const b of policy.bindings) {
      if (b.condition) continue; // conditional grants are not what an IAMPolicyMember says
      for (const m of b.members) found.set(memberId(scope, b.role, m), observed(scope, b.role, m));
    }
    return found;
  },

  desired: (r, ctx) => ({ role: r.spec.role, member: memberOf(r, ctx) }),
  predictOutputs: () => ({}),
  normalize: (spec) => spec,

  batchKey: (r, o, ctx) => (r ? policyScope(r, ctx) : o!.id.split('|').slice(0, 2).join('|')),

  async applyBatch(ctx, items) {
    const scope = items[0].resource ? policyScope(items[0].resource, ctx) : items[0].observed!.id.split('|').slice(0, 2).join('|');
    const { api, id } = access(ctx, scope);
    const adds = items.filter((i) => i.action !== 'delete').map((i) => i.desired as { role: string; member: string });
    const removes = items.filter((i) => i.action === 'delete').map((i) => i.observed!.spec as { role: string; member: string });
    await readModifyWrite(ctx, api, id, (policy) => editPolicy(policy, adds, removes));
    const result = new Map<BatchItem, Observed | undefined>();
    for (const item of items) {
      const d = item.desired as { role: string; member: string } | undefined;
      result.set(item, item.action === 'delete' ? undefined : observed(scope, d!.role, d!.member));
    }
    return result;
  },

  async create(ctx, r, desired) {
    const item: BatchItem = { action: 'create', resource: r, desired };
    return (await this.applyBatch!(ctx, [item])).get(item)!;
  },
  async update(ctx, r, desired) {
    const item: BatchItem = { action: 'update', resource: r, desired };
    return (await this.applyBatch!(ctx, [item])).get(item)!;
  },
  async delete(ctx, actual) {
    await this.applyBatch!(ctx, [{ action: 'delete', observed: actual }]);
  },
};

/** Adds and removes members; other bindings (and conditional ones) stay as they are. */
export function editPolicy(policy: IamPolicy, adds: Array<{ role: string; member: string }>, removes: Array<{ role: string; member: string }>): IamPolicy {
  const bindings = policy.bindings.map((b) => ({ ...b, members: [...b.members] }));
  for (const { role, member } of removes) {
    const b = bindings.find((x) => x.role === role && !x.condition);
    if (b) b.members = b.members.filter((m) => m !== member);
  }
  for (const { role, member } of adds) {
    let b = bindings.find((x) => x.role === role && !x.condition);
    if (!b) bindings.push((b = { role, members: [] }));
    if (!b.members.includes(member)) b.members.push(member);
  }
  return { ...policy, bindings: bindings.filter((b) => b.members.length > 0) };
}

/**
 * Read, edit, write with the read's etag; on a concurrent change start over from a fresh read.
 * A just-created service account can be refused as "does not exist" for a while (IAM is
 * eventually consistent): that is retried too, within the consistency timeout.
 */
export async function readModifyWrite(ctx: ControllerContext, api: IamPolicyAccess, id: string, edit: (p: IamPolicy) => IamPolicy): Promise<void> {
  const deadline = Date.now() + ctx.consistencyTimeoutMs;
  let conflicts = 0;
  let delay = 100;
  for (;;) {
    const current = await api.get(ctx, id);
    try {
      await api.set(ctx, id, edit(current));
      return;
    } catch (err) {
      const accountNotYetVisible = httpStatus(err) === 400 && /Service account .* does not exist/i.test(errorMessage(err));
      // Cloud Storage also answers 412 for a policy it refuses outright (allUsers on a bucket whose
      // public access prevention is enforced): only its etag mismatch, "Precondition Failed", is a race.
      const refusedOutright = httpStatus(err) === 412 && /public access prevention/i.test(errorMessage(err));
      if (refusedOutright) throw err;
      if (isConcurrentChange(err)) {
        if (++conflicts >= MAX_POLICY_ATTEMPTS)
          throw new UserError(`the IAM policy of ${id} kept changing under us (${conflicts} concurrent changes)`, 'Run apply again.');
        ctx.log.info({ policy: id, attempt: conflicts }, 'IAM policy changed since it was read; reading it again');
      } else if (!accountNotYetVisible || Date.now() > deadline) {
        throw err;
      }
      await sleep(Math.random() * delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
