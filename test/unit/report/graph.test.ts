// The dependency graph: golden files for Mermaid and dot (with every kind of mark), and what makes
// them safe to embed: sorted output, ids valid for each format whatever a name holds.
import { describe, expect, it } from 'vitest';
import { type GraphMark, planMarks, renderGraph } from '../../../src/report/graph.js';
import { action, expectGolden, plan, resource, STACK } from './fixtures.js';

const MARKS = new Map<string, GraphMark>([
  ['ServiceAccount/sa-backend', 'create'],
  ['CloudRunService/sessionmuse-backend', 'update'],
  ['ServiceAccount/sa-old', 'delete'], // deleted: no longer in the manifests, drawn anyway
]);

describe('renderGraph', () => {
  it('matches the golden Mermaid graph (implicit ProjectService edges, marks)', () => {
    expectGolden('graph-stack.mmd', renderGraph(STACK(), 'mermaid', { mark: MARKS }));
  });

  it('matches the golden dot graph', () => {
    expectGolden('graph-stack.dot', renderGraph(STACK(), 'dot', { mark: MARKS }));
  });

  it('draws an unmarked stack without class definitions', () => {
    expectGolden('graph-plain.mmd', renderGraph(STACK(), 'mermaid'));
  });

  it('points from what is needed to what needs it: sa-backend -> backend', () => {
    expect(renderGraph(STACK(), 'mermaid')).toContain('  ServiceAccount_sa_backend --> CloudRunService_sessionmuse_backend\n');
    expect(renderGraph(STACK(), 'dot')).toContain('  "ServiceAccount/sa-backend" -> "CloudRunService/sessionmuse-backend";\n');
    expect(renderGraph(STACK(), 'dot')).toContain('  "ProjectService/run.googleapis.com" -> "CloudRunService/sessionmuse-backend";\n');
  });

  it('is the same whatever order the manifests come in', () => {
    const shuffled = STACK().reverse();
    expect(renderGraph(shuffled, 'mermaid', { mark: MARKS })).toBe(renderGraph(STACK(), 'mermaid', { mark: MARKS }));
    expect(renderGraph(shuffled, 'dot')).toBe(renderGraph(STACK(), 'dot'));
  });

  it('keeps ids unique and valid when names differ only in punctuation, and escapes labels', () => {
    const rs = [resource('Bucket', 'a-b'), resource('Bucket', 'a.b', [['Bucket', 'a-b']]), resource('Bucket', 'a_b'), resource('Secret', 'q"<x>#1')];
    const mmd = renderGraph(rs, 'mermaid');
    const ids = [...mmd.matchAll(/^ {2}(\w+)\[/gm)].map((m) => m[1]);
    expect(ids).toEqual(['Bucket_a_b', 'Bucket_a_b_2', 'Bucket_a_b_3', 'Secret_q__x__1']);
    expect(mmd).toContain('Bucket_a_b --> Bucket_a_b_2');
    expect(mmd).toContain('["Secret<br/>q#quot;#lt;x#gt;#35;1"]');
    const dot = renderGraph([resource('Secret', 'q"\\x')], 'dot');
    expect(dot).toContain('"Secret/q\\"\\\\x" [label="Secret\\nq\\"\\\\x"];');
  });

  it('marks what a plan changes: adopt and replace as updates, abandon not at all', () => {
    const p = plan([
      action({ action: 'create', kind: 'A', name: 'a' }),
      action({ action: 'replace', kind: 'B', name: 'b' }),
      action({ action: 'adopt', kind: 'C', name: 'c' }),
      action({ action: 'delete', kind: 'D', name: 'd' }),
      action({ action: 'abandon', kind: 'E', name: 'e' }),
      action({ action: 'noop', kind: 'F', name: 'f' }),
    ]);
    expect([...planMarks(p)]).toEqual([
      ['A/a', 'create'],
      ['B/b', 'update'],
      ['C/c', 'update'],
      ['D/d', 'delete'],
    ]);
  });
});
