// Shared by the kinds whose resources have IAM policies: reading a policy of a resource that does
// not exist yet as empty, and the policy shape the gax clients use.
import type { ControllerContext, IamPolicy, IamPolicyAccess } from '../src/contract/controller.js';
import { isNotFound } from '../src/gcp/errors.js';
import type { QuotaKey } from '../src/gcp/rate-limit.js';

export const EMPTY_POLICY: IamPolicy = { bindings: [] };

/** The policy, or an empty one when the resource is missing (it is created in this apply). */
export async function policyOrEmpty(read: () => Promise<IamPolicy>): Promise<IamPolicy> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return { ...EMPTY_POLICY, bindings: [] };
    throw err;
  }
}

/** A gax/googleapis policy (bindings may be null or carry nulls) in our shape. */
export function fromApiPolicy(p: {
  version?: number | null;
  etag?: unknown;
  bindings?: Array<{ role?: string | null; members?: string[] | null; condition?: unknown }> | null;
}): IamPolicy {
  return {
    version: p.version ?? undefined,
    etag: p.etag ?? undefined,
    bindings: (p.bindings ?? []).map((b) => ({ role: b.role ?? '', members: [...(b.members ?? [])], ...(b.condition ? { condition: b.condition } : {}) })),
  };
}

/** A policy to send: version 3 when a binding has a condition, as Google requires. */
export function toApiPolicy(p: IamPolicy): { version: number; etag?: any; bindings: any[] } {
  const version = p.bindings.some((b) => b.condition) ? 3 : Math.max(1, p.version ?? 1);
  return { version, ...(p.etag !== undefined ? { etag: p.etag } : {}), bindings: p.bindings.filter((b) => b.members.length > 0) };
}

/** The IAM methods every gax client of a resource with a policy has (Run, Secret Manager, ...). */
interface GaxIamClient {
  getIamPolicy(req: { resource: string; options?: { requestedPolicyVersion?: number } }): Promise<[any, ...unknown[]]>;
  setIamPolicy(req: { resource: string; policy: any }): Promise<[any, ...unknown[]]>;
}

/** Policy access through a gax client's IAM methods, charged to the API's quotas. */
export function gaxPolicyAccess(opts: {
  client: (ctx: ControllerContext) => GaxIamClient;
  quota: { read: QuotaKey; write: QuotaKey };
  scope: (ctx: ControllerContext, id: string) => string;
}): IamPolicyAccess {
  return {
    get: (ctx, id) =>
      policyOrEmpty(async () => {
        const [p] = await ctx.api.call({ quota: opts.quota.read, scope: opts.scope(ctx, id), what: `read the IAM policy of ${id}` }, () =>
          opts.client(ctx).getIamPolicy({ resource: id, options: { requestedPolicyVersion: 3 } }),
        );
        return fromApiPolicy(p);
      }),
    async set(ctx, id, policy) {
      const [p] = await ctx.api.call({ quota: opts.quota.write, scope: opts.scope(ctx, id), what: `write the IAM policy of ${id}` }, () =>
        opts.client(ctx).setIamPolicy({ resource: id, policy: toApiPolicy(policy) }),
      );
      return fromApiPolicy(p);
    },
  };
}
