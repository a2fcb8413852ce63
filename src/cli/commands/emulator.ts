// musectl emulator: the local Google Cloud, for trying musectl without an account and for tests.
import { UserError } from '../../errors.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run the local Google Cloud emulator (Run, Storage, IAM, Secret Manager, ...)',
  usage: 'musectl emulator [--port N] [--state FILE] [--latency-ms N] [--faults SPEC] ...',
  details: `
Serves the Google REST APIs musectl uses on loopback and prints its URL. Point musectl at it
with --emulator URL or MUSECTL_EMULATOR=URL. Stops on Ctrl-C (SIGINT) or SIGTERM.
Admin: GET /_emulator/stats, GET /_emulator/requests, POST /_emulator/reset.`,
  flags: {
    port: { type: 'string', value: 'N', description: 'Port to listen on (0 picks a free one)', default: '0' },
    host: { type: 'string', value: 'ADDR', description: 'Interface to bind', default: '127.0.0.1' },
    state: { type: 'string', value: 'FILE', description: 'Keep state in this JSON file (written atomically)' },
    'latency-ms': { type: 'string', value: 'N', description: 'Delay every API request by N ms' },
    'operation-ms': { type: 'string', value: 'N', description: 'Long-running operations (Cloud Run rollouts) take N ms' },
    'sa-consistency-ms': { type: 'string', value: 'N', description: 'New service accounts are invisible for N ms (eventual consistency)' },
    quotas: { type: 'boolean', description: "Enforce Google's default quotas" },
    faults: { type: 'string', value: 'SPEC', description: 'Inject faults, e.g. 429=0.1,503=0.05,500=0.01,drop=0.01,seed=7' },
  },
  async run(args, out) {
    const { startEmulator, parseFaults } = await import('../../../emulator/index.js');
    const num = (flag: string): number | undefined => {
      const v = args.flags[flag];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} ${v}: expected a whole number >= 0`);
      return n;
    };
    let faults: ReturnType<typeof parseFaults> | undefined;
    try {
      faults = typeof args.flags.faults === 'string' ? parseFaults(args.flags.faults) : undefined;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const port = num('port');
    if (port !== undefined && port > 65535) throw new UsageError(`--port ${port}: a TCP port is 0 (any free one) to 65535`);
    let emu: Awaited<ReturnType<typeof startEmulator>>;
    try {
      emu = await startEmulator({
        port,
        host: args.flags.host as string,
        stateFile: args.flags.state as string | undefined,
        latencyMs: num('latency-ms'),
        operationMs: num('operation-ms'),
        serviceAccountConsistencyMs: num('sa-consistency-ms'),
        quotas: Boolean(args.flags.quotas),
        faults,
      });
    } catch (err) {
      throw listenError(err, port, String(args.flags.host));
    }
    out.out(`${emu.url}\n`);
    out.err(`emulator listening on ${emu.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await emu.close();
    return 0;
  },
};

/** Why the emulator could not listen, as one line with what to do. */
function listenError(err: unknown, port: number | undefined, host: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UserError(`port ${port} on ${host} is already in use`, 'Choose another with --port N, or --port 0 for any free one.');
  if (code === 'EACCES') return new UserError(`port ${port} on ${host} needs privileges this user does not have`, 'Use a port above 1023, or --port 0.');
  if (code === 'EADDRNOTAVAIL') return new UserError(`--host ${host}: this machine has no such address`, 'Use 127.0.0.1 (the default).');
  if (code === 'ERR_SOCKET_BAD_PORT') return new UserError(`--port ${port}: not a usable port`, 'A TCP port is 0 (any free one) to 65535.');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UserError(`--host ${host}: not an address of this machine`, 'Use 127.0.0.1 (the default).');
  return err;
}
