// Reading manifests: files and whole directories (recursive, sorted), multi-document YAML, with a
// line counter per file so every error can say file:line:col.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import type { ManifestDocument } from './document.js';

const MANIFEST_FILE = /\.ya?ml$/i;

/** Every manifest file under the given paths, directories expanded recursively in sorted order. */
export function discoverFiles(paths: string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(p);
    } catch {
      diagnostics.push({ file: p, line: 1, col: 1, severity: 'error', subject: '', message: 'no such file or directory' });
      continue;
    }
    if (stat.isDirectory()) files.push(...walk(p));
    else files.push(p); // named explicitly: taken whatever its extension
  }
  return { files: [...new Set(files)], diagnostics };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (e.isFile() && MANIFEST_FILE.test(e.name)) out.push(full);
  }
  return out;
}

/** Parses one file into its documents; YAML syntax errors become diagnostics. Empty documents are skipped. */
export function parseFile(file: string, text = readFileSync(file, 'utf8')): { documents: ManifestDocument[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  // logLevel 'error': the yaml library would print its warnings (a map key that is itself a map)
  // as Node process warnings on stderr, unlocated; what they are about is reported as diagnostics.
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const documents: ManifestDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!Array.isArray(docs)) {
    // An empty stream, possibly with only comments.
    return { documents, diagnostics };
  }
  docs.forEach((doc, index) => {
    for (const err of doc.errors) {
      const { line, col } = lines.linePos(err.pos[0]);
      diagnostics.push({ file, line, col, severity: 'error', subject: '', message: `YAML: ${firstLine(err.message)}` });
    }
    if (doc.errors.length > 0) return;
    if (doc.contents === null) return; // `---` with nothing after it
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // e.g. an alias bomb, or an alias to an anchor that does not exist
      const { line, col } = lines.linePos(doc.range[0]);
      diagnostics.push({ file, line, col, severity: 'error', subject: '', message: `YAML: ${firstLine((err as Error).message)}` });
      return;
    }
    if (value === null || value === undefined) return; // only comments
    documents.push({ file, index, doc, lines, value });
  });
  return { documents, diagnostics };
}

const firstLine = (s: string): string => s.split('\n')[0];
