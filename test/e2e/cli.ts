// Runs the real CLI (bin/musectl.js, the compiled build) as a child process: one spawner for every
// test (run to the end, or start in the background and signal it).
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/musectl.js`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  /** Another bin than this checkout's (a copy of the package, copyOfPackage). */
  bin?: string;
  /** Extra node flags, e.g. --require a preload script. */
  nodeArgs?: string[];
  /** Killed (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  /** Run as this user and group (a test of permissions, when the suite runs as root). */
  uid?: number;
  gid?: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
  done: Promise<CliResult>;
}

/** Starts the CLI in the background; its environment is the test's, without colours, CI or an emulator URL. */
export function startCli(args: string[], opts: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.bin ?? BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', CI: '', MUSECTL_EMULATOR: '', GEMINI_API_KEY: undefined, METADATA_SERVER_DETECTION: 'none', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      return done;
    },
  };
}

/** Runs the CLI to the end. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

/**
 * A copy of the package (its build, schemas and bin, with their times kept; node_modules linked)
 * whose files a test may change in place, and a runner of its bin.
 */
export function copyOfPackage(pkg: string): { pkg: string; run(args: string[], opts?: CliOptions): Promise<CliResult> } {
  // With the times kept: the bin runs the bundle only when it is not older than dist/src.
  for (const part of ['bin', 'dist', 'schema', 'package.json']) cpSync(join(ROOT, part), join(pkg, part), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  return { pkg, run: (args, opts = {}) => runCli(args, { ...opts, bin: join(pkg, 'bin', 'musectl.js') }) };
}
