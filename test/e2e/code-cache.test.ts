// The V8 code cache of the CLI's bundle on Node 20 (src/compile-cache.ts), through the bin as a
// process: what runs is the bundle on disk, whatever the cache directory holds. Each test has its
// own temporary directory (TMPDIR), where the cache lives.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyOfPackage, runCli } from './cli.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(name: string): string {
  const tmp = mkdtempSync(join(tmpdir(), `musectl-${name}-`));
  made.push(tmp);
  return tmp;
}

const cacheDir = (tmp: string) => join(tmp, `musectl-compile-cache-${process.getuid?.() ?? 'user'}`);
/** The cache of the CLI's bundle (musectl.cjs-*.v8cache). */
const bundleCache = (tmp: string): string | undefined => {
  const name = existsSync(cacheDir(tmp)) ? readdirSync(cacheDir(tmp)).find((f) => f.startsWith('musectl.cjs-') && f.endsWith('.v8cache')) : undefined;
  return name && join(cacheDir(tmp), name);
};

/** Words of the help of `plan`, in the top-level help: code the first run compiles, so in the cache. */
const WORDS = 'Show what apply would change';

// From Node 22.1 the bin turns on Node's own compile cache instead, which keeps no such file.
describe.skipIf(typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function')('the code cache of the bundle (Node 20)', () => {
  it('a cache damaged on disk (one bit of a string flipped) is not run: the help is as written, and the cache is made again', async () => {
    const tmp = scratch('cc-bitflip');
    const env = { TMPDIR: tmp };
    const first = await runCli(['--help'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(WORDS);
    const path = bundleCache(tmp);
    expect(path).toBeDefined();
    // V8 checks a cache's version, flags and source length, not its content: one flipped bit of a
    // string the cache holds would print the string so changed (elsewhere, a crash in V8).
    const damaged = readFileSync(path!);
    damaged[damaged.indexOf(WORDS)] ^= 0x20;
    writeFileSync(path!, damaged);
    const second = await runCli(['--help'], { env });
    expect(second.stdout).not.toContain(`s${WORDS.slice(1)}`);
    expect({ code: second.code, stdout: second.stdout, stderr: second.stderr }).toEqual({ code: first.code, stdout: first.stdout, stderr: first.stderr });
    expect(readFileSync(path!).equals(damaged)).toBe(false); // made again at the exit
    expect((await runCli(['--help'], { env })).stdout).toBe(first.stdout);
  });

  it('a bundle changed in place, its length and modification time kept (cp -p, tar, rsync -a), runs as changed', async () => {
    const tmp = scratch('cc-stale');
    const { pkg, run } = copyOfPackage(join(tmp, 'pkg'));
    const env = { TMPDIR: tmp };
    expect((await run(['--help'], { env })).stdout).toContain(WORDS);
    expect(bundleCache(tmp)).toBeDefined();
    const bundle = join(pkg, 'dist', 'musectl.cjs');
    const st = statSync(bundle);
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replaceAll(WORDS, WORDS.toUpperCase()));
    utimesSync(bundle, st.atime, st.mtime);
    expect([statSync(bundle).size, statSync(bundle).mtimeMs]).toEqual([st.size, st.mtimeMs]);
    const after = await run(['--help'], { env });
    expect(after.stdout).toContain(WORDS.toUpperCase());
  });
});
