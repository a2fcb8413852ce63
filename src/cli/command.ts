// How a command is declared: its flags (with help text) and what it runs. Help, usage errors and
// flag parsing are shared, so every command behaves the same way.
import { parseArgs } from 'node:util';
import type { Output } from './output.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder in help, e.g. PATH. */
  value?: string;
  description: string;
  default?: string | boolean;
  /** What its value is, for shell completion: a fixed list, or a kind of thing to complete. */
  values?: ValueSource;
}

/**
 * Values a shell can complete: a fixed list (-o text|json), files or directories (the shell's own
 * completion), the kinds musectl knows, or the resource keys of the stack's manifests.
 */
export type ValueSource = readonly string[] | 'files' | 'directories' | 'kinds' | 'resources' | 'environments';

export interface Command {
  name: string;
  summary: string;
  /** Longer text shown by `musectl CMD --help`, after the usage line. */
  details?: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Whether positional arguments are accepted (e.g. a saved plan file). */
  positionals?: boolean;
  /** What the positional arguments are, for shell completion: resource keys (Kind/name) or files. */
  positionalValues?: ValueSource;
  /** Commands under this one (`musectl state list`), each named with its parent ("state list"). */
  subcommands?: Command[];
  run(args: ParsedArgs, out: Output): Promise<number>;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A mistake on the command line: printed with a pointer to --help, exit 1. */
export class UsageError extends Error {}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, f] of Object.entries(cmd.flags)) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  }
  options.help = { type: 'boolean', short: 'h' };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (positionals.length > 0 && !cmd.positionals) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`);
    }
    const flags: ParsedArgs['flags'] = {};
    for (const [name, f] of Object.entries(cmd.flags)) flags[name] = (values as Record<string, any>)[name] ?? f.default;
    flags.help = (values as Record<string, any>).help;
    return { flags, positionals };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

export function helpText(cmd: Command): string {
  const lines = [`musectl ${cmd.name}: ${cmd.summary}`, '', `Usage: ${cmd.usage}`];
  if (cmd.details) lines.push('', cmd.details.trim());
  if (cmd.subcommands) {
    const width = Math.max(...cmd.subcommands.map((c) => c.name.length)) + 4;
    lines.push('', 'Commands:', ...cmd.subcommands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`));
  }
  lines.push('', 'Options:');
  const rows = Object.entries(cmd.flags).map(([name, f]) => {
    const short = f.short ? `-${f.short}, ` : '    ';
    const value = f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : '';
    const def = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : '';
    const repeat = f.multiple ? ' (repeatable)' : '';
    return [`  ${short}--${name}${value}`, `${f.description}${repeat}${def}`];
  });
  rows.push(['  -h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  for (const [l, r] of rows) lines.push(`${l.padEnd(width)}${r}`);
  return `${lines.join('\n')}\n`;
}
