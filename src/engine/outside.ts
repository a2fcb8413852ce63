// One file of a stack (`-f backend.yaml`) may reference resources of the stack that it does not
// include: they must be in the stack's inventory (the stack made them), and are read live like the
// rest (their outputs, a service account's email). A reference to something neither in the set nor
// in the inventory is an error at the reference, before any call to Google.
import { locate } from '../manifest/document.js';
import { showPath } from '../manifest/humanize.js';
import type { Diagnostic, ManifestSet } from '../manifest/index.js';
import { quote } from '../manifest/quote.js';
import { didYouMean } from '../manifest/suggest.js';
import { entryKey, type Inventory, type InventoryEntry } from '../state/inventory.js';
import type { ObservedState } from './observe.js';

/** The stack's resources the set references but does not include, by key, from the inventory. */
export function outsideEntries(set: ManifestSet, inventory: Inventory): Map<string, InventoryEntry> {
  const byKey = new Map(inventory.entries.filter((e) => !e.pending).map((e) => [entryKey(e), e]));
  const found = new Map<string, InventoryEntry>();
  for (const { ref } of set.outside) {
    const e = byKey.get(`${ref.kind}/${ref.name}`);
    if (e) found.set(entryKey(e), e);
  }
  return found;
}

/** Errors for references to resources that are neither in the set nor the stack's (its inventory). */
export function unresolvedOutside(set: ManifestSet, inventory: Inventory, inventoryAt: string): Diagnostic[] {
  const known = outsideEntries(set, inventory);
  return set.outside
    .filter(({ ref }) => !known.has(`${ref.kind}/${ref.name}`))
    .map(({ from, ref }) => {
      const names = [
        ...set.resources.filter((r) => r.kind === ref.kind).map((r) => r.name),
        ...inventory.entries.filter((e) => e.kind === ref.kind).map((e) => e.name),
      ];
      const field = showPath(ref.path.slice(0, -1));
      // Written before its create, which was never confirmed (an apply that stopped): not the stack's yet.
      const pending = inventory.entries.some((e) => e.kind === ref.kind && e.name === ref.name && e.pending);
      return {
        ...locate(from.doc, ref.path),
        severity: 'error' as const,
        subject: from.key,
        message: pending
          ? `${field}: refers to ${ref.kind} ${quote(ref.name)}, which the stack's inventory (${inventoryAt}) has only as pending: an apply started to create it and did not finish; add its manifest to -f, or apply the whole stack first`
          : `${field}: refers to ${ref.kind} ${quote(ref.name)}, which is neither in the manifests nor in the stack's inventory ` +
            `(${inventoryAt})${didYouMean(ref.name, [...new Set(names)])}; add its manifest to -f, or apply it first`,
      };
    });
}

/** Adds the live state of the referenced outside resources under their keys, so their outputs resolve. */
export function observeOutside(observed: ObservedState, outside: Map<string, InventoryEntry>): string[] {
  const gone: string[] = [];
  for (const [key, e] of outside) {
    const live = observed.listed.get(e.kind)?.get(e.id);
    if (live) observed.byKey.set(key, live);
    else gone.push(key);
  }
  return gone;
}
