// Where output goes: data on stdout, messages and errors on stderr. Colour only on a terminal,
// never with NO_COLOR (https://no-color.org) or --no-color.

export interface Output {
  /** Data: plans, reports, JSON. */
  out(text: string): void;
  /** Messages for people: progress, warnings, errors. */
  err(text: string): void;
  color: Colors;
  /** stdin and stdout are a terminal (prompts and live progress are allowed). */
  interactive: boolean;
  /** stderr is a terminal: a person watches the progress lines (else they go to a log, e.g. CI's). */
  errTerminal?: boolean;
}

export interface Colors {
  enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const code = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function makeColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (enabled ? code(open, close) : (s: string) => s);
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}

export function colorWanted(argv: string[], env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (argv.includes('--no-color')) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTty;
}

export function processOutput(argv: string[]): Output {
  const tty = Boolean(process.stderr.isTTY);
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: makeColors(colorWanted(argv, process.env, tty)),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    errTerminal: tty,
  };
}
