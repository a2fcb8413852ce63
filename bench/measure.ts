// Runs the CLI as a child process (the compiled bin, as a user runs it) against the emulator and
// measures it: wall time from spawn to exit, peak RSS and CPU time of the child (from
// process.resourceUsage(), written on exit by a preloaded script), and the API calls the emulator
// answered meanwhile (its stats and request log), with when the first call started and the last
// ended, relative to the spawn.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningEmulator } from '../emulator/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'musectl.js');

export interface Measured {
  args: string[];
  code: number | null;
  wallMs: number;
  /** CPU time of the CLI process (user + system). */
  cpuMs: number;
  /** Peak resident set size of the CLI process. */
  maxRssMb: number;
  /** API calls the emulator answered during the run (admin calls excluded). */
  calls: number;
  byRoute: Record<string, number>;
  /** From spawn to the first API request's arrival, and from the last answer to exit (ms). */
  beforeFirstCallMs?: number;
  afterLastCallMs?: number;
  /** From the first request's arrival to the last answer (ms). */
  apiWindowMs?: number;
  /** CPU the emulator (this process) spent meanwhile. */
  emulatorCpuMs: number;
  /** The run's requests, start and end relative to the spawn (ms), for --timeline. */
  requests?: Array<{ method: string; path: string; status: number; start: number; end: number }>;
  stdout: string;
  stderr: string;
}

const PRELOAD = `// written by the musectl benchmarks: peak RSS and CPU time of this process, on exit
process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.MUSECTL_BENCH_RUSAGE, JSON.stringify({ maxRSS: u.maxRSS, user: u.userCPUTime, system: u.systemCPUTime }));
});
`;

let scratch: string | undefined;
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'musectl-bench-'));
  return scratch;
}

export function cleanUpScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

let runs = 0;

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Extra node flags (e.g. --require a tracing script). */
  nodeArgs?: string[];
  /** Another script to run instead of the CLI (its path). */
  script?: string;
  timeoutMs?: number;
}

export async function runMeasured(emu: RunningEmulator | undefined, args: string[], opts: RunOptions = {}): Promise<Measured> {
  const dir = scratchDir();
  const preload = join(dir, 'rusage.cjs');
  writeFileSync(preload, PRELOAD);
  const rusageFile = join(dir, `rusage-${++runs}.json`);
  const log = emu?.emulator.log;
  const lastSeq = log ? (log.since(0).at(-1)?.seq ?? 0) : 0;
  const statsBefore = emu ? structuredClone(emu.emulator.stats) : { total: 0, requests: {} as Record<string, number> };
  const cpuBefore = process.cpuUsage();

  const spawnedAt = Date.now();
  const t0 = performance.now();
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', preload, ...(opts.nodeArgs ?? []), opts.script ?? BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', CI: '', MUSECTL_EMULATOR: '', MUSECTL_BENCH_RUSAGE: rusageFile, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const wallMs = performance.now() - t0;
  const exitedAt = Date.now();
  const cpu = process.cpuUsage(cpuBefore);

  const usage = JSON.parse(readFileSync(rusageFile, 'utf8')) as { maxRSS: number; user: number; system: number };
  const byRoute: Record<string, number> = {};
  let calls = 0;
  if (emu) {
    for (const [route, n] of Object.entries(emu.emulator.stats.requests)) {
      const d = n - (statsBefore.requests[route] ?? 0);
      if (d > 0) byRoute[route] = d;
    }
    calls = emu.emulator.stats.total - statsBefore.total;
  }
  const requests = log ? log.since(lastSeq) : [];
  const first = requests.length > 0 ? Math.min(...requests.map((r) => r.start)) : undefined;
  const last = requests.length > 0 ? Math.max(...requests.map((r) => r.end || r.start)) : undefined;
  return {
    args,
    code: result.code,
    wallMs,
    cpuMs: (usage.user + usage.system) / 1000,
    maxRssMb: usage.maxRSS / 1024,
    calls,
    byRoute,
    ...(first !== undefined && last !== undefined ? { beforeFirstCallMs: first - spawnedAt, apiWindowMs: last - first, afterLastCallMs: exitedAt - last } : {}),
    emulatorCpuMs: (cpu.user + cpu.system) / 1000,
    requests: requests.map((r) => ({ method: r.method, path: r.path, status: r.status, start: r.start - spawnedAt, end: r.end - spawnedAt })),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
