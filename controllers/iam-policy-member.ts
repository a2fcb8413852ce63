// IAMPolicyMember: one role for one member on one resource's policy. Additive: only the members
// of the stack's manifests are added or removed; every other binding stays as it is. All members
// of one policy are written in one etag-checked read-modify-write, retried on a concurrent change
// (409 ABORTED or 412) from a fresh read. The project's own policy is Resource Manager's.
import type {
  Batched,
  BatchItem,
  Contained,
  Controller,
  ControllerContext,
  Exportable,
  Grants,
  IamPolicy,
  IamPolicyAccess,
  Observed,
} from '../src/contract/controller.js';
import { idOf, predictedOutputs } from '../src/contract/controller.js';
import { isUnknown } from '../src/contract/spec.js';
import { UserError } from '../src/errors.js';
import { errorMessage, httpStatus, isConcurrentChange } from '../src/gcp/errors.js';
import { withRetry } from '../src/gcp/retry.js';
import type { Resource } from '../src/manifest/index.js';
import { grantExport, grantParts } from './iam-grant-export.js';
import { EMPTY_POLICY, gaxPolicyAccess } from './iam-policy.js';

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
  if (target) return `${ref.kind}|${idOf(ctx.controller(ref.kind), target, ctx)}`;
  // A resource of the stack this manifest set does not include (one file of a stack): its recorded id.
  const outside = ctx.outside?.(ref.kind, ref.name!);
  if (!outside) throw new Error(`IAMPolicyMember/${r.name}: ${ref.kind}/${ref.name} is not in the stack`);
  return `${ref.kind}|${outside.id}`;
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
  const member = account ? predictedOutputs(ctx.controller('ServiceAccount'), account, ctx).member : ctx.outside?.('ServiceAccount', name)?.outputs.member;
  if (!member || isUnknown(member)) {
    throw new UserError(
      `IAMPolicyMember/${r.name}: the member ServiceAccount/${name} is neither in the manifests nor recorded with its outputs in the stack's inventory`,
      'Include its manifest in -f (or apply the whole stack once, which records it).',
    );
  }
  return member;
}

const memberId = (scope: string, role: string, member: string): string => `${scope}|${role}|${member}`;

function observed(scope: string, role: string, member: string): Observed {
  return { id: memberId(scope, role, member), spec: { role, member }, labels: {}, outputs: {}, raw: undefined };
}

/** Attempts at the read-modify-write before giving up on concurrent changes. */
const MAX_POLICY_ATTEMPTS = 8;

