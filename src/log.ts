// Structured logs with pino, on stderr (stdout is for data). Three forms:
// - gcp: JSON lines in Cloud Logging's format (severity, message, timestamp), through Google's
//   @google-cloud/pino-logging-gcp-config, for the watcher on Cloud Run;
// - json: plain pino JSON lines, when stderr is not a terminal (CI);
// - short human lines on a terminal.
import { createRequire } from 'node:module';
import { type Logger as PinoLogger, pino } from 'pino';
import { scrubDeep } from './gcp/scrub.js';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogFormat = 'gcp' | 'json' | 'text';

const require = createRequire(import.meta.url);

/** Every log line is scrubbed of known secret values (src/gcp/scrub.ts), whatever it carries. */
const hooks = {
  logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void) {
    method.apply(
      this,
      args.map((a) => scrubDeep(a)),
    );
  },
};

export function createLogger(level: string, opts: { json?: boolean; format?: LogFormat } = {}): Logger {
  const format: LogFormat = opts.format ?? ((opts.json ?? !process.stderr.isTTY) ? 'json' : 'text');
  const stderr = pino.destination({ fd: 2, sync: true });
  if (format === 'gcp') {
    // Loaded only here: it pulls in @google-cloud/logging.
    const { createGcpLoggingPinoConfig } = require('@google-cloud/pino-logging-gcp-config') as typeof import('@google-cloud/pino-logging-gcp-config');
    return pino({ ...createGcpLoggingPinoConfig({}, { level }), hooks }, stderr);
  }
  if (format === 'json') {
    return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, hooks }, stderr);
  }
  return pino(
    {
      level,
      base: undefined,
      timestamp: false,
      hooks,
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
