// The order String.prototype.localeCompare gives (the machine's default locale), from one
// Intl.Collator made on first use: localeCompare builds a collator on every call, which made
// sorting thousands of diagnostics or inventory entries cost tens of milliseconds (and making it
// at start-up would cost a command that sorts nothing ~5 ms of ICU set-up).
let collator: Intl.Collator | undefined;

export function localeOrder(a: string, b: string): number {
  // Equal strings are equal in every collation. Sorting diagnostics compares files first, and
  // those are mostly the same: a set whose diagnostics are all in one file (SessionMUSE's two
  // accepted ones) then never makes the collator, ~5 ms of ICU set-up at every validate and plan.
  if (a === b) return 0;
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}
