// IAM policies attached to any resource (project, Cloud Run service, bucket, secret, repository,
// service account): etag-checked read-modify-write as Google does it (gcp-api-facts.md §4).
// Each API wraps these in its own URL shape and error dialect.
import { randomBytes } from 'node:crypto';
import { ApiError, type ErrorDetail, invalidArgument, storageError } from './errors.js';
import type { StateStore } from './state.js';

export interface Binding {
  role: string;
  members: string[];
  condition?: { expression: string; title?: string; description?: string };
}

export interface Policy {
  version?: number;
  etag: string;
  bindings?: Binding[];
}

const COLLECTION = 'iam.policies';

/** The etag of a resource that never had a policy set (Cloud Run, Secret Manager answer this). */
export const EMPTY_POLICY_ETAG = 'ACAB';

const MEMBER =
  /^(user|serviceAccount|group|domain|principal|principalSet|deleted:serviceAccount|deleted:user|deleted:group):.+$|^(allUsers|allAuthenticatedUsers)$|^(projectOwner|projectEditor|projectViewer):.+$/;

export type ServiceAccountCheck = (email: string) => boolean;

/** The members an organization with Domain Restricted Sharing refuses (they are nobody's domain). */
const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);

/** How each API words the refusal (emulator/FACTS.md, "Domain Restricted Sharing"). */
export type PolicySurface = 'run' | 'other';

export class PolicyStore {
  /** Tells whether a service account may be bound now (set by the IAM API: existence + consistency window). */
  serviceAccountUsable: ServiceAccountCheck = () => true;

  /**
   * @param domainRestrictedSharing the organization policy constraints/iam.allowedPolicyMemberDomains
   *   is in force (the default for organizations created since 2024-05-03): a policy change that
   *   adds allUsers or allAuthenticatedUsers is refused.
   */
  constructor(
    private readonly store: StateStore,
    private readonly domainRestrictedSharing = false,
  ) {}

  private get all(): Record<string, Policy> {
    return this.store.collection<Policy>(COLLECTION);
  }

  /** The policy of `resource`, or `initial()` (default bindings of the resource type) when none was set. */
  get(resource: string, initial: () => Policy = () => ({ etag: EMPTY_POLICY_ETAG })): Policy {
    // An initial policy is kept once read, so its etag stays the same until someone changes it.
    return structuredClone((this.all[resource] ??= initial()));
  }

  /**
   * Replaces the policy of `resource`. A policy carrying an etag that is not the current one is a
   * concurrent change: 409 ABORTED for One Platform APIs, 412 conditionNotMet for Cloud Storage.
   */
  set(resource: string, policy: Policy, opts: { dialect: 'google' | 'storage'; initial?: () => Policy; surface?: PolicySurface }): Policy {
    const current = this.get(resource, opts.initial);
    if (policy.etag && policy.etag !== current.etag) {
      if (opts.dialect === 'storage') {
        throw storageError(412, 'conditionNotMet', 'Precondition Failed', { locationType: 'header', location: 'If-Match' });
      }
      throw new ApiError(409, 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.', 'ABORTED');
    }
    const bindings = normalizeBindings(policy.bindings ?? [], opts.dialect, this.serviceAccountUsable);
    if (this.domainRestrictedSharing) refusePublicMembers(resource, bindings, current, opts.dialect, opts.surface ?? 'other');
    const hasCondition = bindings.some((b) => b.condition);
    const stored: Policy = {
      version: hasCondition ? 3 : Math.max(1, Number(policy.version ?? 1)),
      etag: newEtag(),
      bindings,
    };
    this.all[resource] = stored;
    return structuredClone(stored);
  }

  /** The policy of `resource` as stored, without keeping an initial one (undefined: never set or read). */
  peek(resource: string): Policy | undefined {
    const p = this.all[resource];
    return p ? structuredClone(p) : undefined;
  }

  delete(resource: string): void {
    delete this.all[resource];
  }
}

export function newEtag(): string {
  return randomBytes(8).toString('base64');
}

function normalizeBindings(bindings: Binding[], dialect: 'google' | 'storage', usable: ServiceAccountCheck): Binding[] {
  const byKey = new Map<string, Binding>();
  for (const [i, b] of bindings.entries()) {
    if (!b.role || typeof b.role !== 'string') throw policyError(dialect, `Policy binding ${i} has no role.`);
    if (!/^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/[A-Za-z0-9_.]+$/.test(b.role)) {
      throw policyError(dialect, `Role ${b.role} is not supported for this resource.`);
    }
    for (const m of b.members ?? []) {
      if (!MEMBER.test(m)) throw policyError(dialect, `Invalid member: ${m}`);
      if (m.startsWith('serviceAccount:') && !usable(m.slice('serviceAccount:'.length))) {
        throw policyError(dialect, `Service account ${m.slice('serviceAccount:'.length)} does not exist.`);
      }
    }
    // Google merges bindings of the same role and condition and drops empty ones.
    const key = `${b.role}|${JSON.stringify(b.condition ?? null)}`;
    const existing = byKey.get(key);
    const members = [...new Set([...(existing?.members ?? []), ...(b.members ?? [])])].sort();
    byKey.set(key, { role: b.role, members, ...(b.condition ? { condition: b.condition } : {}) });
  }
  return [...byKey.values()].filter((b) => b.members.length > 0);
}

/**
 * Domain Restricted Sharing: "The domain restriction constraint is not retroactive": only a change
 * that adds a public member is refused, one already in the policy stays (Resource Manager,
 * "Restricting identities by domain"). The wording per API is in emulator/FACTS.md.
 */
function refusePublicMembers(resource: string, bindings: Binding[], current: Policy, dialect: 'google' | 'storage', surface: PolicySurface): void {
  const had = new Set((current.bindings ?? []).flatMap((b) => b.members ?? []));
  const added = bindings.flatMap((b) => b.members).find((m) => PUBLIC_MEMBERS.has(m) && !had.has(m));
  if (!added) return;
  const message = 'One or more users named in the policy do not belong to a permitted customer.';
  if (dialect === 'storage') throw storageError(412, 'conditionNotMet', message);
  // [V] Cloud Run adds ",  perhaps due to an organization policy." (two spaces, as Google sends it).
  if (surface === 'run') throw new ApiError(400, `${message.slice(0, -1)},  perhaps due to an organization policy.`, 'FAILED_PRECONDITION');
  const violation: ErrorDetail = {
    '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
    violations: [
      {
        type: 'constraints/iam.allowedPolicyMemberDomains',
        subject: `orgpolicy:${resource}?configvalue=${added}`,
        description: `User ${added} is not in permitted organization.`,
      },
    ],
  };
  throw new ApiError(400, message, 'FAILED_PRECONDITION', [violation]);
}

function policyError(dialect: 'google' | 'storage', message: string): ApiError {
  return dialect === 'storage' ? storageError(400, 'invalid', message) : invalidArgument(message);
}
