// What the stack owns, and how it knows. Labels mark it on the kinds that have them; the
// inventory is the evidence: an entry written when the stack created (or adopted) the resource,
// with what tells that resource apart from a later one of the same name (Observed.evidence). A
// resource is the stack's when its inventory entry says so and the live resource still matches
// the evidence; labels alone never make it so, and a resource of another stack is never taken.
import type { Observed } from '../contract/controller.js';
import type { InventoryEntry } from '../state/inventory.js';

export const MANAGED_BY_LABEL = 'managed-by';
export const MANAGED_BY_VALUE = 'musectl';
export const STACK_LABEL = 'musectl-stack';

export function ownershipLabels(stack: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [STACK_LABEL]: stack };
}

/** The labels a resource should carry: the manifest's plus ownership. */
export function desiredLabels(manifestLabels: Record<string, string>, stack: string, hasLabels: boolean): Record<string, string> {
  return hasLabels ? { ...manifestLabels, ...ownershipLabels(stack) } : {};
}

export function ownedBy(labels: Record<string, string> | undefined): string | undefined {
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ? labels[STACK_LABEL] : undefined;
}

/**
 * Whether a live resource is the one an inventory entry recorded: every piece of evidence the
 * entry holds is the same on the live resource. An entry without evidence (written before musectl
 * recorded it) or a kind that offers none matches by name alone.
 */
export function matchesEvidence(entry: InventoryEntry, live: Observed): boolean {
  if (!entry.evidence || !live.evidence) return true;
  return Object.entries(entry.evidence).every(([k, v]) => live.evidence?.[k] === undefined || live.evidence[k] === v);
}

/** How the evidence differs, for messages: "uid abc… ≠ def…". */
export function evidenceDifference(entry: InventoryEntry, live: Observed): string {
  const diffs = Object.entries(entry.evidence ?? {})
    .filter(([k, v]) => live.evidence?.[k] !== undefined && live.evidence[k] !== v)
    .map(([k, v]) => `${k} ${v} when this stack created it, ${live.evidence?.[k]} now`);
  return diffs.join('; ');
}

export type Ownership =
  /** Ours: update it (its labels are restored if someone removed them). */
  | { owner: 'ours' }
  /** Another stack's (labels or inventory): never touched. */
  | { owner: 'other'; why: string }
  /** Nobody's that we can prove: adopt only when asked. */
  | { owner: 'unknown'; why: string };

export interface OwnershipInput {
  stack: string;
  live: Observed;
  labelled: boolean;
  /** Shared state (a grant, an enabled API): one that exists needs no adoption. */
  shared: boolean;
  entry?: InventoryEntry;
  /** Where the inventory is, for messages. */
  inventoryAt: string;
  /** The inventory holds nothing at all (a fresh --state, or the wrong one). */
  inventoryEmpty: boolean;
  /** Another stack's inventory in the same store that lists this resource. */
  claimedBy?: string;
}

/** Decides whose an existing resource named by a manifest is. */
export function ownershipOf(i: OwnershipInput): Ownership {
  const labelOwner = i.labelled ? ownedBy(i.live.labels) : undefined;
  if (labelOwner !== undefined && labelOwner !== i.stack) {
    return { owner: 'other', why: `it belongs to stack "${labelOwner}" (label ${STACK_LABEL}); a resource of another stack is never adopted` };
  }
  if (i.claimedBy)
    return { owner: 'other', why: `stack "${i.claimedBy}" lists it in its inventory (same state store); a resource of another stack is never adopted` };
  if (i.entry?.pending && i.labelled && labelOwner !== i.stack) {
    // A create interrupted before its answer writes the stack's labels with the resource itself.
    return { owner: 'unknown', why: "this stack's create of it was never confirmed, and it does not carry the stack's labels" };
  }
  if (i.entry) {
    if (matchesEvidence(i.entry, i.live)) return { owner: 'ours' };
    return {
      owner: 'unknown',
      why: `it is not the one this stack created (${evidenceDifference(i.entry, i.live)}): someone deleted it and made another of the same name`,
    };
  }
  if (i.shared) return { owner: 'ours' };
  if (labelOwner === i.stack) {
    const cause = i.inventoryEmpty
      ? `the inventory at ${i.inventoryAt} is empty: is this the stack's state? (a plan from another directory, or another --state, reads another one)`
      : `the inventory at ${i.inventoryAt} does not list it`;
    return { owner: 'unknown', why: `it carries this stack's labels, but ${cause}; labels alone are no proof that this stack made it` };
  }
  if (i.inventoryEmpty && !i.labelled) {
    return {
      owner: 'unknown',
      why: `it exists in Google Cloud (${i.live.id}) and the inventory at ${i.inventoryAt} is empty: is this the stack's state? (a plan from another directory, or another --state, reads another one); if it is, this stack did not create it`,
    };
  }
  return { owner: 'unknown', why: `it exists in Google Cloud (${i.live.id}) but this stack did not create it` };
}
