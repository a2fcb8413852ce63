// Mutations of a copy of the SessionMUSE manifests, for the bad-input suites: YAML-level damage
// (tokens inserted, text deleted or truncated, lines duplicated, swapped or re-indented) and
// document-level changes (a value replaced by any JSON value or a hostile string, a key deleted,
// renamed or added, a kind changed, a document duplicated), and what a located diagnostic is.

import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Document, isMap, isSeq, parseAllDocuments } from 'yaml';
import { type Diagnostic, formatDiagnostic } from '../../src/manifest/index.js';
import { ROOT } from '../e2e/cli.js';

export const STACK_TRACE = /\n\s+at .+[:(]\d+/;

export type Edit =
  | { type: 'insert'; at: number; token: string }
  | { type: 'delete'; at: number; length: number }
  | { type: 'truncate'; at: number }
  | { type: 'duplicateLine'; line: number }
  | { type: 'swapLines'; a: number; b: number }
  | { type: 'indent'; line: number; by: number }
  | { type: 'setValue'; doc: number; node: number; value: unknown }
  | { type: 'deleteKey'; doc: number; node: number }
  | { type: 'renameKey'; doc: number; node: number; suffix: string }
  | { type: 'addKey'; doc: number; node: number; key: string; value: unknown }
  | { type: 'setKind'; doc: number; kind: string }
  | { type: 'duplicateDoc'; doc: number };

const TOKENS = [
  ':',
  ': ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '&a ',
  '*a',
  '*nope',
  '!!binary ',
  '!!int ',
  '!custom ',
  '\t',
  '  ',
  '\n',
  '\n---\n',
  '${',
  '${NOPE}',
  '$${X}',
  '${PROJECT_NUMBER}',
  '#',
  '%YAML 1.2\n',
  '|',
  '>',
  '? ',
  '\u0000',
  '\uFEFF',
  '💥',
  'null',
  '~',
  '<<: *a',
  ',',
  '@',
  '`',
  '---',
  '...',
];
const KINDS = [
  'CloudRunService',
  'Bucket',
  'ServiceAccount',
  'IAMPolicyMember',
  'Secret',
  'ArtifactRegistryRepository',
  'ProjectService',
  'CloudRunJob',
  'Stack',
  'Nope',
  '',
];
const HOSTILE = fc.constantFrom(
  '',
  ' ',
  'x'.repeat(5000),
  '${NOPE}',
  '${PROJECT_ID',
  '$${PROJECT_ID}',
  '../../etc/passwd',
  'http://sessionmuse-backend-abc.a.run.app',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  '\u0000',
  'ünïcödé',
  'UPPER_case',
  'gs://bucket',
  'projects/p/secrets/s',
  '60x',
  '2Zi',
  'roles/',
  // Google's rules (issue 13): values that pass a schema's type but not Google's limits
  'goog-bucket',
  'my-g00gle-data',
  '192.168.5.4',
  'a'.repeat(64),
  `a.${'b'.repeat(64)}.c`,
  'asia-northeast9',
  'MARS',
  'UPPER CASE:::',
  'nginx@sha256:xyz',
  '99999Ti',
  '999999999999s',
  '0.001',
  '3',
  '\uD800',
  '\u0085',
  '\u2028',
  '\u0007',
  'x'.repeat(70_000),
);
/** Numbers at and past the int32 edges (a wrapped int32 never converges), and unsafe integers. */
const EDGE_NUMBER = fc.constantFrom(2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, 1e21, -0, 0.1 + 0.2);
/** Nesting deeper than musectl reads (100 levels), as lists and as maps. */
const DEEP = fc.integer({ min: 90, max: 160 }).chain((depth) =>
  fc.constantFrom(
    Array.from({ length: depth }).reduce<unknown>((v) => [v], 'x'),
    Array.from({ length: depth }).reduce<unknown>((v) => ({ k: v }), 'x'),
  ),
);
const VALUE = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  HOSTILE,
  EDGE_NUMBER,
  DEEP,
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 31), true, false, null, [], {}, { __proto__: { x: 1 } }),
);

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ type: fc.constant('insert' as const), at: fc.nat(), token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })) }),
  fc.record({ type: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ type: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ type: fc.constant('duplicateLine' as const), line: fc.nat() }),
  fc.record({ type: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ type: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ type: fc.constant('setValue' as const), doc: fc.nat(), node: fc.nat(), value: VALUE }),
  fc.record({ type: fc.constant('deleteKey' as const), doc: fc.nat(), node: fc.nat() }),
  fc.record({ type: fc.constant('renameKey' as const), doc: fc.nat(), node: fc.nat(), suffix: fc.constantFrom('s', 'X', '_', '', ' ') }),
  fc.record({
    type: fc.constant('addKey' as const),
    doc: fc.nat(),
    node: fc.nat(),
    key: fc.oneof(fc.constantFrom('unknownField', 'spec', 'kind', 'metadata', 'name', '__proto__'), fc.string({ minLength: 1, maxLength: 6 })),
    value: VALUE,
  }),
  fc.record({ type: fc.constant('setKind' as const), doc: fc.nat(), kind: fc.constantFrom(...KINDS) }),
  fc.record({ type: fc.constant('duplicateDoc' as const), doc: fc.nat() }),
);

