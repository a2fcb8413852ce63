// The plan as a GitHub pull-request comment. A reviewer sees first what can open access (grants,
// ingress, invoker checks, public buckets; cdk diff does the same for IAM), then one table of what
// changes, then per-resource details that stay collapsed. Like the text and JSON renderers it reads
// only the Plan. GitHub refuses comments over 65,536 characters, so when the report is too long
// details go first, from the end; the summary and the security section always stay.
import { SENSITIVE_TEXT } from '../contract/spec.js';
import type { FieldChange } from '../engine/diff.js';
import type { GrantInfo, Plan, PlanAction } from '../engine/plan.js';
import { actionKey } from '../engine/plan.js';
import type { Diagnostic } from '../manifest/index.js';
import { planHash } from './json.js';
import { isSensitiveChange, KNOWN_AFTER_APPLY, SENSITIVE_CHANGED, showValue } from './values.js';

export interface MarkdownOptions {
  /** Lint warnings from validation (the design, not the diff). */
  warnings: Diagnostic[];
  /** A Mermaid graph (renderGraph) to embed. */
  graph?: string;
  /** Default 65,000: under GitHub's 65,536, with room for what a CI step wraps around it. */
  maxChars?: number;
}

// Keyed by string, not ActionType: a renderer must not fail on an action type added later.
// The symbols and the order of the counts are the text renderer's, so both reports read alike.
const SYMBOL: Record<string, string> = { create: '+', update: '~', delete: '-', replace: '-/+', adopt: '>', abandon: '!', noop: ' ' };
const VERB: Record<string, string> = {
  create: 'to create',
  update: 'to update',
  delete: 'to delete',
  replace: 'to replace',
  adopt: 'to adopt',
  abandon: 'to abandon',
};
/** Actions that remove a resource (from Google, or from the stack): their details show what was. */
const REMOVING = new Set(['delete', 'abandon']);
const PUBLIC_MEMBER = /\ball(Authenticated)?Users\b/;
/** A table cell shows this much of a value; `plan -o json` has all of it. */
const MAX_VALUE_CHARS = 300;

export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions): string {
  const changed = plan.actions.filter((a) => a.action !== 'noop');
  const head = [title(plan), partialLine(plan), securitySection(changed, plan), attention(plan), changeTable(changed), unchangedLine(plan), pruneLine(plan)];
  const details = changed.map(detailsOf);
  const lint = lintSection(opts.warnings);
  const graph = opts.graph ? `<details><summary>Dependency graph</summary>\n\n\`\`\`mermaid\n${opts.graph.trimEnd()}\n\`\`\`\n\n</details>` : '';
  const hash = planHash(plan);
  const footer = `---\n<sub>musectl plan <code>${hash.slice(0, 12)}</code> (sha256 of <code>musectl plan -o json</code>)</sub>\n<!-- musectl-plan sha256:${hash} -->`;
  return fitWithin({ head: head.filter(Boolean), details, lint, graph, footer }, opts.maxChars ?? 65_000);
}

/** A partial plan (--target, --exclude, one file of a stack) says so first: the rest is not checked. */
function partialLine(plan: Plan): string {
  const p = plan.partial;
  if (!p) return '';
  const n = p.skipped.length;
  return `> [!WARNING]\n> **Partial plan** (${p.reason.replace(/[<>]/g, '')}): ${n} resource${n === 1 ? '' : 's'} of the stack left out and not checked; the stack is not fully in sync until a plan of all its manifests shows no changes.`;
}

function title(plan: Plan): string {
  const s: Record<string, number | undefined> = plan.summary;
  const where = `stack ${code(plan.stack, false)}, project ${code(plan.project, false)}`;
  const orphans = plan.wouldPrune?.length ?? 0;
  if (!plan.actions.some((a) => a.action !== 'noop')) {
    if (orphans === 0) return `### musectl plan: no changes\n\n**No changes** in ${where}: ${s.noop ?? 0} resources match the manifests.`;
    // Nothing to change, but something an apply with --prune would remove: not "no changes".
    return `### musectl plan: ${orphans} would be pruned\n\n**No changes to apply, ${orphans} no longer in the manifests** in ${where}: ${s.noop ?? 0} resources match the manifests.`;
  }
  // create, update and delete always (the familiar line); the rarer actions only when they occur.
  const counts = Object.entries(VERB).filter(([k]) => ['create', 'update', 'delete'].includes(k) || (s[k] ?? 0) > 0);
  return `### musectl plan\n\n**${[...counts.map(([k, v]) => `${s[k] ?? 0} ${v}`), `${s.noop ?? 0} unchanged`].join(', ')}** in ${where}.`;
}

