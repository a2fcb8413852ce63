// Outputs for people (the Outputs: block after apply, `musectl output`), for scripts (JSON) and for
// GitHub Actions (GITHUB_OUTPUT). Renderers only read StackOutputs.
import type { Colors } from '../cli/output.js';
import type { StackOutputs } from '../engine/outputs.js';

/** The Outputs: block: the Stack's named outputs, then each resource's shown outputs, aligned. */
export function renderOutputsText(o: StackOutputs, color: Colors): string {
  const named = Object.entries(o.outputs);
  const rows = o.resources.flatMap((r) => r.shown.map((name) => [`${r.kind}/${r.name}`, name, r.outputs[name]] as const));
  if (named.length === 0 && rows.length === 0) return '';
  const lines = [color.bold('Outputs:')];
  const nameWidth = Math.max(0, ...named.map(([n]) => n.length));
  for (const [name, value] of named) lines.push(`  ${name.padEnd(nameWidth)} = ${value}`);
  if (named.length > 0 && rows.length > 0) lines.push('');
  const keyWidth = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [key, name, value] of rows) lines.push(`  ${color.dim(key.padEnd(keyWidth))}  ${name} = ${value}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON form: the Stack's named outputs and every output of every resource, by Kind/name. */
export function outputsJson(o: StackOutputs): { outputs: Record<string, string>; resources: Record<string, Record<string, string>> } {
  return { outputs: o.outputs, resources: Object.fromEntries(o.resources.map((r) => [`${r.kind}/${r.name}`, r.outputs])) };
}

/**
 * Lines for GitHub Actions' GITHUB_OUTPUT file: the Stack's named outputs by their names, and each
 * resource's shown outputs as KIND_NAME_OUTPUT (output names allow letters, digits, '-' and '_').
 * A value with a line break uses the file's NAME<<DELIMITER form.
 */
export function githubOutputLines(o: StackOutputs): string {
  const pairs: Array<[string, string]> = [
    ...Object.entries(o.outputs),
    ...o.resources.flatMap((r) => r.shown.map((name): [string, string] => [`${r.kind}_${r.name}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_'), r.outputs[name]])),
  ];
  return pairs
    .map(([name, value]) => {
      if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
      let delimiter = 'MUSECTL_EOF';
      while (value.includes(delimiter)) delimiter += '_';
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}
