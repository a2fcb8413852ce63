// The stack's dependency graph, as Mermaid (GitHub renders it in READMEs and pull-request comments)
// or Graphviz dot. An arrow goes from a resource to each resource that waits for it, so the picture
// reads in the order apply runs. Output is sorted, so the same stack always gives the same text and
// a diff of it in review shows only what changed.

import { dependenciesOf } from '../engine/graph.js';
import { actionKey, type Plan } from '../engine/plan.js';
import type { Resource } from '../manifest/index.js';

export type GraphFormat = 'mermaid' | 'dot';
export type GraphMark = 'create' | 'update' | 'delete';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

export interface GraphOptions {
  /** "Kind/name" of resources a plan changes, drawn in that action's colour. */
  mark?: Map<string, GraphMark>;
}

interface GraphNode {
  key: string;
  kind: string;
  name: string;
  mark?: GraphMark;
}

/** GitHub's palette (light fills, dark text) so marked nodes stay legible in dark mode too. */
const STYLE: Record<GraphMark, { fill: string; stroke: string; text: string }> = {
  create: { fill: '#dafbe1', stroke: '#1a7f37', text: '#0f3d1f' },
  update: { fill: '#fff8c5', stroke: '#9a6700', text: '#3d2a00' },
  delete: { fill: '#ffebe9', stroke: '#cf222e', text: '#5c0f14' },
};

export function renderGraph(resources: Resource[], format: GraphFormat, opts: GraphOptions = {}): string {
  const { nodes, edges } = model(resources, opts.mark ?? new Map());
  return format === 'dot' ? dot(nodes, edges) : mermaid(nodes, edges);
}

/**
 * The marks for a plan's changed resources (what `plan -o markdown` colours): an adoption or a
 * replacement changes a resource that stays, so it is drawn as an update; an abandoned resource
 * leaves the stack but not Google Cloud, so it is not drawn.
 */
const MARK_OF: Record<string, GraphMark | undefined> = { create: 'create', update: 'update', adopt: 'update', replace: 'update', delete: 'delete' };

export function planMarks(plan: Plan): Map<string, GraphMark> {
  const marks = new Map<string, GraphMark>();
  for (const a of plan.actions) {
    const m = MARK_OF[a.action];
    if (m) marks.set(actionKey(a), m);
  }
  return marks;
}

// Plain code-unit order, not localeCompare: the output must not depend on the machine's locale.
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function model(resources: Resource[], mark: Map<string, GraphMark>): { nodes: GraphNode[]; edges: Array<[string, string]> } {
  const nodes = new Map<string, GraphNode>();
  for (const r of resources) nodes.set(r.key, { key: r.key, kind: r.kind, name: r.name, mark: mark.get(r.key) });
  // A resource the plan deletes is no longer in the manifests; it still belongs in the picture.
  for (const [key, m] of mark) {
    if (nodes.has(key)) continue;
    const slash = key.indexOf('/');
    nodes.set(key, { key, kind: key.slice(0, slash), name: key.slice(slash + 1), mark: m });
  }
  const edges: Array<[string, string]> = [];
  for (const r of resources) for (const dep of dependenciesOf(r)) if (nodes.has(dep)) edges.push([dep, r.key]);
  edges.sort((a, b) => byText(a[0], b[0]) || byText(a[1], b[1]));
  return { nodes: [...nodes.values()].sort((a, b) => byText(a.key, b.key)), edges };
}

/**
 * Mermaid ids may hold only letters, digits and _. Resource names hold '-', '.' and more, so ids
 * are the key with everything else as '_', made unique with a suffix when two keys collapse into
 * one. Every id starts with the kind's capital letter, which keeps clear of Mermaid's keywords
 * (a node called "end" breaks a flowchart) and of its "o"/"x" edge endings.
 */
function mermaidIds(nodes: GraphNode[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const n of nodes) {
    const base = n.key.replace(/[^A-Za-z0-9_]/g, '_');
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(n.key, id);
  }
  return ids;
}

/** Mermaid label text: its entity codes for what would end the quoted label or read as HTML. */
const mermaidText = (s: string): string => s.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

function mermaid(nodes: GraphNode[], edges: Array<[string, string]>): string {
  const ids = mermaidIds(nodes);
  const lines = ['flowchart LR'];
  for (const n of nodes) lines.push(`  ${ids.get(n.key)}["${mermaidText(n.kind)}<br/>${mermaidText(n.name)}"]`);
  for (const [from, to] of edges) lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
  for (const m of ['create', 'update', 'delete'] as const) {
    const marked = nodes.filter((n) => n.mark === m).map((n) => ids.get(n.key));
    if (marked.length === 0) continue;
    const s = STYLE[m];
    const dash = m === 'delete' ? ',stroke-dasharray:5 3' : '';
    lines.push(`  classDef ${m} fill:${s.fill},stroke:${s.stroke},color:${s.text},stroke-width:2px${dash}`);
    lines.push(`  class ${marked.join(',')} ${m}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A dot double-quoted string ("\n" in labels is dot's own line break, added after escaping). */
const dotString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function dot(nodes: GraphNode[], edges: Array<[string, string]>): string {
  const lines = ['digraph musectl {', '  rankdir=LR;', '  node [shape=box, style=rounded, fontname="Helvetica"];'];
  for (const n of nodes) {
    const label = `${dotString(n.kind).slice(0, -1)}\\n${dotString(n.name).slice(1)}`;
    let attrs = `label=${label}`;
    if (n.mark) {
      const s = STYLE[n.mark];
      const style = n.mark === 'delete' ? 'rounded,filled,dashed' : 'rounded,filled';
      attrs += `, style="${style}", fillcolor="${s.fill}", color="${s.stroke}", fontcolor="${s.text}"`;
    }
    lines.push(`  ${dotString(n.key)} [${attrs}];`);
  }
  for (const [from, to] of edges) lines.push(`  ${dotString(from)} -> ${dotString(to)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
