// The local Google Cloud. Importable (tests and `npm start` embed it on a free port) and run by
// `musectl emulator`. It imports nothing from src/ or controllers/: it is an independent oracle of
// Google's behaviour (../shared/gcp-api-facts.md), not a mirror of our controllers.
import type { Server } from 'node:http';
import { registerAllApis } from './apis/index.js';
import { Emulator, type EmulatorOptions } from './emulator.js';
import { createHttpServer, listen } from './server.js';

export { type SeedResult, seedImages } from './apis/artifact-registry-seed.js';
export { Clock, ManualClock, SystemClock } from './clock.js';
export type { EmulatorOptions } from './emulator.js';
export { type FaultRates, parseFaults } from './faults.js';

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  emulator: Emulator;
  close(): Promise<void>;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  registerAllApis(emulator);
  const server: Server = createHttpServer(emulator);
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      `emulator: warning: listening on ${host}, not a loopback address: anyone who can reach it can read and change its state, secret values included`,
    );
  }
  const address = await listen(server, options.port ?? 0, host);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    emulator,
    close: () =>
      new Promise<void>((resolve, reject) => {
        emulator.clock.stop();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
