// Reading manifests: files and whole directories (recursive, sorted, symbolic links followed with
// loop detection), multi-document YAML, with a line counter per file so every error can say
// file:line:col. What cannot be read is an error at the path, never skipped in silence: a prune
// after a manifest silently went missing would delete what it described.
import { type Dirent, lstatSync, readdirSync, readlinkSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { Composer, type Document, isScalar, LineCounter, Parser, visit } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import type { ManifestDocument } from './document.js';
import { deeperThan, MAX_NESTING, tooDeepToken } from './nesting.js';
import { quote } from './quote.js';
import { errnoWords, fileKind, readRegularFile } from './read-file.js';
import { decodeManifestText } from './text.js';

const MANIFEST_FILE = /\.ya?ml$/i;

/** A manifest file is read whole; a bigger one is refused before it can exhaust memory. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** The longest string value read (twice Cloud Run's 32768-byte env value, the longest field). */
export const MAX_VALUE_CHARS = 65_536;

const fileError = (file: string, message: string): Diagnostic => ({ file, line: 1, col: 1, severity: 'error', subject: '', message });

/** Every manifest file under the given paths, directories expanded recursively in sorted order. */
export function discoverFiles(paths: string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>(); // real paths: a file reached twice (two links) is read once
  const add = (path: string): void => {
    const real = realOrSelf(path);
    if (seen.has(real)) return;
    seen.add(real);
    files.push(path);
  };

  /** A directory's entries; `ancestors` are the real paths of the directories being read (for loops). */
  const walk = (dir: string, ancestors: Set<string>): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      diagnostics.push(fileError(dir, `the directory cannot be read: ${errnoWords((err as NodeJS.ErrnoException).code)}`));
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      let st: Stats = e as unknown as Stats;
      if (e.isSymbolicLink()) {
        try {
          st = statSync(full);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          const why = code === 'ELOOP' ? 'it is part of a loop of links' : `its target ${quote(safeReadlink(full))} cannot be reached (${errnoWords(code)})`;
          diagnostics.push(fileError(full, `symbolic link that cannot be followed: ${why}; remove the link or fix its target`));
          continue;
        }
      }
      if (st.isDirectory()) {
        const real = realOrSelf(full);
        if (ancestors.has(real)) {
          diagnostics.push(fileError(full, `symbolic link loop: it leads back to ${quote(real)}, a directory being read; remove the link`));
          continue;
        }
        walk(full, new Set([...ancestors, real]));
      } else if (MANIFEST_FILE.test(e.name)) {
        if (st.isFile()) add(full);
        else diagnostics.push(fileError(full, `is ${fileKind(st)}, not a regular file; only regular files are read`));
      }
    }
  };

  for (const p of paths) {
    let stat: Stats;
    try {
      stat = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const dangling = code === 'ENOENT' && isSymlink(p);
      diagnostics.push(fileError(p, dangling ? `a symbolic link to ${quote(safeReadlink(p))}, which does not exist` : errnoWords(code)));
      continue;
    }
    if (stat.isDirectory()) walk(p, new Set([realOrSelf(p)]));
    else if (stat.isFile())
      add(p); // named explicitly: taken whatever its extension
    else diagnostics.push(fileError(p, `is ${fileKind(stat)}, not a regular file; only regular files are read`));
  }
  return { files, diagnostics };
}

function realOrSelf(p: string): string {
  try {
    return realpathSync.native(p); // one call, not an lstat a component
  } catch {
    return p;
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function safeReadlink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '?';
  }
}

/** Reads a manifest file: regular, bounded, UTF-8 and printable; problems are located diagnostics. */
export function readManifestText(file: string): { text?: string; diagnostics: Diagnostic[] } {
  const read = readRegularFile(file, MAX_MANIFEST_BYTES);
  if ('problem' in read) return { diagnostics: [fileError(file, read.problem)] };
  const decoded = decodeManifestText(read.data);
  if ('problem' in decoded) {
    const { line, col, message } = decoded.problem;
    return { diagnostics: [{ file, line, col, severity: 'error', subject: '', message }] };
  }
  return { text: decoded.text, diagnostics: [] };
}

