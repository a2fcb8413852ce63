// The `filter` of Secret Manager's list calls, in the subset of Google's list-filter syntax that
// its filtering guide shows: terms `field:value` (has / contains), `field=value`, `field!=value`,
// `labels.KEY:*` (label present), combined with spaces or AND, OR between groups, and NOT or '-'
// before a term. Fields: name, state (versions), labels.KEY. Anything else is refused rather than
// silently matching everything.
import { invalidArgument } from '../errors.js';

/** Returns the value of a filter field for one resource: a string, or undefined when absent. */
export type FieldLookup = (field: string) => string | undefined;

interface Term {
  field: string;
  op: ':' | '=' | '!=';
  value: string;
  negate: boolean;
}

/** Parses a filter once; the returned predicate is applied to each listed resource. */
export function compileFilter(filter: string | null, knownFields: RegExp): (lookup: FieldLookup) => boolean {
  const text = (filter ?? '').trim();
  if (!text) return () => true;
  const groups = text.split(/\s+OR\s+/).map((group) => parseGroup(group, knownFields));
  return (lookup) => groups.some((terms) => terms.every((t) => evaluate(t, lookup)));
}

function parseGroup(group: string, knownFields: RegExp): Term[] {
  const terms: Term[] = [];
  let negateNext = false;
  for (const token of group.split(/\s+/).filter(Boolean)) {
    if (token === 'AND') continue;
    if (token === 'NOT') {
      negateNext = true;
      continue;
    }
    const negate = negateNext || token.startsWith('-');
    negateNext = false;
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)(!=|:|=)(.*)$/.exec(token.replace(/^-/, ''));
    if (!m || !knownFields.test(m[1])) throw invalidArgument(`Invalid filter: ${group}`, 'filter');
    terms.push({ field: camelField(m[1]), op: m[2] as Term['op'], value: unquote(m[3]), negate });
  }
  return terms;
}

function evaluate(term: Term, lookup: FieldLookup): boolean {
  const actual = lookup(term.field);
  let result: boolean;
  if (term.op === ':') {
    result = term.value === '*' ? actual !== undefined : actual?.toLowerCase().includes(term.value.toLowerCase()) === true;
  } else if (term.op === '=') {
    result = actual === term.value;
  } else {
    result = actual !== term.value;
  }
  return term.negate ? !result : result;
}

const unquote = (s: string): string => s.replace(/^"(.*)"$/, '$1');

/** `create_time` -> `createTime`; label keys after `labels.` are left as written. */
function camelField(field: string): string {
  if (field.startsWith('labels.')) return field;
  return field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
