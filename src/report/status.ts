// The stack's status for a terminal (one row per resource, a line under it for what is wrong or
// what a Cloud Run service serves) and as JSON. Renderers only read StackStatus.
import type { Colors } from '../cli/output.js';
import { STATUS_STATES, type StackStatus, type StatusState } from '../engine/status.js';

export function renderStatusText(s: StackStatus, color: Colors): string {
  const paint: Record<StatusState, (t: string) => string> = {
    ready: color.green,
    degraded: color.red,
    progressing: color.cyan,
    drifted: color.yellow,
    missing: color.red,
    'not ours': color.red,
    orphaned: color.yellow,
  };
  const head = ['RESOURCE', 'STATE', 'DRIFT', 'LAST CHANGE', 'URL / OUTPUT'];
  const rows = s.resources.map((r) => [
    `${r.kind}/${r.name}`,
    r.state,
    String(r.drift),
    r.changedAt ? `${r.changedAt.replace(/\.\d+Z$/, 'Z')}${r.changedBy ? ` by ${r.changedBy}` : ''}` : '',
    Object.values(r.outputs).join(' '),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[], paintState?: (t: string) => string) =>
    cells
      .map((c, i) => {
        const padded = i === 2 ? c.padStart(width[i]) : c.padEnd(width[i]);
        return i === 1 && paintState ? paintState(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = [color.dim(`Stack ${s.stack} on project ${s.project}`), color.bold(line(head))];
  s.resources.forEach((r, i) => {
    lines.push(line(rows[i], paint[r.state]));
    if (r.traffic?.length)
      lines.push(color.dim(`    serving: ${r.traffic.map((t) => `${t.revision} ${t.percent}%${t.tag ? ` (tag ${t.tag})` : ''}`).join(', ')}`));
    if (r.state !== 'ready' && r.message) lines.push(`    ${paint[r.state](r.message)}`);
    if (r.driftedFields.length > 0) lines.push(color.dim(`    drifted: ${r.driftedFields.join(', ')}`));
  });
  const counts = STATUS_STATES.filter((st) => s.summary[st] > 0).map((st) => `${s.summary[st]} ${st}`);
  lines.push('', `${s.resources.length} resources: ${counts.join(', ') || 'none'}.`);
  lines.push(s.inSync ? color.green('All ready and in sync.') : color.yellow('Not in sync: musectl plan shows what apply would change.'));
  if (s.watcher) {
    lines.push('', `Watcher: ${s.watcher.summary}`);
    if (s.watcher.warning) lines.push(color.yellow(`Warning: ${s.watcher.warning}`));
  }
  return `${lines.join('\n')}\n`;
}

export function renderStatusJson(s: StackStatus): string {
  return `${JSON.stringify({ formatVersion: 1, ...s }, null, 2)}\n`;
}
