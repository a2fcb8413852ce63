// How plan values are shown to people: JSON-like, with unknowns and absences spelled out.
import { isUnknown } from '../engine/controller.js';

export const KNOWN_AFTER_APPLY = '(known after apply)';

export function showValue(v: unknown): string {
  if (v === undefined) return '(none)';
  if (isUnknown(v)) return KNOWN_AFTER_APPLY;
  return JSON.stringify(v, (_k, x) => (isUnknown(x) ? KNOWN_AFTER_APPLY : x));
}
