// Loads the big generated CommonJS files (the Google client libraries' bundle, the precompiled
// schema validators) with V8's code cache, so a run after the first skips most of their parsing and
// compiling: ~60 ms of the bundle's ~200 ms on the 2-core machine (bench: `npm run bench`).
//
// On Node >= 22.1 the bin turns on Node's own compile cache (module.enableCompileCache), which
// covers every module; there a plain require is used. Node 20 has no such switch, so this does the
// same for these files: the cache of each lives in a per-user directory of the system's temporary
// directory (as Node's does), is written when the process exits after a miss, and is keyed by the
// Node version, the main script, V8's tag for the caches it accepts and the file's path, inode, size
// and times, so a rebuilt or replaced file or another Node never reads a stale cache; each file is
// checked whole before use (cache-file.ts); one cache per file is kept.
// https://nodejs.org/api/vm.html#scriptcreatecacheddata
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import v8 from 'node:v8';
import { Script } from 'node:vm';
import { readCacheFile, removeLeftoverTemps, writeCacheFile } from './cache-file.js';
import { userCacheDir } from './user-cache-dir.js';

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();
const toWrite: PendingCache[] = [];

/** Node's own compile cache is on (Node >= 22.1, turned on by the bin). */
const nodeCaches = (): boolean => Boolean((module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.());

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * Where the cache of `file` is: `NAME-WHO-STAMP.v8cache`. WHO is the Node, the main script and
 * V8's cached-data version tag (its version, the CPU's features and every V8 flag, whether the bin
 * set it, src/v8-flags.ts, or node was given it, as --max-semi-space-size): V8 refuses a cache made
 * under another tag (a short command and the watcher get different flags; a test runner none), and
 * two such processes must not keep replacing each other's cache. Node's own options, such as
 * --require, do not change the tag. https://nodejs.org/api/v8.html#v8cacheddataversiontag
 * STAMP is the file's
 * inode, size, and modification and change times: V8 itself compares only a source's length, so a
 * rebuilt file must never meet the cache of its predecessor, nor one copied over it with its times
 * kept (cp -p, tar, rsync -a; an edit of the same length with its time set back), which changes
 * the change time. A new STAMP replaces the caches of older ones (see writeCaches).
 */
function cacheName(file: string): { prefix: string; name: string } {
  const st = statSync(file);
  let main = process.argv[1] ?? '';
  try {
    main = realpathSync(main); // a link to the bin, or npx, is the same bin
  } catch {
    // not a file (node -e): its name as given
  }
  const prefix = `${basename(file)}-${hash(`${process.version}|${process.arch}|${main}|${v8.cachedDataVersionTag()}|${file}`)}-`;
  return { prefix, name: `${prefix}${hash(`${st.ino}|${st.size}|${st.mtimeMs}|${st.ctimeMs}`)}.v8cache` };
}

/** require(file), through V8's code cache where Node keeps none. */
export function requireCached(file: string): unknown {
  if (loaded.has(file)) return loaded.get(file);
  // NODE_DISABLE_COMPILE_CACHE=1 turns Node's compile cache off; it turns this one off too. With
  // source maps on (--enable-source-maps), Node maps stack traces only of files it loads itself.
  if (nodeCaches() || process.env.NODE_DISABLE_COMPILE_CACHE || process.sourceMapsEnabled) return require(file);
  const source = readFileSync(file, 'utf8');
  const dir = userCacheDir('compile-cache');
  const { prefix, name } = cacheName(file);
  const cachePath = dir ? join(dir, name) : undefined;
  // Not whole (cache-file.ts): a miss, compiled as without a cache and written again at exit.
  const cachedData = cachePath ? readCacheFile(cachePath) : undefined;
  const script = new Script(module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const exports = {};
  const mod = { exports, id: file, filename: file, loaded: false };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(exports, exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  loaded.set(file, mod.exports);
  if (dir && cachePath && (!cachedData || script.cachedDataRejected)) rememberToWrite({ dir, prefix, path: cachePath, script });
  return mod.exports;
}

interface PendingCache {
  dir: string;
  /** The caches of the same file, Node and flags: older builds' ones are removed. */
  prefix: string;
  path: string;
  script: Script;
}

/**
 * At exit, when the functions this run used are compiled and go into the cache too (so the cache
 * holds what the first run after a build compiled; what a later command needs besides is compiled
 * as usual).
 */
function rememberToWrite(pending: PendingCache): void {
  if (toWrite.length === 0) process.once('exit', writeCaches);
  toWrite.push(pending);
}

/** A week: a cache written longer ago is of a checkout or a Node that may be gone. */
const STALE_MS = 7 * 24 * 3600 * 1000;

/**
 * After a write: the caches of older builds of the same file go, and so does any cache not
 * written for a week (another checkout's, another Node's: one still in use is written again on
 * its next miss). So the directory holds about one cache per file in use.
 */
function sweep(dir: string, prefix: string, written: string): void {
  const now = Date.now();
  const listed = readdirSync(dir);
  for (const name of listed) {
    const path = join(dir, name);
    if (path === written || !name.endsWith('.v8cache')) continue;
    const age = now - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? now);
    if (name.startsWith(prefix) || age > STALE_MS) rmSync(path, { force: true });
  }
  removeLeftoverTemps(dir, listed, now);
}

function writeCaches(): void {
  for (const { dir, prefix, path, script } of toWrite) {
    // A cache that cannot be written costs the next run its compile time, nothing else.
    if (!writeCacheFile(path, script.createCachedData())) continue;
    try {
      sweep(dir, prefix, path);
    } catch {
      // another run swept meanwhile: the next write sweeps again
    }
  }
}
