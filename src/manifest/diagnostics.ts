// A problem found in the manifests, located at the YAML node it is about. Printed as one line:
//   FILE:LINE:COL: Kind/name: message
// (warnings add "warning: " before the message; a lint finding a resource accepts says so, with why).

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** accepted: a lint warning the resource accepts (musectl.dev/lint-ignore), shown with its reason, never an error. */
export type Severity = 'error' | 'warning' | 'accepted';

export interface Diagnostic extends SourcePosition {
  severity: Severity;
  /** "Kind/name" of the document, or "" when the document has no usable identity. */
  subject: string;
  message: string;
  /** Lint rule id for warnings (lets a user look it up). */
  rule?: string;
  /** For an accepted lint warning: the reason the manifest gives. */
  reason?: string;
}

/** No diagnostic line is longer than this, whatever a message quotes (a safety net for quote()). */
const MAX_MESSAGE = 1000;

export function formatDiagnostic(d: Diagnostic): string {
  const subject = d.subject ? `${d.subject.length > 200 ? `${d.subject.slice(0, 200)}...` : d.subject}: ` : '';
  const message = d.message.length > MAX_MESSAGE ? `${d.message.slice(0, MAX_MESSAGE)}... (message cut)` : d.message;
  const level = d.severity === 'warning' ? 'warning: ' : d.severity === 'accepted' ? `accepted (${d.reason}): ` : '';
  const rule = d.rule ? ` [${d.rule}]` : '';
  return `${d.file}:${d.line}:${d.col}: ${subject}${level}${message}${rule}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}

export const hasErrors = (ds: Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