export const iamPolicyMemberController: Controller & Batched & Contained & Grants & Exportable = {
  kind: 'IAMPolicyMember',
  // No API of its own: a grant is read and written with its resource's policy, through that kind.
  facts: {
    clients: ['projects'],
    deletionPolicy: 'delete',
    sharedIdentity: true,
    exportScope: 'exported',
  },

  identify: (r, ctx) => {
    const scope = policyScope(r, ctx);
    return { id: memberId(scope, r.spec.role, memberOf(r, ctx)), scope };
  },

  // Ids are "Kind|googleId|role|member" (memberId): members and roles never hold a "|".
  grantOf: grantParts,

  ...grantExport,

  // The policy's resource and the member's account: replacing either takes the grant with it.
  containedIn(r) {
    const ref = r.spec.resourceRef as { kind: string; name?: string };
    const account = r.spec.memberFrom?.serviceAccountRef?.name as string | undefined;
    return [...(ref.name ? [`${ref.kind}/${ref.name}`] : []), ...(account ? [`ServiceAccount/${account}`] : [])];
  },

  async observe(ctx, scope) {
    const { kind, api, id } = access(ctx, scope);
    // The policy of a resource that is not there is empty: Google is asked only about one that exists
    // (at once when the inventory says so, after its kind's list otherwise).
    if (ctx.observing && !(await ctx.observing.exists(kind, id))) return new Map();
    const policy = await api.get(ctx, id);
    const found = new Map<string, Observed>();
    for (const b of policy.bindings) {
      if (b.condition) continue; // conditional grants are not what an IAMPolicyMember says
      for (const m of b.members) found.set(memberId(scope, b.role, m), observed(scope, b.role, m));
    }
    return found;
  },

  desired: (r, ctx) => ({ role: r.spec.role, member: memberOf(r, ctx) }),

  batchKey: (r, o, ctx) => (r ? policyScope(r, ctx) : o!.id.split('|').slice(0, 2).join('|')),

  async applyBatch(ctx, items) {
    const scope = items[0].resource ? policyScope(items[0].resource, ctx) : items[0].observed!.id.split('|').slice(0, 2).join('|');
    const { kind, api, id } = access(ctx, scope);
    // Its resource was created by this apply and starts with no policy (KindFacts.newPolicyEmpty):
    // nothing to read before the write.
    const known = kind !== 'Project' && ctx.createdHere?.(kind, id) && ctx.controller(kind).facts.newPolicyEmpty ? EMPTY_POLICY : undefined;
    const adds = items.filter((i) => i.action !== 'delete').map((i) => i.desired as { role: string; member: string });
    // Removed: deleted grants, and the old grant of a replaced one (another member or role). One
    // whose old grant is in another policy (its resource moved) is removed there, after the add.
    const olds = items.flatMap((i) => (i.action === 'delete' ? [i.observed!] : i.replaces ? [i.replaces] : []));
    const scopeOfId = (o: Observed) => o.id.split('|').slice(0, 2).join('|');
    const here = olds.filter((o) => scopeOfId(o) === scope).map((o) => o.spec as { role: string; member: string });
    const elsewhere = olds.filter((o) => scopeOfId(o) !== scope);
    await readModifyWrite(ctx, api, id, (policy) => editPolicy(policy, adds, here), known);
    for (const o of elsewhere) {
      const other = access(ctx, scopeOfId(o));
      await readModifyWrite(ctx, other.api, other.id, (policy) => editPolicy(policy, [], [o.spec as { role: string; member: string }]));
    }
    const result = new Map<BatchItem, Observed | undefined>();
    for (const item of items) {
      const d = item.desired as { role: string; member: string } | undefined;
      result.set(item, item.action === 'delete' ? undefined : observed(scope, d!.role, d!.member));
    }
    return result;
  },

  async create(ctx, r, desired) {
    const item: BatchItem = { action: 'create', resource: r, desired };
    return (await this.applyBatch(ctx, [item])).get(item)!;
  },
  async update(ctx, r, desired) {
    const item: BatchItem = { action: 'update', resource: r, desired };
    return (await this.applyBatch(ctx, [item])).get(item)!;
  },
  async delete(ctx, actual) {
    await this.applyBatch(ctx, [{ action: 'delete', observed: actual }]);
  },
};

function samePolicy(a: IamPolicy, b: IamPolicy): boolean {
  const key = (p: IamPolicy) =>
    JSON.stringify(
      p.bindings
        .filter((x) => x.members.length > 0)
        .map((x) => [x.role, [...x.members].sort(), x.condition ?? null])
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    );
  return key(a) === key(b);
}

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
export async function readModifyWrite(
  ctx: ControllerContext,
  api: IamPolicyAccess,
  id: string,
  edit: (p: IamPolicy) => IamPolicy,
  /** The policy as it is known to be (a just-created resource's empty one): the first attempt does not read it. */
  known?: IamPolicy,
): Promise<void> {
  const deadline = Date.now() + ctx.consistencyTimeoutMs;
  let conflicts = 0;
  let attempted = false;
  const accountNotYetVisible = (err: unknown) => httpStatus(err) === 400 && /Service account .* does not exist/i.test(errorMessage(err));
  // Cloud Storage also answers 412 for a policy it refuses outright (allUsers on a bucket whose
  // public access prevention is enforced): only its etag mismatch, "Precondition Failed", is a race.
  const refusedOutright = (err: unknown) => httpStatus(err) === 412 && /public access prevention/i.test(errorMessage(err));
  const retryOn = (err: unknown): boolean => {
    if (refusedOutright(err)) return false;
    if (isConcurrentChange(err)) {
      conflicts++;
      if (conflicts < MAX_POLICY_ATTEMPTS) ctx.log.info({ policy: id, attempt: conflicts }, 'IAM policy changed since it was read; reading it again');
      return conflicts < MAX_POLICY_ATTEMPTS;
    }
    return accountNotYetVisible(err) && Date.now() <= deadline;
  };
  try {
    await withRetry(
      async () => {
        // Written without an etag when not read: Google then replaces the policy, which held nothing.
        const current = known && !attempted ? known : await api.get(ctx, id);
        attempted = true;
        const next = edit(current);
        // Nothing to write: every member is already there or gone (the resource itself may be gone too).
        if (samePolicy(next, current)) return;
        await api.set(ctx, id, next);
      },
      { retryOn, attempts: Number.POSITIVE_INFINITY, baseMs: 100, capMs: 5_000 },
    );
  } catch (err) {
    if (isConcurrentChange(err) && !refusedOutright(err))
      throw new UserError(`the IAM policy of ${id} kept changing under us (${conflicts} concurrent changes)`, 'Run apply again.');
    throw err;
  }
}