interface Grant extends GrantInfo {
  op: 'added' | 'removed';
}

/** Grants added or removed: the plan carries who gets which role on what (PlanAction.grant). */
function grantsOf(a: PlanAction): Grant[] {
  if (!a.grant) return [];
  if (a.action === 'create') return [{ ...a.grant, op: 'added' }];
  if (a.action === 'delete') return [{ ...a.grant, op: 'removed' }];
  if (a.action === 'replace' && a.previousGrant)
    return [
      { ...a.grant, op: 'added' },
      { ...a.previousGrant, op: 'removed' },
    ];
  return [];
}

/** A change of a field that decides who can reach a resource, or one that names a public member. */
function isSecuritySetting(a: PlanAction, c: FieldChange): boolean {
  if (a.grant || REMOVING.has(a.action) || isSensitiveChange(c)) return false;
  return Boolean(c.security) || PUBLIC_MEMBER.test(showValue(c.before)) || PUBLIC_MEMBER.test(showValue(c.after));
}

/** What the plan deletes, replaces, abandons or would prune: a reviewer sees it before anything else. */
function removals(plan: Plan): string[][] {
  const acted = plan.actions
    // Grants show in the grant table, with role and member.
    .filter((a) => !a.grant && (a.action === 'delete' || a.action === 'replace' || a.action === 'abandon'))
    .map((a) => [
      `${code(SYMBOL[a.action] ?? '?')} ${text(a.action)}`,
      text(actionKey(a)),
      code(a.replaces ? `${a.replaces.id} -> ${a.id}` : a.id),
      a.blocked ? `:no_entry: refused: ${text(a.blocked)}` : text(a.impact ?? ''),
    ]);
  const pending = (plan.wouldPrune ?? []).map((o) => [
    'would prune',
    text(`${o.kind}/${o.name}`),
    code(o.id),
    text(`no longer in the manifests; ${o.deletionPolicy === 'delete' ? 'deleted' : 'abandoned'} by an apply with --prune`),
  ]);
  return [...acted, ...pending];
}

function securitySection(changed: PlanAction[], plan: Plan): string {
  const grants = changed.flatMap(grantsOf);
  const settings = changed.flatMap((a) => a.changes.filter((c) => isSecuritySetting(a, c)).map((c) => ({ a, c })));
  const removed = removals(plan);
  if (grants.length === 0 && settings.length === 0 && removed.length === 0) return '';
  const out = ['### :warning: Security-relevant changes'];
  if (removed.length > 0) out.push(['| Removed or replaced | Resource | Google name | Impact |', '|---|---|---|---|', ...removed.map(row)].join('\n'));
  if (grants.length > 0) {
    const rows = grants.map((g) => {
      const pub = PUBLIC_MEMBER.test(g.member) ? ' **(public)**' : '';
      return row([
        g.op === 'added' ? '**+** added' : '**-** removed',
        code(g.role),
        `${code(g.member)}${pub}`,
        `${text(g.resourceKind)} ${code(g.resource)}`.trim(),
      ]);
    });
    out.push(['| IAM grant | Role | Member | On |', '|---|---|---|---|', ...rows].join('\n'));
  }
  if (settings.length > 0) {
    const rows = settings.map(({ a, c }) => row([`${text(actionKey(a))} (${a.action})`, code(c.path), cell(c.before), cell(c.after)]));
    out.push(['| Resource | Setting | Before | After |', '|---|---|---|---|', ...rows].join('\n'));
  }
  return out.join('\n\n');
}

