// How musectl marks what it owns, on every kind that has labels.
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