export interface Case {
  file: number;
  edits: Edit[];
}

export const mutation: fc.Arbitrary<Case> = fc.record({ file: fc.nat(), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) });

/** Paths to every node of a document's data (maps' keys and list items). */
export function nodePaths(value: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      out.push([...path, i]);
      nodePaths(v, [...path, i], out);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...path, k]);
      nodePaths(v, [...path, k], out);
    }
  }
  return out;
}

export function applyEdit(text: string, e: Edit): string {
  const lines = text.split('\n');
  const pick = (n: number, length: number): number => (length === 0 ? 0 : n % length);
  switch (e.type) {
    case 'insert': {
      const at = pick(e.at, text.length + 1);
      return text.slice(0, at) + e.token + text.slice(at);
    }
    case 'delete': {
      const at = pick(e.at, text.length + 1);
      return text.slice(0, at) + text.slice(at + e.length);
    }
    case 'truncate':
      return text.slice(0, pick(e.at, text.length + 1));
    case 'duplicateLine': {
      const i = pick(e.line, lines.length);
      lines.splice(i, 0, lines[i]);
      return lines.join('\n');
    }
    case 'swapLines': {
      const a = pick(e.a, lines.length);
      const b = pick(e.b, lines.length);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join('\n');
    }
    case 'indent': {
      const i = pick(e.line, lines.length);
      lines[i] = e.by >= 0 ? ' '.repeat(e.by) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-e.by}}`), '');
      return lines.join('\n');
    }
    default:
      return editDocument(text, e);
  }
}

/** Document-level edits, through the yaml Document API so the rest of the file keeps its form. */
function editDocument(text: string, e: Exclude<Edit, { type: 'insert' | 'delete' | 'truncate' | 'duplicateLine' | 'swapLines' | 'indent' }>): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length > 0)) return text; // already broken: leave it
  const di = e.doc % docs.length;
  const doc = docs[di] as Document;
  const paths = nodePaths(doc.toJS());
  const path = paths.length > 0 ? paths[('node' in e ? e.node : 0) % paths.length] : [];
  switch (e.type) {
    case 'setValue':
      if (path.length > 0) doc.setIn(path, doc.createNode(e.value));
      break;
    case 'deleteKey':
      if (path.length > 0) doc.deleteIn(path);
      break;
    case 'renameKey': {
      const parentPath = path.slice(0, -1);
      const parent = parentPath.length > 0 ? doc.getIn(parentPath, true) : doc.contents;
      const key = path.at(-1);
      if (isMap(parent) && typeof key === 'string') {
        const value = doc.getIn(path, true);
        doc.deleteIn(path);
        (parent as any).set(`${key}${e.suffix}`, value);
      }
      break;
    }
    case 'addKey': {
      const target = path.length > 0 ? doc.getIn(path, true) : doc.contents;
      if (isMap(target)) (target as any).set(e.key, doc.createNode(e.value));
      else if (isSeq(target)) (target as any).add(doc.createNode(e.value));
      else if (isMap(doc.contents)) (doc.contents as any).set(e.key, doc.createNode(e.value));
      break;
    }
    case 'setKind':
      if (isMap(doc.contents)) doc.set('kind', e.kind);
      break;
    case 'duplicateDoc':
      return [...docs.map(String), String(doc)].join('---\n');
  }
  return docs.map(String).join('---\n');
}

/** Diagnostics that are not located in one of `files` (path -> text), or unreadable. */
export function locationProblems(ds: Diagnostic[], files: Map<string, string>, dir: string): string[] {
  const problems: string[] = [];
  for (const d of ds) {
    const text = files.get(d.file);
    const line = formatDiagnostic(d);
    if (text === undefined && d.file !== dir) problems.push(`not located in a manifest file: ${line}`);
    if (!(d.line >= 1 && d.col >= 1)) problems.push(`no line or column: ${line}`);
    if (text !== undefined && d.line > text.split('\n').length + 1) problems.push(`line past the end of the file: ${line}`);
    if (!d.message || STACK_TRACE.test(d.message) || d.message.includes('[object Object]')) problems.push(`unreadable message: ${JSON.stringify(line)}`);
  }
  return problems;
}

/** A copy of manifests/ in `dir`, one file of which a case mutates at a time. */
export class ManifestCopy {
  readonly names: string[];
  readonly originals: string[];

  constructor(readonly dir: string) {
    cpSync(join(ROOT, 'manifests'), dir, { recursive: true });
    this.names = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    this.originals = this.names.map((f) => readFileSync(join(dir, f), 'utf8'));
  }

  original(name: string): string {
    return this.originals[this.names.indexOf(name)];
  }

  /** Writes the mutated file into the copy; returns the files' texts by path, and a restore. */
  mutate(c: Case): { files: Map<string, string>; restore: () => void } {
    const i = c.file % this.names.length;
    const text = c.edits.reduce(applyEdit, this.originals[i]);
    const path = join(this.dir, this.names[i]);
    writeFileSync(path, text);
    const files = new Map(this.names.map((n, j) => [join(this.dir, n), j === i ? text : this.originals[j]]));
    return { files, restore: () => writeFileSync(path, this.originals[i]) };
  }
}
