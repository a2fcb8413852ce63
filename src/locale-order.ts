// The order String.prototype.localeCompare gives (the machine's default locale), from one
// Intl.Collator made once: localeCompare builds a collator on every call, which made sorting
// thousands of diagnostics or inventory entries cost tens of milliseconds.
export const localeOrder: (a: string, b: string) => number = new Intl.Collator().compare;
