// A directory of manifest files for a test, and the smallest manifest there is.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new temporary directory holding these files (names may have subdirectories). */
export function tree(files: Record<string, string>, prefix = 'musectl-tree-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A ServiceAccount manifest named `name`, with `extra` lines after its metadata. */
export const SA = (name: string, extra = '') => `apiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n${extra}`;
