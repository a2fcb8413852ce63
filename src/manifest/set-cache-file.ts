// The checked manifest set of a command, kept on disk for the next command that loads the same
// manifests (a developer's plan after plan, CI's validate then plan): parsing and checking 1,000
// documents costs ~0.3 s of a ~0.9 s plan on the 2-core machine; reading the answer back, ~10 ms.
//
// A file is keyed like the process's own cache (set-cache.ts: the paths, every file's text as read
// by this load, the variables and options) and by the code that made it: the CLI's bundle, its
// precompiled validators and the schema files, with their sizes and modification and change times,
// so a rebuilt musectl or an edited schema never takes an older one's answer. Only the bundled CLI (dist/musectl.cjs) keeps files: from
// dist/src or under vitest the code is hundreds of files, and a change to any must miss.
// MUSECTL_NO_MANIFEST_CACHE, set to any value, turns it off. The Stack documents of a file, which a command looks
// for before it loads (stack.ts), are kept the same way, keyed by the file and its text's digest.
//
// What is not written:
// - a Secret's value: it is not part of a checked set (index.ts reads it on every load);
// - the parsed YAML trees and line counters: what needs one after the check (a Secret's file that
//   is outside the tree is an error located in its manifest) parses its file again, from the text
//   this load read;
// - the variables as given: a value the manifests use is in what they say, and one they do not
//   (a --set the stack does not declare) has no reason to be on disk;
// - a set loaded with an environment (--env): the documents its overrides patched locate their
//   paths in the environment's file through a function (ManifestDocument.overlay).
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, rmSync, type Stats, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { readCacheFile, removeLeftoverTemps, writeCacheFile } from '../cache-file.js';
import { SCHEMA_DIR } from '../paths.js';
import { userCacheDir } from '../user-cache-dir.js';
import type { ManifestDocument } from './document.js';
import { parseFile } from './load.js';
import { PRECOMPILED } from './schemas.js';
import type { CheckedSet, FileText } from './set-cache.js';

/** Bumped when what is written changes shape (a file of another format is a miss). */
const FORMAT = 3;
/** Files kept: the newest used; a set's is ~0.75 MB for 1,000 resources, a Stack's a few KB. */
const MAX_FILES = 64;
const MAX_BYTES = 64 * 1024 * 1024;
/** A file not used for a week is of a checkout or a build that may be gone. */
const STALE_MS = 7 * 24 * 3600 * 1000;
const SUFFIX = '.v8set';

interface Stored {
  format: number;
  /** The key in full: a file's name is a prefix of its hash. */
  key: string;
  value: unknown;
}

let stamp: { value?: string } | undefined;

/** What the code that checks is: none where no file is kept. Once a process. */
function codeStamp(): string | undefined {
  stamp ??= { value: makeStamp() };
  return stamp.value;
}

function makeStamp(): string | undefined {
  if (process.env.MUSECTL_NO_MANIFEST_CACHE) return undefined;
  // In the bundle, import.meta.url is the bundle's own URL (src/build-bundles.ts).
  const code = fileURLToPath(import.meta.url);
  if (!code.endsWith('.cjs')) return undefined;
  try {
    const schemas = readdirSync(SCHEMA_DIR)
      .sort()
      .map((f) => join(SCHEMA_DIR, f));
    // The change time too: a copy that keeps times (cp -p, tar, rsync -a, a Docker COPY) or an
    // edit of the same length with its time set back changes it, and nobody can set it back.
    const files = [code, PRECOMPILED, ...schemas].map((f) => {
      const st = statSync(f);
      return `${f}|${st.ino}|${st.size}|${st.mtimeMs}|${st.ctimeMs}`;
    });
    return [process.version, ...files].join('\n');
  } catch {
    return undefined;
  }
}

/** `KIND-HASH.v8set`: KIND says what it holds (a checked set, a file's Stack documents). */
function pathOf(kind: 'set' | 'stack', key: string): string | undefined {
  const code = codeStamp();
  const dir = code === undefined ? undefined : userCacheDir('manifest-cache');
  if (!dir) return undefined;
  const name = createHash('sha256').update(`${FORMAT}\n${code}\n${kind}\n${key}`).digest('hex').slice(0, 32);
  return join(dir, `${kind}-${name}${SUFFIX}`);
}

/** The set a command with the same key checked before, or none. `texts` are this load's files. */
export function readCheckedFile(key: string, texts: FileText[]): CheckedSet | undefined {
  const textOf = (file: string) => texts.find((t) => t.file === file)?.text;
  return readStored<CheckedSet>('set', key, textOf, (c) => (Array.isArray(c?.documents) ? c.documents : undefined));
}

/** Keeps `checked` for the next command; not the variables as given (see the top of the file). */
export function keepCheckedFile(key: string, checked: CheckedSet): void {
  // Only a load with an environment reads the variables from a checked set (index.ts), and such a
  // set is not written.
  keepStored('set', key, { ...checked, vars: { values: {}, placeholders: {} } }, checked.documents);
}

/**
 * The Stack documents of a manifest file whose text has this digest (stack.ts), as found by the
 * command before: every plan looks for its Stack before it loads, and on a set from the last
 * command this was the one YAML parse left.
 */
export function readStackDocuments(file: string, digest: string, text: string): ManifestDocument[] | undefined {
  return readStored<ManifestDocument[]>(
    'stack',
    `${file}\n${digest}`,
    () => text,
    (docs) => (Array.isArray(docs) ? docs : undefined),
  );
}

