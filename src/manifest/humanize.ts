// ajv's errors, said the way a person fixing a manifest needs them: the field path, what is wrong,
// and a did-you-mean where a typo is likely. Errors inside a failed oneOf branch are folded into one
// message about the alternatives, so one mistake gives one line.
import type { ErrorObject } from 'ajv';
import type { Path } from './document.js';
import { quote } from './quote.js';
import { didYouMean } from './suggest.js';

export interface LocatedMessage {
  path: Path;
  /** Point at the key of the last path segment rather than its value. */
  atKey: boolean;
  message: string;
}

export function pointerToPath(pointer: string, data: unknown): Path {
  if (!pointer) return [];
  const path: Path = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      path.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      path.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

export function showPath(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** Drops errors that a folded oneOf/anyOf message already covers. */
export function foldAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  return errors.filter((e) => {
    return !alternatives.some((alt) => alt !== e && e.schemaPath.startsWith(`${alt.schemaPath}/`) && e.instancePath === alt.instancePath);
  });
}

export function humanize(err: ErrorObject, data: unknown): LocatedMessage {
  const path = pointerToPath(err.instancePath, data);
  const at = showPath(path);
  const prefix = at ? `${at}: ` : '';
  const parent = (err.parentSchema ?? {}) as Record<string, any>;
  const description = typeof parent.description === 'string' ? ` (${firstSentence(parent.description)})` : '';
  // A rule of Google's with its own words and the doc that says so (x-musectl-rule in the schema).
  const rule = parent['x-musectl-rule'];
  if (typeof rule === 'string' && !NOT_RULES.has(err.keyword)) {
    const value = err.data !== null && typeof err.data === 'object' ? '' : `${quote(err.data)} `;
    return { path, atKey: false, message: `${prefix}${value}${rule}` };
  }
  switch (err.keyword) {
    case 'maximum':
    case 'exclusiveMaximum':
    case 'minimum':
    case 'exclusiveMinimum': {
      const limit = Number(err.params.limit);
      const above = err.keyword.endsWith('aximum');
      const int32 = Math.abs(limit) >= 2 ** 31 - 1 ? ": Google's API keeps it in a 32-bit integer" : '';
      return {
        path,
        atKey: false,
        message: `${prefix}${quote(err.data)} is ${above ? 'more' : 'less'} than ${limit}, the ${above ? 'largest' : 'smallest'} value allowed${int32}${int32 ? '' : description}`,
      };
    }
    case 'additionalProperties': {
      const field = String(err.params.additionalProperty);
      const known = Object.keys(parent.properties ?? {});
      const fieldPath = [...path, field];
      return { path: fieldPath, atKey: true, message: `${showPath(fieldPath)}: unknown field${didYouMean(field, known)}` };
    }
    case 'required': {
      const field = String(err.params.missingProperty);
      return { path, atKey: true, message: `${prefix}missing required field "${field}"` };
    }
    case 'type':
      return { path, atKey: false, message: `${prefix}must be ${article(String(err.params.type))}, not ${describe(err.data)}` };
    case 'enum': {
      const allowed = (err.params.allowedValues as unknown[]).map(String);
      const hint = typeof err.data === 'string' ? didYouMean(err.data, allowed) : '';
      return { path, atKey: false, message: `${prefix}${quote(err.data)} is not allowed${hint}; use one of ${allowed.join(', ')}` };
    }
    case 'const':
      return { path, atKey: false, message: `${prefix}must be ${JSON.stringify(err.params.allowedValue)}` };
    case 'pattern':
    case 'format':
      return {
        path,
        atKey: false,
        message: `${prefix}${quote(err.data)} is not valid${description || ` (must match ${err.params.pattern ?? err.params.format})`}`,
      };
    case 'oneOf':
    case 'anyOf':
      return { path, atKey: false, message: `${prefix}${alternativesMessage(err, parent)}` };
    case 'not':
      return { path, atKey: false, message: `${prefix}${notMessage(err, parent)}` };
    case 'false schema':
      return { path, atKey: true, message: `${prefix}is not allowed here` };
    case 'if':
      return { path, atKey: false, message: '' }; // its then/else branch error says what is wrong
    case 'propertyNames':
      return { path: [...path, String(err.params.propertyName)], atKey: true, message: keyMessage(String(err.params.propertyName), path, parent, description) };
    default:
      return { path, atKey: false, message: `${prefix}${err.message ?? err.keyword}${description}` };
  }
}

function alternativesMessage(err: ErrorObject, parent: Record<string, any>): string {
  const branches = (parent[err.keyword] ?? []) as Array<Record<string, any>>;
  const requiredOnly = branches.every((b) => Array.isArray(b.required) && Object.keys(b).length === 1);
  if (requiredOnly) {
    const names = branches.map((b) => `"${b.required.join('", "')}"`);
    return `set ${err.keyword === 'oneOf' ? 'exactly one' : 'one'} of ${names.join(' or ')}`;
  }
  if (typeof parent.description === 'string') return `${quote(err.data)} is not valid: ${firstSentence(parent.description)}`;
  return `${quote(err.data)} matches none of the allowed forms`;
}

function notMessage(err: ErrorObject, parent: Record<string, any>): string {
  const not = parent.not ?? {};
  if (Array.isArray(not.enum)) return `${quote(err.data)} is reserved and cannot be used`;
  if (Array.isArray(not.required)) return `set only one of "${not.required.join('" or "')}"`;
  if (typeof not.pattern === 'string') return `${quote(err.data)} uses a reserved prefix`;
  return `${quote(err.data)} is not allowed here`;
}

/** Keywords whose own message is better than a rule's (they are about the shape, not the value). */
const NOT_RULES = new Set(['if', 'required', 'additionalProperties', 'type', 'propertyNames', 'false schema']);

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string ${quote(v)}`;
  return `${typeof v} ${quote(v)}`;
}

/**
 * Why a map key is refused. A key that has the right form but is reserved (the schema's
 * propertyNames `not: {enum}`, e.g. PROJECT_ID among a Stack's variables) is said to be reserved,
 * with the schema's reason, never "must match" a pattern it matches.
 */
function keyMessage(name: string, path: Path, parent: Record<string, any>, description: string): string {
  const rule = parent.propertyNames ?? {};
  const at = `${showPath(path)}: key ${quote(name)}`;
  const reserved = Array.isArray(rule.not?.enum) && rule.not.enum.includes(name);
  const wellFormed = typeof rule.pattern !== 'string' || new RegExp(rule.pattern, 'u').test(name);
  if (reserved && wellFormed) {
    const why = sentences(String(parent.description ?? '')).find((s) => s.includes(name));
    return `${at} is reserved${why ? `: ${why.replace(/\.$/, '')}` : ' and cannot be set here'}; remove it`;
  }
  return `${at} is not allowed${typeof rule.pattern === 'string' ? ` (keys must match ${rule.pattern})` : description}`;
}

/**
 * The first sentence of a schema description, for a short hint. A sentence ends at a full stop
 * followed by a capital letter; "e.g." and "i.e." end none ("The role, e.g. roles/x.").
 */
const sentences = (s: string): string[] => s.split(/(?<=(?<!\b(?:e\.g|i\.e|etc|cf|vs))\.)\s+(?=[A-Z])/);
const firstSentence = (s: string): string => sentences(s)[0].replace(/\.$/, '');