/** Parses one file into its documents; YAML syntax errors become diagnostics. Empty documents are skipped. */
export function parseFile(file: string, given?: string): { documents: ManifestDocument[]; diagnostics: Diagnostic[] } {
  const documents: ManifestDocument[] = [];
  let text = given;
  if (text === undefined) {
    const read = readManifestText(file);
    if (read.text === undefined) return { documents, diagnostics: read.diagnostics };
    text = read.text;
  }
  const lines = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number, message: string): Diagnostic => ({ file, ...lines.linePos(offset), severity: 'error', subject: '', message });
  // parseAllDocuments, with a look at each document's syntax tree between the parser (which is not
  // recursive) and the composer (which is, and overflows the stack on a very deep document).
  const parser = new Parser(lines.addNewLine);
  // logLevel 'error': the yaml library would print its warnings (a map key that is itself a map)
  // as Node process warnings on stderr, unlocated; what they are about is reported as diagnostics.
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const docs: Document.Parsed[] = [];
  for (const token of parser.parse(text)) {
    const deep = tooDeepToken(token);
    if (deep !== undefined) {
      diagnostics.push(at(deep, `YAML nests deeper than ${MAX_NESTING} levels here; a manifest needs far fewer, so musectl reads no deeper`));
      return { documents, diagnostics };
    }
    docs.push(...(composer.next(token) as Iterable<Document.Parsed>));
  }
  docs.push(...(composer.end() as Iterable<Document.Parsed>));

  docs.forEach((doc, index) => {
    for (const err of doc.errors) diagnostics.push(at(err.pos[0], `YAML: ${firstLine(err.message)}`));
    if (doc.errors.length > 0) return;
    if (doc.contents === null) return; // `---` with nothing after it
    // "\0" in a double-quoted scalar is a NUL in the value: no Google API takes one in a name or
    // value. And no field musectl manages takes more than 32768 bytes (a Cloud Run env value), so a
    // longer value is refused here, before patterns run over megabytes.
    let bad: Diagnostic | undefined;
    let aliased = false;
    visit(doc, {
      Alias() {
        aliased = true;
      },
      Scalar(_key, node) {
        if (!isScalar(node) || typeof node.value !== 'string') return undefined;
        const offset = node.range?.[0] ?? 0;
        if (node.value.includes('\u0000')) bad = at(offset, 'a NUL character (U+0000) in a value; remove the "\\0" escape');
        else if (node.value.length > MAX_VALUE_CHARS)
          bad = at(offset, `a value of ${node.value.length} characters; no field takes more than ${MAX_VALUE_CHARS}, so musectl reads no further`);
        return bad ? visit.BREAK : undefined;
      },
    });
    if (bad) {
      diagnostics.push(bad);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // e.g. an alias bomb, an alias to an anchor that does not exist, or aliases nested too deep
      const raw = firstLine((err as Error).message);
      const message =
        err instanceof RangeError
          ? `aliases expand deeper than ${MAX_NESTING} levels`
          : /Excessive alias count/.test(raw)
            ? 'aliases expand into too many nodes (more than 1000 alias uses); write the values out instead'
            : raw;
      diagnostics.push(at(doc.range[0], `YAML: ${message}`));
      return;
    }
    if (value === null || value === undefined) return; // only comments
    if (deeperThan(value, MAX_NESTING)) {
      diagnostics.push(at(doc.range[0], `YAML: aliases expand deeper than ${MAX_NESTING} levels; a manifest needs far fewer`));
      return;
    }
    documents.push({ file, index, doc, lines, value, ...(aliased ? { aliased } : {}) });
  });
  return { documents, diagnostics };
}

const firstLine = (s: string): string => s.split('\n')[0];
