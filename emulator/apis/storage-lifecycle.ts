// Bucket lifecycle rules: `{"lifecycle":{"rule":[{"action":{"type":"Delete"},"condition":{"age":1}}]}}`
// (gcp-api-facts.md §2). Cloud Storage refuses a bad rule with a bare 400 `Invalid argument.`:
// an unknown action type, SetStorageClass without a storage class or another action with one
// (seen with Terraform modules), or a rule with no condition.
import { invalidArgument } from './storage-model.js';

const ACTIONS = ['Delete', 'SetStorageClass', 'AbortIncompleteMultipartUpload'];
const ACTION_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE', 'MULTI_REGIONAL', 'REGIONAL', 'DURABLE_REDUCED_AVAILABILITY'];

/** Condition fields by kind of value. Unknown condition names are ignored like other unknown names. */
const INT_CONDITIONS = ['age', 'daysSinceCustomTime', 'daysSinceNoncurrentTime', 'numNewerVersions'];
const DATE_CONDITIONS = ['createdBefore', 'customTimeBefore', 'noncurrentTimeBefore'];
const LIST_CONDITIONS = ['matchesPrefix', 'matchesSuffix', 'matchesStorageClass'];

/** The validated rules, in canonical form (int32 conditions as JSON numbers). */
export function validateLifecycle(lifecycle: unknown): Array<Record<string, any>> {
  if (typeof lifecycle !== 'object' || lifecycle === null || Array.isArray(lifecycle)) throw invalidArgument();
  const rules = (lifecycle as { rule?: unknown }).rule;
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw invalidArgument();
  return rules.map(validateRule);
}

function validateRule(rule: unknown): Record<string, any> {
  if (typeof rule !== 'object' || rule === null) throw invalidArgument();
  const { action, condition } = rule as { action?: any; condition?: any };
  if (typeof action !== 'object' || action === null || !ACTIONS.includes(action.type)) throw invalidArgument();
  const out: Record<string, any> = { action: { type: action.type } };
  if (action.type === 'SetStorageClass') {
    if (!ACTION_CLASSES.includes(action.storageClass)) throw invalidArgument();
    out.action.storageClass = action.storageClass;
  } else if (action.storageClass !== undefined) {
    throw invalidArgument();
  }
  out.condition = validateCondition(condition);
  return out;
}

function validateCondition(condition: unknown): Record<string, any> {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) throw invalidArgument();
  const c = condition as Record<string, unknown>;
  const out: Record<string, any> = {};
  for (const name of INT_CONDITIONS) {
    if (c[name] === undefined) continue;
    const n = Number(c[name]);
    if (!Number.isInteger(n) || n < 0 || (typeof c[name] !== 'number' && typeof c[name] !== 'string')) throw invalidArgument();
    out[name] = n;
  }
  for (const name of DATE_CONDITIONS) {
    if (c[name] === undefined) continue;
    if (typeof c[name] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(c[name] as string) || Number.isNaN(Date.parse(c[name] as string))) {
      throw invalidArgument();
    }
    out[name] = c[name];
  }
  for (const name of LIST_CONDITIONS) {
    if (c[name] === undefined) continue;
    if (!Array.isArray(c[name]) || !(c[name] as unknown[]).every((s) => typeof s === 'string')) throw invalidArgument();
    out[name] = c[name];
  }
  if (c.isLive !== undefined) {
    if (typeof c.isLive !== 'boolean') throw invalidArgument();
    out.isLive = c.isLive;
  }
  // A rule must say when it applies.
  if (Object.keys(out).length === 0) throw invalidArgument();
  return out;
}
