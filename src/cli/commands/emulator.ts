// musectl emulator: the local Google Cloud, for trying musectl without an account and for tests.
import { UserError } from '../../errors.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import type { Output } from '../output.js';

/** "a,b" -> ["a", "b"], each a valid project id. */
function projectList(flag: unknown): string[] | undefined {
  if (typeof flag !== 'string') return undefined;
  const ids = flag
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = ids.filter((id) => !/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(id));
  if (ids.length === 0 || bad.length > 0) {
    throw new UsageError(`--projects ${flag}: expected project ids separated by commas (6-30 lower-case letters, digits and '-')`);
  }
  return ids;
}

/** POST /_emulator/images on a running emulator, and what it did. */
async function pushImages(images: string[], emulator: string | undefined, out: Output): Promise<number> {
  if (images.length === 0) throw new UsageError('push-image takes one or more images: LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE:TAG');
  if (!emulator) throw new UsageError('push-image needs the emulator: --emulator URL (or MUSECTL_EMULATOR=URL)');
  let url: URL;
  try {
    url = new URL('/_emulator/images', emulator);
  } catch {
    throw new UsageError(`--emulator ${emulator}: not a URL`);
  }
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ images }) });
  } catch (err) {
    throw new UserError(
      `cannot reach the emulator at ${url.origin}: ${(err as Error).message}`,
      'Start it with `musectl emulator` and pass the URL it printed.',
    );
  }
  const body = (await res.json().catch(() => ({}))) as { pushed?: string[]; pending?: string[]; error?: { message?: string } };
  if (!res.ok) throw new UserError(`the emulator refused the images: ${body.error?.message ?? `HTTP ${res.status}`}`);
  for (const image of body.pushed ?? []) out.out(`pushed ${image}\n`);
  for (const image of body.pending ?? []) out.out(`will push ${image} when its repository is created\n`);
  return 0;
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'Run the local Google Cloud emulator (Run, Storage, IAM, Secret Manager, ...)',
  usage:
    'musectl emulator [--port N] [--state FILE] [--projects A,B] [--latency-ms N] [--faults SPEC] ...\n       musectl emulator push-image IMAGE... [--emulator URL]',
  details: `
Serves the Google REST APIs musectl uses on loopback and prints its URL. Point musectl at it
with --emulator URL or MUSECTL_EMULATOR=URL. Stops on Ctrl-C (SIGINT) or SIGTERM.
Admin: GET /_emulator/stats, GET /_emulator/requests, POST /_emulator/reset.

push-image pushes a stand-in image (a small image with no layers) under each
LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE:TAG to a running emulator, as docker push would:
Cloud Run, and so the emulator, refuses to deploy an image that was never pushed. An image whose
repository does not exist yet is pushed when the repository is created.`,
  flags: {
    port: { type: 'string', value: 'N', description: 'Port to listen on (0 picks a free one)', default: '0' },
    host: { type: 'string', value: 'ADDR', description: 'Interface to bind', default: '127.0.0.1' },
    state: { type: 'string', value: 'FILE', description: 'Keep state in this JSON file (written atomically)' },
    'latency-ms': { type: 'string', value: 'N', description: 'Delay every API request by N ms' },
    'operation-ms': { type: 'string', value: 'N', description: 'Long-running operations (Cloud Run rollouts) take N ms' },
    'sa-consistency-ms': { type: 'string', value: 'N', description: 'New service accounts are invisible for N ms (eventual consistency)' },
    quotas: { type: 'boolean', description: "Enforce Google's default quotas" },
    projects: {
      type: 'string',
      value: 'A,B',
      description: 'Strict project mode: only these project ids exist; any other answers 403 PERMISSION_DENIED as Google does',
    },
    faults: { type: 'string', value: 'SPEC', description: 'Inject faults, e.g. 429=0.1,503=0.05,500=0.01,drop=0.01,seed=7' },
    emulator: { type: 'string', value: 'URL', description: 'push-image: the running emulator (default: MUSECTL_EMULATOR)' },
  },
  positionals: true,
  async run(args, out) {
    if (args.positionals.length > 0) {
      if (args.positionals[0] !== 'push-image') throw new UsageError(`unknown subcommand "${args.positionals[0]}" (expected push-image)`);
      return pushImages(args.positionals.slice(1), (args.flags.emulator as string | undefined) ?? process.env.MUSECTL_EMULATOR, out);
    }
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
        projects: projectList(args.flags.projects),
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
