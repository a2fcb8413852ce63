// A bound on how deep a manifest nests. The YAML composer and everything after it (schema
// validation, cloning, diffing) recurse once per level, so a 5,000-deep document would end in
// "Maximum call stack size exceeded". The deepest real manifest (a Cloud Run env var's outputRef)
// is about ten levels deep; a hundred is far past any real one and far below the stack's limit.

export const MAX_NESTING = 100;

interface CstNode {
  offset?: number;
  value?: CstNode;
  items?: Array<{ key?: CstNode | null; value?: CstNode | null }>;
}

/** Offset of the first node of a YAML syntax tree (CST) nested deeper than MAX_NESTING, walked without recursion. */
export function tooDeepToken(root: unknown): number | undefined {
  const stack: Array<[CstNode, number]> = [[root as CstNode, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_NESTING) return node.offset ?? 0;
    if (node.value && typeof node.value === 'object') stack.push([node.value, depth]);
    for (const item of node.items ?? []) {
      if (item.key && typeof item.key === 'object') stack.push([item.key, depth + 1]);
      if (item.value && typeof item.value === 'object') stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

/** Whether plain data (after aliases are expanded) nests deeper than `max`, walked without recursion. */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
