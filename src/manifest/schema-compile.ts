// Compiling the schemas into validators with ajv (draft 2020-12, all errors, Google's defaults
// filled in). The build precompiles them (npm run build -> dist/schema-validators.cjs) so that
// `musectl validate` starts without compiling; from source (tests) they are compiled on the fly.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { withProtoBounds } from './proto-bounds.js';
import type { JsonSchema } from './schema-walk.js';

const require = createRequire(import.meta.url);

export const AJV_OPTIONS = { allErrors: true, strict: true, strictRequired: false, verbose: true, useDefaults: true } as const;

/** musectl's own annotations: ajv keeps them as annotations (they do not validate anything). */
export const MUSECTL_KEYWORDS = [
  'x-musectl-ref',
  'x-musectl-outputs',
  'x-musectl-immutable',
  'x-musectl-security',
  'x-musectl-key',
  'x-musectl-kind-with',
  'x-musectl-proto',
  'x-musectl-discovery',
  'x-musectl-rule',
];

/** A hash of the schema files: a precompiled module is used only if it was built from these. */
export function schemasHash(texts: string[]): string {
  return createHash('sha256').update(texts.join('\0')).digest('hex');
}

function newAjv(standalone: boolean) {
  const { Ajv2020 } = require('ajv/dist/2020') as typeof import('ajv/dist/2020.js');
  const { _ } = require('ajv') as typeof import('ajv');
  const addFormats = (require('ajv-formats') as { default: typeof import('ajv-formats').default }).default;
  const ajv = new Ajv2020({
    ...AJV_OPTIONS,
    ...(standalone ? { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } } : {}),
  });
  addFormats(ajv);
  ajv.addVocabulary(MUSECTL_KEYWORDS);
  return ajv;
}

/** Compiles each kind's schema (kind -> $id) now. */
export function compileValidators(schemas: JsonSchema[], kinds: Map<string, string>): Map<string, ValidateFunction> {
  const ajv = newAjv(false);
  for (const s of withProtoBounds(schemas)) ajv.addSchema(s);
  return new Map([...kinds].map(([kind, id]) => [kind, ajv.getSchema(id) as ValidateFunction]));
}

/** The source of a CommonJS module exporting one validator per kind, and the schemas' hash. */
export function standaloneValidators(schemas: JsonSchema[], kinds: Map<string, string>, hash: string): string {
  const ajv = newAjv(true);
  for (const s of withProtoBounds(schemas)) ajv.addSchema(s);
  const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: unknown, refs: Record<string, string>) => string }).default;
  const code = standaloneCode(ajv, Object.fromEntries(kinds));
  return `${code}\nexports.schemasHash = ${JSON.stringify(hash)};\n`;
}
