// Loads the big generated CommonJS files (the Google client libraries' bundle, the precompiled
// schema validators) with V8's code cache, so a run after the first skips most of their parsing and
// compiling: ~60 ms of the bundle's ~200 ms on the 2-core machine (bench: `npm run bench`).
//
// On Node >= 22.1 the bin turns on Node's own compile cache (module.enableCompileCache), which
// covers every module; there a plain require is used. Node 20 has no such switch, so this does the
// same for these files: the cache of each lives in a per-user directory of the system's temporary
// directory (as Node's does), is written when the process exits after a miss, and is keyed by the
// Node version and the file's path, size and time, so a rebuilt file or another Node never reads a
// stale cache (V8 also refuses a cache made for other source or flags: then it compiles as usual).
// https://nodejs.org/api/vm.html#scriptcreatecacheddata
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();
const toWrite: Array<{ path: string; script: Script }> = [];

/** Node's own compile cache is on (Node >= 22.1, turned on by the bin). */
const nodeCaches = (): boolean => Boolean((module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.());

/** The cache directory, made if missing; none where it cannot be made or is not this user's alone. */
function cacheDir(): string | undefined {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `musectl-compile-cache-${uid ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    // Another user's directory (a planted cache) is never read.
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** require(file), through V8's code cache where Node keeps none. */
export function requireCached(file: string): unknown {
  if (loaded.has(file)) return loaded.get(file);
  // NODE_DISABLE_COMPILE_CACHE=1 turns Node's compile cache off; it turns this one off too.
  if (nodeCaches() || process.env.NODE_DISABLE_COMPILE_CACHE) return require(file);
  const source = readFileSync(file, 'utf8');
  const st = statSync(file);
  const dir = cacheDir();
  // The main script and Node's flags are in the key too: V8 refuses a cache made under other flags
  // (the bin sets --liftoff-only; a test runner does not), and two such processes must not keep
  // replacing each other's cache.
  const who = `${process.version}|${process.arch}|${process.argv[1]}|${process.execArgv.join(' ')}`;
  const key = createHash('sha256').update(`${who}|${file}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 16);
  const cachePath = dir ? join(dir, `${basename(file)}-${key}.v8cache`) : undefined;
  let cachedData: Buffer | undefined;
  try {
    cachedData = cachePath ? readFileSync(cachePath) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new Script(module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const exports = {};
  const mod = { exports, id: file, filename: file, loaded: false };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(exports, exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  loaded.set(file, mod.exports);
  if (cachePath && (!cachedData || script.cachedDataRejected)) rememberToWrite(cachePath, script);
  return mod.exports;
}

/** At exit, when the functions this run used are compiled and go into the cache too. */
function rememberToWrite(path: string, script: Script): void {
  if (toWrite.length === 0) process.once('exit', writeCaches);
  toWrite.push({ path, script });
}

function writeCaches(): void {
  for (const { path, script } of toWrite) {
    try {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, path); // whole or not at all, when runs write at once
    } catch {
      // A cache that cannot be written costs the next run its compile time, nothing else.
    }
  }
}