/**
 * What apply refuses, what a replacement or deletion loses, and the warnings of every action,
 * unchanged ones included (a secret whose value source is missing). Never truncated.
 */
function attention(plan: Plan): string {
  const lines = plan.actions.flatMap((a) => {
    const who = text(actionKey(a));
    return [
      ...(a.blocked ? [`- :no_entry: **apply refuses** ${who}: ${text(a.blocked)}`] : []),
      ...(a.heldBack ? [`- :no_entry: **held back** ${who} (apply leaves it, and what depends on it, alone): ${text(a.heldBack)}`] : []),
      ...(a.impact ? [`- ${who}: ${text(a.impact)}`] : []),
      ...a.warnings.map((w) => `- ${who}: ${text(w)}`),
    ];
  });
  return lines.length > 0 ? `### Warnings\n\n${lines.join('\n')}` : '';
}

function changeTable(changed: PlanAction[]): string {
  if (changed.length === 0) return '';
  const rows = changed.map((a) => row([text(a.kind), code(a.name), `${code(SYMBOL[a.action] ?? '?')} ${text(a.action)}`]));
  return ['| Kind | Name | Action |', '|---|---|---|', ...rows].join('\n');
}

/** One line for every unchanged resource, whatever their number: a plan of 200 stays readable. */
function unchangedLine(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const a of plan.actions) if (a.action === 'noop') counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  if (counts.size === 0) return '';
  const kinds = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => `${text(k)} ×${n}`);
  return `${plan.summary.noop} unchanged: ${kinds.join(', ')}`;
}

/** Resources left behind (a plan without --prune): one line, named, so a reviewer knows they exist. */
function pruneLine(plan: Plan): string {
  const orphans = plan.wouldPrune ?? [];
  if (orphans.length === 0) return '';
  const names = orphans.slice(0, 20).map((o) => `${code(`${o.kind}/${o.name}`, false)}${o.deletionPolicy ? ` (${text(o.deletionPolicy)})` : ''}`);
  const more = orphans.length > 20 ? ` and ${orphans.length - 20} more` : '';
  const one = orphans.length === 1;
  return `${orphans.length} resource${one ? '' : 's'} the stack created ${one ? 'is' : 'are'} no longer in the manifests; run with \`--prune\` to delete or abandon ${one ? 'it' : 'them'} (per deletion policy): ${names.join(', ')}${more}`;
}

function detailsOf(a: PlanAction): string {
  const n = a.changes.length;
  const summary = `<code>${html(`${SYMBOL[a.action] ?? '?'} ${actionKey(a)}`)}</code>: ${html(a.action)}${n > 0 ? `, ${n} field${n === 1 ? '' : 's'}` : ''}`;
  const parts = [`<details><summary>${summary}</summary>`, code(a.id, false)];
  if (a.action === 'create')
    parts.push(
      table(
        ['Field', 'Value'],
        a.changes.map((c) => [code(c.path), cell(c.after)]),
      ),
    );
  else if (REMOVING.has(a.action))
    parts.push(
      table(
        ['Field', 'Before'],
        a.changes.map((c) => [code(c.path), cell(c.before)]),
      ),
    );
  else
    parts.push(
      table(
        ['Field', 'Before', 'After'],
        a.changes.map((c) => [code(c.path), cell(c.before), isSensitiveChange(c) ? `*${SENSITIVE_CHANGED}*` : cell(c.after)]),
      ),
    );
  if (n === 0) parts.pop();
  if (a.blocked) parts.push(`> :no_entry: **Apply refuses this:** ${text(a.blocked)}`);
  if (a.heldBack) parts.push(`> :no_entry: **Held back:** ${text(a.heldBack)}`);
  if (a.impact) parts.push(`> **Impact:** ${text(a.impact)}`);
  for (const w of a.warnings) parts.push(`> **Warning:** ${text(w)}`);
  parts.push('</details>');
  return parts.join('\n\n');
}

