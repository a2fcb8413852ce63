// Structured logs with pino, on stderr: JSON lines when stderr is not a terminal (CI, Cloud Run),
// short human lines on a terminal. Progress output is separate (report/progress.ts).
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export function createLogger(level: string, opts: { json?: boolean } = {}): Logger {
  const json = opts.json ?? !process.stderr.isTTY;
  if (json) {
    return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
  }
  return pino(
    {
      level,
      base: undefined,
      timestamp: false,
      formatters: { level: (label) => ({ level: label }) },
    },
    {
      write(line: string) {
        const { level: lvl, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        process.stderr.write(`${String(lvl)}: ${String(msg)}${extra}\n`);
      },
    },
  );
}
