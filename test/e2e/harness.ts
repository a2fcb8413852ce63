// What the end-to-end tests share: an emulator on a free loopback port (started by the test) in
// strict project mode (only PROJECT exists, so a typo'd project id fails as it would on Google),
// with stand-ins of the manifests' Artifact Registry images pushed, a private copy of manifests/ to
// edit, and the CLI pointed at both.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorOptions, type RunningEmulator, seedImages, startEmulator } from '../../emulator/index.js';
import { artifactRegistryImages } from '../../src/cli/stack-images.js';
import { type CliOptions, type CliResult, ROOT, runCli } from './cli.js';

export const PROJECT = 'e2e-project';

export interface Stage {
  emu: RunningEmulator;
  dir: string;
  /** Runs musectl with --emulator and --project set. */
  cli(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** Rewrites a manifest file of the private copy. */
  edit(file: string, fn: (text: string) => string): void;
  stats(): Promise<{ total: number; requests: Record<string, number> }>;
  requests(): Promise<Array<{ seq: number; method: string; path: string; route: string; status: number; start: number; end: number; body: string }>>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function stage(opts: EmulatorOptions = {}, manifests = 'manifests'): Promise<Stage> {
  const emu = await startEmulator({ projects: [PROJECT], ...opts });
  const dir = mkdtempSync(join(tmpdir(), 'musectl-e2e-'));
  cpSync(join(ROOT, manifests), dir, { recursive: true });
  // As `musectl up` does: the images the stack deploys, pushed as soon as their repository exists.
  seedImages(emu.emulator, artifactRegistryImages([dir], { PROJECT_ID: PROJECT }));
  const admin = async (method: string, path: string): Promise<any> => (await fetch(`${emu.url}${path}`, { method })).json();
  return {
    emu,
    dir,
    // Each stage keeps its inventory and lock in its own directory.
    cli: (args, o) =>
      runCli(
        [
          ...args,
          '--emulator',
          emu.url,
          '--project',
          PROJECT,
          ...(['plan', 'apply', 'status', 'get', 'destroy'].includes(args[0]) && !args.includes('--state') ? ['--state', join(dir, '.state')] : []),
        ],
        o,
      ),
    edit(file, fn) {
      const path = join(dir, file);
      writeFileSync(path, fn(readFileSync(path, 'utf8')));
    },
    stats: () => admin('GET', '/_emulator/stats'),
    requests: async () => (await admin('GET', '/_emulator/requests')).requests,
    reset: async () => {
      await admin('POST', '/_emulator/reset');
    },
    close: () => emu.close(),
  };
}

/** Calls made between two stats snapshots, by route. */
export function callsBetween(before: { requests: Record<string, number> }, after: { requests: Record<string, number> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [route, n] of Object.entries(after.requests)) {
    const d = n - (before.requests[route] ?? 0);
    if (d > 0) out[route] = d;
  }
  return out;
}

/** Calls that changed something, from the emulator's stats. */
export function writeCalls(requests: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(requests).filter(([route]) => !route.startsWith('GET ') && !route.startsWith('HEAD ') && !/:getIamPolicy$/.test(route)),
  );
}
