// requireCached: a file loaded through V8's code cache behaves as require(), the cache is written
// on the first run's exit and read by the next, a changed file gets a cache of its own (the old
// one removed), and a cache directory another user could write to, or a link, is never used.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/cli.js';

const LOADER = join(ROOT, 'dist', 'src', 'compile-cache.js');
const FLAGS = join(ROOT, 'dist', 'src', 'v8-flags.js');

/** Runs a fresh node that loads `file` through requireCached and prints what it exports. */
function load(
  file: string,
  tmp: string,
  env: Record<string, string> = {},
  commandArgs?: string[],
  nodeArgs: string[] = [],
): Promise<{ code: number | null; out: string }> {
  // With commandArgs, the V8 flags the bin would set for `musectl ARGS` are set first, as the bin does.
  const flags = commandArgs ? `(await import(${JSON.stringify(FLAGS)})).applyStartFlags(${JSON.stringify(commandArgs)}, process.execArgv);` : '';
  const script = `(async () => { ${flags} const { requireCached } = await import(${JSON.stringify(LOADER)}); const m = requireCached(${JSON.stringify(file)}); process.stdout.write(JSON.stringify({ answer: m.answer(), same: requireCached(${JSON.stringify(file)}) === m })); })();`;
  return new Promise((resolve) => {
    // Without NODE_COMPILE_CACHE, Node's own cache stays off (as it does on Node 20), so this one works.
    const child = spawn(process.execPath, [...nodeArgs, '-e', script], {
      env: { ...process.env, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, TMPDIR: tmp, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const cacheDir = (tmp: string) => join(tmp, `musectl-compile-cache-${process.getuid?.() ?? 'user'}`);
const caches = (tmp: string) => (existsSync(cacheDir(tmp)) ? readdirSync(cacheDir(tmp)).filter((f) => f.endsWith('.v8cache')) : []);

describe.skipIf(!existsSync(LOADER))('requireCached (V8 code cache on Node 20; run after npm run build)', () => {
  const made: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-cc-'));
    made.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('loads a CommonJS file as require would, writes its cache at exit, and reads it on the next run', async () => {
    const tmp = scratch();
    const file = join(tmp, 'lib.cjs');
    writeFileSync(file, `const path = require('node:path'); exports.answer = () => path.basename(__filename) + ':' + (6 * 7);\n`);
    const first = await load(file, tmp);
    expect(first).toEqual({ code: 0, out: JSON.stringify({ answer: 'lib.cjs:42', same: true }) });
    const [cache] = caches(tmp);
    expect(caches(tmp)).toEqual([cache]);
    const written = statSync(join(cacheDir(tmp), cache));
    const second = await load(file, tmp);
    expect(second.out).toBe(first.out);
    // Read and accepted, not written again (a refused cache would be replaced: another inode).
    const after = statSync(join(cacheDir(tmp), cache));
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs]);

    // An edited file (another size) gets a cache of its own, which replaces the old one.
    writeFileSync(file, `exports.answer = () => 'edited';\n`);
    expect((await load(file, tmp)).out).toBe(JSON.stringify({ answer: 'edited', same: true }));
    expect(caches(tmp)).toHaveLength(1);
    expect(caches(tmp)).not.toEqual([cache]);

    // A cache nobody wrote for a week (another checkout's) goes at the next write; a fresh one stays.
    const stale = join(cacheDir(tmp), 'other.cjs-0000000000000000-0000000000000000.v8cache');
    const fresh = join(cacheDir(tmp), 'other.cjs-1111111111111111-1111111111111111.v8cache');
    writeFileSync(stale, 'x');
    writeFileSync(fresh, 'x');
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(stale, eightDaysAgo, eightDaysAgo);
    writeFileSync(file, `exports.answer = () => 'edited again';\n`);
    await load(file, tmp);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(caches(tmp)).toHaveLength(2); // the fresh stranger and the new cache of lib.cjs
  });

  it("keeps a short command's cache and the watcher's apart (V8 refuses a cache made under other flags)", async () => {
    const tmp = scratch();
    const file = join(tmp, 'lib.cjs');
    writeFileSync(file, `exports.answer = () => 'flags';\n`);
    const stamp = () => Object.fromEntries(caches(tmp).map((c) => [c, statSync(join(cacheDir(tmp), c)).mtimeMs]));
    expect((await load(file, tmp, {}, ['plan'])).out).toBe(JSON.stringify({ answer: 'flags', same: true }));
    expect((await load(file, tmp, {}, ['watch'])).out).toBe(JSON.stringify({ answer: 'flags', same: true }));
    const both = stamp();
    expect(Object.keys(both)).toHaveLength(2);
    // Each reads its own and accepts it: neither is written again.
    await load(file, tmp, {}, ['plan']);
    await load(file, tmp, {}, ['watch']);
    await load(file, tmp, {}, ['apply']);
    expect(stamp()).toEqual(both);
    // A V8 flag given to node (the watcher's image gives one) is a cache of its own too, and Node's
    // own options (--require) are none: nothing above is written again.
    const semi = ['--max-semi-space-size=64'];
    expect((await load(file, tmp, {}, ['watch'], semi)).out).toBe(JSON.stringify({ answer: 'flags', same: true }));
    const three = stamp();
    expect(Object.keys(three)).toHaveLength(3);
    await load(file, tmp, {}, ['watch'], semi);
    await load(file, tmp, {}, ['watch']);
    await load(file, tmp, {}, ['plan'], ['--require', join(ROOT, 'test', 'fixtures', 'trace-undici.cjs')]);
    expect(stamp()).toEqual(three);
  });

  it('uses no cache directory that other users can write to or that is a link, makes none where the temporary directory is missing, and none with NODE_DISABLE_COMPILE_CACHE', async () => {
    const tmp = scratch();
    const file = join(tmp, 'lib.cjs');
    writeFileSync(file, `exports.answer = () => 'plain';\n`);
    const plain = JSON.stringify({ answer: 'plain', same: true });
    expect((await load(file, tmp, { NODE_DISABLE_COMPILE_CACHE: '1' })).out).toBe(plain);
    expect(existsSync(cacheDir(tmp))).toBe(false);

    const missing = join(tmp, 'no', 'such', 'dir');
    expect((await load(file, missing)).out).toBe(plain);
    expect(existsSync(join(tmp, 'no'))).toBe(false);

    const elsewhere = scratch();
    symlinkSync(elsewhere, cacheDir(tmp));
    expect((await load(file, tmp)).out).toBe(plain);
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(cacheDir(tmp));

    mkdirSync(cacheDir(tmp));
    chmodSync(cacheDir(tmp), 0o777);
    expect((await load(file, tmp)).out).toBe(plain);
    expect(caches(tmp)).toEqual([]);
  });
});
