// How plan values are shown to people: JSON-like, with unknowns and absences spelled out.
import { isSensitive, isUnknown, SENSITIVE_TEXT } from '../contract/spec.js';
import type { FieldChange } from '../engine/diff.js';

export const KNOWN_AFTER_APPLY = '(known after apply)';
export const SENSITIVE_CHANGED = '(sensitive value changed)';

export const isSensitiveChange = (c: FieldChange): boolean => isSensitive(c.before) || isSensitive(c.after);

export function showValue(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  if (isUnknown(v)) return KNOWN_AFTER_APPLY;
  if (isSensitive(v)) return SENSITIVE_TEXT;
  return JSON.stringify(v, (_k, x) => (isUnknown(x) ? KNOWN_AFTER_APPLY : x));
}