function lintSection(findings: Diagnostic[]): string {
  const warnings = findings.filter((d) => d.severity !== 'accepted');
  const accepted = findings.filter((d) => d.severity === 'accepted');
  const rowOf = (d: Diagnostic) =>
    row([code(`${d.file}:${d.line}:${d.col}`), d.rule ? code(d.rule) : '', text(d.subject ? `${d.subject}: ${d.message}` : d.message)]);
  const parts: string[] = [];
  if (warnings.length > 0)
    parts.push(`### Lint warnings (${warnings.length})`, ['| Where | Rule | Message |', '|---|---|---|', ...warnings.map(rowOf)].join('\n'));
  if (accepted.length > 0) {
    const rows = accepted.map((d) =>
      row([code(`${d.file}:${d.line}:${d.col}`), d.rule ? code(d.rule) : '', text(d.reason ?? ''), text(d.subject ? `${d.subject}: ${d.message}` : d.message)]),
    );
    parts.push(`### Accepted lint warnings (${accepted.length})`, ['| Where | Rule | Why it is accepted | Finding |', '|---|---|---|---|', ...rows].join('\n'));
  }
  return parts.join('\n\n');
}

interface Sections {
  head: string[];
  details: string[];
  lint: string;
  graph: string;
  footer: string;
}

/**
 * The longest report under `max`: every detail if it fits, else details dropped from the end,
 * then the graph; as a last resort the summary itself is cut at a line (a table ends cleanly there).
 */
function fitWithin(s: Sections, max: number): string {
  const join = (parts: string[]): string => `${parts.filter(Boolean).join('\n\n')}\n`;
  const size = (parts: string[]): number => join(parts).length;
  const prefix = [0];
  for (const d of s.details) prefix.push(prefix[prefix.length - 1] + d.length + 2);
  for (const withGraph of s.graph ? [true, false] : [true]) {
    for (let keep = s.details.length; keep >= 0; keep--) {
      const note = truncationNote(s.details.length - keep, !withGraph, false);
      if (size([...s.head, note, s.lint, withGraph ? s.graph : '', s.footer]) + prefix[keep] <= max) {
        return join([...s.head, ...s.details.slice(0, keep), note, s.lint, withGraph ? s.graph : '', s.footer]);
      }
    }
  }
  const end = join([truncationNote(s.details.length, Boolean(s.graph), true), s.footer]);
  const body = join([...s.head, s.lint]);
  const cut = body.lastIndexOf('\n', Math.max(0, max - end.length - 2));
  return `${body.slice(0, Math.max(0, cut))}\n\n${end}`;
}

function truncationNote(details: number, graph: boolean, summary: boolean): string {
  if (details === 0 && !graph && !summary) return '';
  const what = [
    summary ? 'the rest of this summary' : '',
    details > 0 ? `the details of ${details} resource${details === 1 ? '' : 's'}` : '',
    graph ? 'the dependency graph' : '',
  ].filter(Boolean);
  const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}` : what[0];
  const verb = what.length === 1 && details === 0 ? 'was' : 'were';
  return `> [!NOTE]\n> Truncated to fit a GitHub comment: ${list} ${verb} left out. Run \`musectl plan -o json\` for the whole plan.`;
}

// ---- Escaping: values come from manifests and from Google, and must not break the table or the page.

const MARKERS = new Set(['(none)', KNOWN_AFTER_APPLY, SENSITIVE_TEXT]);

/** A plan value in a table cell: JSON as code, the (none)/(known after apply)/(sensitive value) markers in italics. */
function cell(v: unknown): string {
  const s = showValue(v);
  if (MARKERS.has(s)) return `*${s}*`;
  return code(s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s);
}

/** Inline code with a fence longer than any backtick run inside; in a table, pipes escaped (GFM keeps `\|` a literal pipe in code). */
function code(s: string, inTable = true): string {
  if (s === '') return '` `';
  const fence = '`'.repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${inTable ? s.replace(/\|/g, '\\|') : s}${pad}${fence}`;
}

/** Plain text: Markdown and HTML punctuation backslash-escaped (pipes too), entities neutralized, one line. */
const text = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/[\\`*[\]<>|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`) // an _ inside a word never means emphasis
    .replace(/\r?\n/g, ' ');
const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
const table = (header: string[], rows: string[][]): string => [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');
