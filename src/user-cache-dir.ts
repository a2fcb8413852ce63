// The per-user directories musectl keeps its caches in, under the system's temporary directory (as
// Node's own compile cache is): the V8 code of the big bundles (compile-cache.ts) and the checked
// manifest sets (manifest/set-cache-file.ts). What is in them is code V8 runs and data a plan is
// made of, so a directory is used only when it is this user's alone.
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Map<string, string | undefined>();

/**
 * `musectl-NAME-UID` in the temporary directory, made if missing (its parent must exist: nothing is
 * made along the way); none where it cannot be made, or is not a directory of this user's alone (a
 * link, or one others can write to, may hold a planted cache). Checked once a process.
 */
export function userCacheDir(name: string): string | undefined {
  if (!made.has(name)) made.set(name, makeCacheDir(name));
  return made.get(name);
}

function makeCacheDir(name: string): string | undefined {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `musectl-${name}-${uid ?? 'user'}`);
  try {
    // Not recursive: on some filesystems (/proc) a recursive mkdir of a missing path never returns.
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0))) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}
