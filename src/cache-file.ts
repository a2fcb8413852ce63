// The files of musectl's caches (compile-cache.ts: V8's code of the bundles; manifest/set-cache-file.ts:
// the checked manifest sets), read and written whole or not at all. Each holds a CRC-32 of what it
// keeps, checked before anything uses it: neither V8 nor its deserialiser checks a cache's content
// (V8 compares a code cache's version, flags and source length only), so a damaged block or a
// flipped bit was code that crashed V8 at every start, or a plan made of a changed value. A file
// that is not whole is a miss: the command does what it did without it, and writes it again.
// Node's own compile cache (Node >= 22.1) checks its files the same way.
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** The CRC-32 of the content, before it: ~0.2 ms a MB on the 2-core machine. */
const HEADER_BYTES = 4;

/** What `path` keeps, if it is there and whole. */
export function readCacheFile(path: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return undefined; // none yet, or removed meanwhile
  }
  if (data.length < HEADER_BYTES) return undefined;
  const content = data.subarray(HEADER_BYTES);
  return data.readUInt32BE(0) === crc32(content) ? content : undefined;
}

/** What writeCacheFile writes first: `FILE.PID.tmp`, renamed to FILE once whole. */
const TEMP = /\.\d+\.tmp$/;
/** A write takes milliseconds: a temporary file this old is one its command was killed in writing. */
const LEFTOVER_MS = 3600 * 1000;

/**
 * Removes from `dir` the temporary files of writes that never finished (their command was killed
 * between the write and the rename): nothing else would ever remove them. Each cache's sweep calls
 * it with the names it listed.
 */
export function removeLeftoverTemps(dir: string, names: string[], now = Date.now()): void {
  for (const name of names) {
    if (!TEMP.test(name)) continue;
    const st = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (!st?.isFile() || now - st.mtimeMs < LEFTOVER_MS) continue;
    rmSync(join(dir, name), { force: true });
  }
}

/**
 * Writes `content` to `path` (mode 0600) through a temporary file renamed over it, so that
 * commands writing at once leave one of them whole. False where it cannot be written: that costs
 * the next command what the cache saves, nothing else.
 */
export function writeCacheFile(path: string, content: Uint8Array): boolean {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(crc32(content), 0);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([header, content]), { mode: 0o600 });
    renameSync(tmp, path);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}
