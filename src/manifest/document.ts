// A parsed YAML document and how to point at any of its nodes: every later error says file:line:col.
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourcePosition } from './diagnostics.js';

export type Path = Array<string | number>;

export interface ManifestDocument {
  /** File path as the user wrote it (relative paths stay relative). */
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data, after stack variables were substituted. */
  value: unknown;
  /**
   * It uses YAML aliases: the yaml library gives an alias the anchor's own object, so parts of its
   * value may be one object, which a copy must keep one (set-cache.ts): written out, an anchor used
   * a thousand times would be copied a thousand times.
   */
  aliased?: boolean;
  /**
   * Where a path of the value is written when not in this file: the paths an environment's
   * override patched point at the environment file's node, so errors about them say where it is.
   */
  overlay?: (path: Path) => SourcePosition | undefined;
}

/** Position of the node at `path` (or of the deepest existing ancestor); `key` points at a map key. */
export function locate(d: ManifestDocument, path: Path, opts: { key?: boolean } = {}): SourcePosition {
  const elsewhere = d.overlay?.(path);
  if (elsewhere) return elsewhere;
  const { node, pair } = findNode(d.doc.contents as Node | null, path);
  const target = opts.key && pair ? (pair.key as Node) : node;
  const offset = target?.range?.[0] ?? docStart(d);
  const { line, col } = d.lines.linePos(offset);
  return { file: d.file, line, col };
}

export function positionAt(d: ManifestDocument, offset: number): SourcePosition {
  const { line, col } = d.lines.linePos(offset);
  return { file: d.file, line, col };
}

function docStart(d: ManifestDocument): number {
  return (d.doc.contents as Node | null)?.range?.[0] ?? d.doc.range?.[0] ?? 0;
}

/** Walks YAML nodes along a data path; stops at the deepest node that exists. */
export function findNode(root: Node | null, path: Path): { node: Node | null; pair?: Pair; complete: boolean } {
  let node: Node | null = root;
  let pair: Pair | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const found = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!found) return { node, pair, complete: false };
      pair = found as Pair;
      // A key with no value (`name:`) still has a position: point at the key.
      node = (found.value as Node | null) ?? (found.key as Node);
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg] as Node;
      pair = undefined;
    } else {
      return { node, pair, complete: false };
    }
  }
  return { node, pair, complete: true };
}
