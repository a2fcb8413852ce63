// The pull-request report: golden files for every scenario (a change of output must be a

// deliberate one), and the properties that matter at scale: unchanged resources on one line,
// GitHub's size limit, and a secret that never shows.
import { describe, expect, it } from 'vitest';
import { iamPolicyMemberController } from '../../../controllers/iam-policy-member.js';
import { sensitive } from '../../../src/contract/spec.js';
import type { PlanAction } from '../../../src/engine/plan.js';
import { planMarks, renderGraph } from '../../../src/report/graph.js';
import { planHash, renderPlanJson } from '../../../src/report/json.js';
import { renderPlanMarkdown } from '../../../src/report/markdown.js';
import { action, CANARY, expectGolden, LINT, PLANS, plan, STACK } from './fixtures.js';

const GITHUB_LIMIT = 65_536;
const KINDS = ['Bucket', 'CloudRunService', 'Secret', 'ServiceAccount'];

/** A plan of n resources: the first `changed` created with `fields` fields each, the rest unchanged. */
function bigPlan(n: number, changed: number, fields: number) {
  const actions: PlanAction[] = [];
  for (let i = 0; i < n; i++) {
    const kind = KINDS[i % KINDS.length];
    const changes = Array.from({ length: fields }, (_, f) => ({ path: `spec.field${f}`, before: undefined, after: `value-${i}-${f}-${'x'.repeat(40)}` }));
    actions.push(action({ action: i < changed ? 'create' : 'noop', kind, name: `res-${String(i).padStart(4, '0')}`, changes: i < changed ? changes : [] }));
  }
  return plan(actions);
}

/** Cells of a Markdown table row: split on pipes that are not escaped. */
const cells = (line: string): number => line.split(/(?<!\\)\|/).length - 2;

