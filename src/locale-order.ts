// The order String.prototype.localeCompare gives (the machine's default locale), from one
// Intl.Collator made on first use: localeCompare builds a collator on every call, which made
// sorting thousands of diagnostics or inventory entries cost tens of milliseconds (and making it
// at start-up would cost a command that sorts nothing ~5 ms of ICU set-up).
let collator: Intl.Collator | undefined;

export function localeOrder(a: string, b: string): number {
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}
