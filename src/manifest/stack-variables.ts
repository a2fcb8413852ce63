// The Stack's variables: each a default value (a string) or a declaration with a type, a
// description, and a default or required: true. Once every source is known (the Stack's defaults,
// an environment, --set) the values are checked: a required variable needs one, each must fit its
// type, and an environment may set only what the Stack declares. Every error points where the value
// (or its declaration) is written.
import type { Diagnostic, SourcePosition } from './diagnostics.js';
import { locate, type ManifestDocument } from './document.js';
import { quote } from './quote.js';
import { didYouMean } from './suggest.js';

export type VariableType = 'string' | 'integer' | 'number' | 'boolean';

export interface VariableDeclaration {
  type: VariableType;
  description?: string;
  default?: string;
  required?: boolean;
}

/** The declarations of a Stack's spec.variables, and their defaults as strings. */
export function declaredVariables(raw: Record<string, unknown> | undefined): {
  defaults: Record<string, string>;
  declarations: Record<string, VariableDeclaration>;
} {
  const defaults: Record<string, string> = {};
  const declarations: Record<string, VariableDeclaration> = {};
  const given = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}; // another shape: the schema reports it
  for (const [name, v] of Object.entries(given)) {
    if (v !== null && typeof v === 'object') {
      const d = v as { type?: unknown; description?: unknown; default?: unknown; required?: unknown };
      const type = (['string', 'integer', 'number', 'boolean'] as const).find((t) => t === d.type) ?? 'string';
      const declaration: VariableDeclaration = { type, ...(typeof d.description === 'string' ? { description: d.description } : {}) };
      // A default of another shape is the schema's to report; it gives no value.
      if (['string', 'number', 'boolean'].includes(typeof d.default)) declaration.default = defaults[name] = String(d.default);
      if (d.required === true) declaration.required = true;
      declarations[name] = declaration;
    } else if (v !== undefined && v !== null) {
      defaults[name] = String(v);
      declarations[name] = { type: 'string', default: defaults[name] };
    }
  }
  return { defaults, declarations };
}

/** Whether a value fits a type; the error says what it should look like. */
function typeProblem(value: string, type: VariableType): string | undefined {
  if (type === 'integer' && !/^-?\d+$/.test(value)) return 'must be an integer (e.g. 3)';
  if (type === 'number' && !(value.trim() !== '' && Number.isFinite(Number(value)))) return 'must be a number (e.g. 0.5)';
  if (type === 'boolean' && value !== 'true' && value !== 'false') return 'must be true or false';
  return undefined;
}

/** A variable's value as the type a manifest field receives for an exact ${NAME} (numbers and booleans). */
export function typedValue(value: string, type: VariableType): number | boolean | undefined {
  if (typeProblem(value, type)) return undefined;
  if (type === 'integer' || type === 'number') return Number(value);
  if (type === 'boolean') return value === 'true';
  return undefined;
}

export interface VariableSources {
  stack?: ManifestDocument;
  /** The environment's document, where its spec.variables are written. */
  environment?: ManifestDocument;
  /** Names the environment gives values to. */
  fromEnvironment: Set<string>;
  /** Names given on the command line (--set, --region). */
  fromCommandLine: Set<string>;
  /** Names whose values are stand-ins (validate without an environment): not checked for a value. */
  placeholders: Set<string>;
}

/** Required variables without a value, values that do not fit their type, and an environment's undeclared variables. */
export function checkVariables(declarations: Record<string, VariableDeclaration>, values: Record<string, string>, src: VariableSources): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (doc: ManifestDocument | undefined, path: Array<string | number>, key = false): SourcePosition =>
    doc ? locate(doc, path, { key }) : { file: '(command line)', line: 1, col: 1 };
  const stackSubject = src.stack ? `Stack/${nameOf(src.stack)}` : '';
  const envSubject = src.environment ? `Environment/${nameOf(src.environment)}` : '';
  const about = (name: string) => (declarations[name]?.description ? ` (${declarations[name].description})` : '');
  for (const [name, d] of Object.entries(declarations)) {
    const value = values[name];
    if (value === undefined) {
      if (d.required && !src.placeholders.has(name)) {
        diagnostics.push({
          ...at(src.stack, ['spec', 'variables', name], true),
          severity: 'error',
          subject: stackSubject,
          message: `variable ${name}${about(name)} is required and has no value: set it in the environment's spec.variables or with --set ${name}=VALUE`,
        });
      }
      continue;
    }
    const problem = typeProblem(value, d.type);
    if (!problem) continue;
    const where = src.fromCommandLine.has(name)
      ? { pos: at(undefined, []), what: `--set ${name}=${quote(value)}` }
      : src.fromEnvironment.has(name)
        ? { pos: at(src.environment, ['spec', 'variables', name]), what: `${name} = ${quote(value)}` }
        : { pos: at(src.stack, ['spec', 'variables', name, 'default']), what: `the default of ${name}, ${quote(value)},` };
    diagnostics.push({
      ...where.pos,
      severity: 'error',
      subject: src.fromCommandLine.has(name) ? '' : src.fromEnvironment.has(name) ? envSubject : stackSubject,
      message: `${where.what} ${problem}: the Stack declares ${name} as ${d.type}${about(name)}`,
    });
  }
  for (const name of src.fromEnvironment) {
    if (declarations[name]) continue;
    diagnostics.push({
      ...at(src.environment, ['spec', 'variables', name], true),
      severity: 'error',
      subject: envSubject,
      message: `spec.variables.${name}: the Stack declares no variable ${name}${didYouMean(name, Object.keys(declarations))}; declare it in the Stack's spec.variables, or remove it here`,
    });
  }
  return diagnostics;
}

const nameOf = (d: ManifestDocument): string => String((d.value as { metadata?: { name?: unknown } }).metadata?.name ?? '');