describe('renderPlanMarkdown', () => {
  for (const [name, build] of Object.entries(PLANS)) {
    it(`matches the golden report: ${name}`, () => {
      const p = build();
      const graph = name === 'mixed' ? renderGraph(STACK(), 'mermaid', { mark: planMarks(p) }) : undefined;
      expectGolden(`markdown-${name}.md`, renderPlanMarkdown(p, { warnings: name === 'mixed' ? LINT : [], graph }));
    });
  }

  it('puts security-relevant changes first: grants added and removed, ingress, invoker check, public access', () => {
    const md = renderPlanMarkdown(PLANS.iam(), { warnings: [] });
    expect(md.indexOf('Security-relevant changes')).toBeLessThan(md.indexOf('| Kind | Name | Action |'));
    expect(md).toContain(
      '| **+** added | `roles/run.invoker` | `allUsers` **(public)** | CloudRunService `projects/my-project/locations/asia-northeast1/services/sessionmuse-frontend` |',
    );
    expect(md).toContain(
      '| **-** removed | `roles/storage.objectAdmin` | `serviceAccount:sa-old@my-project.iam.gserviceaccount.com` | Bucket `sessionmuse-tracks` |',
    );
    expect(md).toContain('| **-** removed | `roles/viewer` | `user:ana@example.com` | Project `projects/my-project` |');
    const ingress = renderPlanMarkdown(PLANS.ingress(), { warnings: [] });
    const security = ingress.slice(ingress.indexOf('Security-relevant'), ingress.indexOf('| Kind | Name | Action |'));
    for (const path of ['ingress', 'invokerIamDisabled', 'iamConfiguration.publicAccessPrevention', 'iamConfiguration.uniformBucketLevelAccess.enabled']) {
      expect(security).toContain(`\`${path}\``);
    }
    expect(security).not.toContain('template.timeout'); // not about access: only in the details
  });

  it('has no security section when nothing security-relevant changes', () => {
    expect(renderPlanMarkdown(PLANS.update(), { warnings: [] })).not.toContain('Security-relevant');
  });

  it('never shows a secret value, only that it changed', () => {
    const p = PLANS.sensitive();
    p.actions.push(
      action({
        action: 'create',
        kind: 'CloudRunService',
        name: 'svc',
        changes: [{ path: 'template', before: undefined, after: { env: [{ value: sensitive(Buffer.from(CANARY)) }] } }],
      }),
    );
    const md = renderPlanMarkdown(p, { warnings: [] });
    expect(md).not.toContain(CANARY);
    expect(md).not.toContain(Buffer.from(CANARY).toString('base64'));
    expect(md).toContain('| `value` | *(sensitive value)* | *(sensitive value changed)* |');
    expect(renderPlanJson(p)).not.toContain(CANARY); // and so neither does the hash's input
  });

  it('keeps table rows whole whatever the values hold (pipes, backticks, HTML)', () => {
    const md = renderPlanMarkdown(PLANS.escaping(), { warnings: [] });
    for (const block of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const lines = block.split('\n');
      for (const line of lines) expect(cells(line), line).toBe(cells(lines[0]));
    }
    expect(md).not.toContain('<html>'); // text is escaped; in code spans (`<b>`) HTML is inert anyway
  });

  it('groups 200 unchanged-or-not resources into a readable report: one line for every no-op', () => {
    const md = renderPlanMarkdown(bigPlan(200, 3, 2), { warnings: [] });
    expect(md).toContain('\n197 unchanged: Bucket ×49, CloudRunService ×49, Secret ×49, ServiceAccount ×50\n');
    expect(md).not.toContain('res-0100'); // no-ops are not listed one by one
    expect(md.split('\n').length).toBeLessThan(60);
    expect(md).toContain('**3 to create, 0 to update, 0 to delete, 197 unchanged**');
  });

  it("truncates a huge plan under GitHub's limit: details go, from the end; summary and security stay", () => {
    const p = bigPlan(400, 300, 12);
    p.actions.unshift(
      action({
        action: 'create',
        kind: 'IAMPolicyMember',
        name: 'public',
        id: 'Bucket|b|roles/storage.objectViewer|allUsers',
        grant: iamPolicyMemberController.grantOf('Bucket|b|roles/storage.objectViewer|allUsers'),
        changes: [],
      }),
    );
    const md = renderPlanMarkdown(p, { warnings: LINT, graph: 'flowchart LR\n  a --> b\n' });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md).toContain('Security-relevant changes');
    expect(md).toContain('`allUsers` **(public)**');
    expect(md).toContain('| ServiceAccount | `res-0299` | `+` create |'); // the summary table is whole
    expect(md).toContain('100 unchanged: ');
    const shown = (md.match(/<details><summary><code>/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(md).toMatch(new RegExp(`the details of ${301 - shown} resources were left out\\. Run \`musectl plan -o json\` for the whole plan\\.`));
    expect(md).toContain('<code>+ IAMPolicyMember/public</code>'); // the first ones are kept
    expect(md).not.toContain('IAMPolicyMember/res-0299</code>');
    expect(md).toContain('### Lint warnings (1)');
    expect(md).toContain('```mermaid');
    expect(md.trimEnd().endsWith('-->')).toBe(true); // the footer survives
  });

  it('cuts even the summary of an enormous plan at a line, with the note, under maxChars', () => {
    const md = renderPlanMarkdown(bigPlan(5000, 5000, 1), { warnings: [] });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md.length).toBeLessThan(GITHUB_LIMIT);
    expect(md).toContain('the rest of this summary and the details of 5000 resources were left out');
    expect(md).toMatch(/\| `\+` create \|\n\n> \[!NOTE\]/); // the table ends on a whole row
    const small = renderPlanMarkdown(bigPlan(50, 50, 3), { warnings: [], maxChars: 3_000 });
    expect(small.length).toBeLessThanOrEqual(3_000);
  });

  it('signs the report with the hash of the canonical JSON plan: same plan, same hash', () => {
    const a = PLANS.mixed();
    const b = PLANS.mixed();
    expect(planHash(a)).toBe(planHash(b));
    expect(planHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash({ ...b, actions: b.actions.slice(1) })).not.toBe(planHash(a));
    expect(renderPlanMarkdown(a, { warnings: [] })).toContain(`<code>${planHash(a).slice(0, 12)}</code>`);
  });
});
