// The Stack document (kind: Stack): the stack's name, default variable values and named outputs.

import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { locate, type ManifestDocument } from './document.js';
import { discoverFiles, parseFile, readManifestText } from './load.js';
import { keepStackDocuments, readStackDocuments } from './set-cache-file.js';
import { declaredVariables, type VariableDeclaration } from './stack-variables.js';

/** A named output of the stack: another resource's output, read after an apply. */
export interface StackOutput {
  kind: string;
  name: string;
  output: string;
  description?: string;
}

export interface StackSettings {
  name: string;
  /** The variables' default values. */
  variables: Record<string, string>;
  /** Every variable the Stack declares (a plain default declares a string). */
  declarations: Record<string, VariableDeclaration>;
  /** spec.outputs, by output name (names of resources with stack variables substituted). */
  outputs: Record<string, StackOutput>;
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
  if (!first) return { stack: { name: DEFAULT_STACK_NAME, variables: {}, declarations: {}, outputs: {} }, diagnostics };
  const value = first.value as { spec?: { variables?: Record<string, unknown> } };
  const { defaults, declarations } = declaredVariables(value.spec?.variables);
  return {
    stack: { name: nameOf(first) || DEFAULT_STACK_NAME, variables: defaults, declarations, outputs: stackOutputs(first), document: first },
    diagnostics,
  };
}

/** spec.outputs of a Stack document as it is now (read again once variables are substituted). */
export function stackOutputs(d: ManifestDocument): Record<string, StackOutput> {
  const declared = (d.value as { spec?: { outputs?: Record<string, unknown> } }).spec?.outputs ?? {};
  const out: Record<string, StackOutput> = {};
  for (const [name, v] of Object.entries(declared)) {
    const o = v as { description?: unknown; outputRef?: { kind?: unknown; name?: unknown; output?: unknown } } | null;
    const ref = o?.outputRef;
    if (typeof ref?.kind !== 'string' || typeof ref.name !== 'string' || typeof ref.output !== 'string') continue; // the schema reports it
    out[name] = { kind: ref.kind, name: ref.name, output: ref.output, ...(typeof o?.description === 'string' ? { description: o.description } : {}) };
  }
  return out;
}

function nameOf(d: ManifestDocument): string {
  const name = (d.value as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? name : '';
}

/**
 * The Stack settings of a manifest set without validating the rest (where its state is, its name):
 * for commands that read only the state (`musectl output`) or must know the stack before the
 * target (`up`, --env).
 */
export function findStack(paths: string[]): StackSettings {
  const docs = discoverFiles(paths).files.flatMap((f) => {
    try {
      return stackDocumentsIn(f);
    } catch {
      return []; // unreadable: the full load reports it
    }
  });
  return readStack(docs).stack;
}

/**
 * Whether a file's text can hold a Stack document, without parsing it: its kind must read "Stack",
 * which YAML can write without those five letters only through a double-quoted escape
 * ("\x53tack", "St\u0061ck", or a line break escaped inside the word), so a file with neither the
 * word nor a backslash holds none (an alias repeats an anchor written out in the same file).
 * A plan finds its Stack before it loads the manifests (src/engine/session.ts): most files of a
 * stack are then not parsed twice.
 */
export function mayHoldStack(text: string): boolean {
  return text.includes('Stack') || text.includes('\\');
}

/**
 * The Stack documents of each file as last read, with a digest of the text they came from (not the
 * text: a watcher would keep a second copy of every manifest). The watcher with --env looks for the
 * Stack document every cycle (findEnvironment), which parsed every document of the stack only to
 * find it; a file is parsed again only when its text is not the one read last, and a command takes
 * what the one before it found in the same text (set-cache-file.ts). Callers only read these
 * documents (the stack's name, where its file is).
 */
const stackDocumentsByFile = new Map<string, { digest: string; docs: ManifestDocument[] }>();
const MAX_FILES_KEPT = 10_000;

function stackDocumentsIn(file: string): ManifestDocument[] {
  const read = readManifestText(file);
  if (read.text === undefined || !mayHoldStack(read.text)) return [];
  const digest = createHash('sha256').update(read.text).digest('hex');
  const known = stackDocumentsByFile.get(file);
  if (known?.digest === digest) return known.docs;
  let docs = readStackDocuments(file, digest, read.text);
  if (!docs) {
    docs = parseFile(file, read.text).documents.filter(isStackDocument);
    keepStackDocuments(file, digest, docs);
  }
  stackDocumentsByFile.delete(file);
  stackDocumentsByFile.set(file, { digest, docs });
  if (stackDocumentsByFile.size > MAX_FILES_KEPT) stackDocumentsByFile.delete(stackDocumentsByFile.keys().next().value as string);
  return docs;
}

/**
 * The Stack document beside the files given (`-f manifests/backend.yaml`: a Stack in manifests/),
 * when the set has none of its own: one file of a stack then has the stack's name and variables.
 * Only the files' own directories are looked at, not below them; undefined unless exactly one.
 */
export function stackBeside(paths: string[]): string | undefined {
  const dirs = new Set<string>();
  for (const p of paths) {
    try {
      if (statSync(p).isFile()) dirs.add(dirname(p));
    } catch {
      // a missing path is reported by the load
    }
  }
  const found = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f) && !f.startsWith('.'));
    } catch {
      continue;
    }
    for (const f of names) {
      const file = join(dir, f);
      try {
        if (statSync(file).isFile() && stackDocumentsIn(file).length > 0) found.add(file);
      } catch {
        // unreadable: not a Stack document we can use
      }
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}