export function keepStackDocuments(file: string, digest: string, docs: ManifestDocument[]): void {
  keepStored('stack', `${file}\n${digest}`, docs, docs);
}

function readStored<T>(
  kind: 'set' | 'stack',
  key: string,
  textOf: (file: string) => string | undefined,
  documentsOf: (value: T) => ManifestDocument[] | undefined,
): T | undefined {
  const path = pathOf(kind, key);
  if (!path) return undefined;
  // None yet, or not whole (cache-file.ts: V8 reads a damaged file all the same, a changed value
  // and all): checked again, and written again.
  const data = readCacheFile(path);
  if (!data) return undefined;
  let stored: Stored;
  try {
    stored = v8.deserialize(data) as Stored;
  } catch {
    return undefined; // of another Node: checked again, and written again
  }
  if (stored?.format !== FORMAT || stored.key !== key) return undefined;
  const value = stored.value as T;
  const documents = documentsOf(value);
  if (!documents) return undefined;
  reparseOnDemand(documents, textOf);
  try {
    const now = new Date();
    utimesSync(path, now, now); // the files least recently used go first
  } catch {
    // another command swept it meanwhile: this one has its answer
  }
  return value;
}

/**
 * Keeps `value` for the next command: written now, in V8's serialisation (which keeps objects a
 * YAML alias shares as one), since the caller may change what it is given; put on disk when the
 * process is next idle, or at exit. `documents` are the parsed documents `value` holds.
 */
function keepStored(kind: 'set' | 'stack', key: string, value: unknown, documents: ManifestDocument[]): void {
  const path = pathOf(kind, key);
  if (!path || documents.some((d) => d.overlay)) return;
  const data = serialized(key, value, documents);
  if (!data) return;
  if (pending.size === 0) setImmediate(writePending).unref();
  if (!exitHooked) {
    // Once a process: a watcher that sees many edits would otherwise add a listener for each.
    exitHooked = true;
    process.once('exit', writePending);
  }
  pending.set(path, data);
}

const pending = new Map<string, Buffer>();
let exitHooked = false;

function serialized(key: string, value: unknown, documents: ManifestDocument[]): Buffer | undefined {
  const trees = documents.map((d) => ({ doc: d.doc, lines: d.lines }));
  type Unparsed = { doc?: unknown; lines?: unknown };
  // Taken off for the write (set to undefined, not deleted: the objects keep their shape), put back
  // after. What else points at a document (a resource, the Stack) points at the same object, so it
  // is written once.
  for (const d of documents as Unparsed[]) {
    d.doc = undefined;
    d.lines = undefined;
  }
  try {
    return v8.serialize({ format: FORMAT, key, value } satisfies Stored);
  } catch {
    // A value V8 cannot write (a parsed tree somewhere else than in `documents`): no file.
    return undefined;
  } finally {
    documents.forEach((d, i) => {
      Object.assign(d, trees[i]);
    });
  }
}

function writePending(): void {
  // A file that cannot be written costs the next command its check, nothing else.
  for (const [path, data] of pending) writeCacheFile(path, data);
  const written = [...pending.keys()];
  pending.clear();
  if (written.length > 0) sweep(dirname(written[0]));
}

/** The oldest files go beyond MAX_FILES or MAX_BYTES, and any not used for a week. */
function sweep(dir: string): void {
  let listed: string[];
  try {
    listed = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  const files = listed
    .filter((n) => n.endsWith(SUFFIX))
    .map((n) => ({ path: join(dir, n), st: lstatSync(join(dir, n), { throwIfNoEntry: false }) }))
    .filter((f): f is { path: string; st: Stats } => f.st?.isFile() === true) // what else is there is not ours to remove
    .sort((a, b) => b.st.mtimeMs - a.st.mtimeMs);
  let bytes = 0;
  files.forEach((f, i) => {
    bytes += f.st.size;
    if (i < MAX_FILES && bytes <= MAX_BYTES && now - f.st.mtimeMs <= STALE_MS) return;
    try {
      rmSync(f.path, { force: true });
    } catch {
      // another command removed it, or it cannot be: the next sweep tries again
    }
  });
  removeLeftoverTemps(dir, listed, now);
}

/**
 * Gives each document its YAML tree and line counter back, parsed from its file's text when first
 * asked for: a plan of unchanged, valid manifests asks for none.
 */
function reparseOnDemand(documents: ManifestDocument[], textOf: (file: string) => string | undefined): void {
  const byFile = new Map<string, ManifestDocument[]>();
  const parsedFile = (file: string): ManifestDocument[] => {
    let docs = byFile.get(file);
    if (!docs) {
      docs = parseFile(file, textOf(file) ?? '').documents;
      byFile.set(file, docs);
    }
    return docs;
  };
  for (const d of documents) {
    const parse = (): ManifestDocument => {
      const again = parsedFile(d.file).find((p) => p.index === d.index);
      // The key holds the file's text, so the same parse finds the same documents.
      if (!again) throw new Error(`musectl: internal error: document ${d.index + 1} of ${d.file} is not in the text its check was kept for`);
      for (const prop of ['doc', 'lines'] as const)
        Object.defineProperty(d, prop, { value: again[prop], writable: true, enumerable: true, configurable: true });
      return again;
    };
    Object.defineProperty(d, 'doc', { get: () => parse().doc, enumerable: true, configurable: true });
    Object.defineProperty(d, 'lines', { get: () => parse().lines, enumerable: true, configurable: true });
  }
}
