// The Stack document (kind: Stack): the stack's name and default variable values.
import type { Diagnostic } from './diagnostics.js';
import { locate, type ManifestDocument } from './document.js';

export interface StackSettings {
  name: string;
  variables: Record<string, string>;
  /** Where the Stack document is, if there is one. */
  document?: ManifestDocument;
}

export const DEFAULT_STACK_NAME = 'default';

export const isStackDocument = (d: ManifestDocument): boolean =>
  typeof d.value === 'object' && d.value !== null && (d.value as { kind?: unknown }).kind === 'Stack';

/** Reads the Stack settings; more than one Stack document is an error. */
export function readStack(stackDocs: ManifestDocument[]): { stack: StackSettings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const [first, ...rest] = stackDocs;
  for (const extra of rest) {
    diagnostics.push({
      ...locate(extra, ['kind']),
      severity: 'error',
      subject: `Stack/${nameOf(extra)}`,
      message: `a manifest set has one Stack; another is at ${first.file}:${locate(first, ['kind']).line}`,
    });
  }
  if (!first) return { stack: { name: DEFAULT_STACK_NAME, variables: {} }, diagnostics };
  const value = first.value as { spec?: { variables?: Record<string, unknown> } };
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(value.spec?.variables ?? {})) variables[k] = String(v);
  return { stack: { name: nameOf(first) || DEFAULT_STACK_NAME, variables, document: first }, diagnostics };
}

function nameOf(d: ManifestDocument): string {
  const name = (d.value as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? name : '';
}
