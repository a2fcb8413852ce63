// Where a Secret's value comes from, read once per loaded manifest set so that plan, observe and
// apply see the same bytes. A valueFrom.file is resolved against the manifest's own directory
// and must stay inside the stack's directory tree (the -f paths), so a manifest in a pull request
// cannot point a secret at any file of the CI runner (../../../../etc/hostname, ~/.ssh/id_rsa);
// `--allow-secret-path DIR` names another place. Only regular files are read, at most Secret
// Manager's 64 KiB (https://cloud.google.com/secret-manager/quotas#content_limits).
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { registerSecret } from '../gcp/scrub.js';
import type { Diagnostic } from './diagnostics.js';
import { locate } from './document.js';
import { quote } from './quote.js';
import { readRegularFile } from './read-file.js';
import type { Resource } from './resource.js';

/** Secret Manager's largest payload: 64 KiB. */
export const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretValue {
  value?: Buffer;
  /** Why there is no value (the variable is not set, the file does not exist): plan warns. */
  missing?: string;
}

const values = new WeakMap<Resource, SecretValue>();

/** The value of a Secret resource as read when its manifest set was loaded. */
export function secretValue(r: Resource): SecretValue {
  let v = values.get(r);
  if (!v) {
    // A resource not loaded through loadManifestSet (tests that build one by hand): read it now,
    // inside its own directory.
    const roots = [dirname(r.doc.file)];
    v = readSecretSource(r, insideDirs({ roots, allowed: [] }), roots).value;
    if (v.value) registerSecret(v.value);
    values.set(r, v);
  }
  return v;
}

export interface SecretSourceOptions {
  /** The stack's directory tree: the directories given with -f (a file's own directory). */
  roots: string[];
  /** Other directories a valueFrom.file may read from (--allow-secret-path). */
  allowed: string[];
}

/** The stack's roots for a list of -f paths. */
export function stackRoots(paths: string[]): string[] {
  return paths.map((p) => {
    try {
      return statSync(p).isDirectory() ? p : dirname(p);
    } catch {
      return dirname(p);
    }
  });
}

/** Reads every Secret's value source; problems (outside the tree, too big, not a file) are located errors. */
export function readSecretSources(resources: Resource[], opts: SecretSourceOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Where the allowed directories really are, found once for all the Secrets rather than once each.
  const inside = insideDirs(opts);
  for (const r of resources) {
    if (r.kind !== 'Secret') continue;
    const read = readSecretSource(r, inside, opts.roots);
    if (read.value.value) registerSecret(read.value.value);
    values.set(r, read.value);
    if (read.problem) out.push({ ...locate(r.doc, read.problem.path), severity: 'error', subject: r.key, message: read.problem.message });
  }
  return out;
}

/** The real paths of the directories a valueFrom.file may read from. */
const insideDirs = (opts: SecretSourceOptions): string[] => [...opts.roots, ...opts.allowed].map((d) => realOrLexical(resolve(d)));

function readSecretSource(r: Resource, inside: string[], roots: string[]): { value: SecretValue; problem?: { path: string[]; message: string } } {
  const from = r.spec.valueFrom as { env?: string; file?: string } | undefined;
  if (!from) return { value: {} };
  if (typeof from.env === 'string') {
    const v = process.env[from.env];
    if (!v) return { value: { missing: `environment variable ${from.env} is not set` } };
    const bytes = Buffer.byteLength(v, 'utf8');
    if (bytes > MAX_SECRET_BYTES) {
      return {
        value: {},
        problem: {
          path: ['spec', 'valueFrom', 'env'],
          message: `spec.valueFrom.env: ${from.env} holds ${bytes} bytes; Secret Manager takes at most ${MAX_SECRET_BYTES} (64 KiB)`,
        },
      };
    }
    return { value: { value: Buffer.from(v, 'utf8') } };
  }
  if (typeof from.file !== 'string') return { value: {} };
  const at = ['spec', 'valueFrom', 'file'];
  const path = resolve(dirname(r.doc.file), from.file);
  const outside = outsideOf(path, inside);
  if (outside) {
    return {
      value: {},
      problem: {
        path: at,
        message: `spec.valueFrom.file: ${quote(from.file)} resolves to ${quote(outside)}, outside the stack's directory tree (${roots.map((x) => quote(resolve(x))).join(', ')}); a manifest reads secret files only from inside it: move the file there, or name its directory with --allow-secret-path DIR`,
      },
    };
  }
  const read = readRegularFile(path, MAX_SECRET_BYTES);
  if ('data' in read) return { value: read.data.length > 0 ? { value: read.data } : { missing: `file ${from.file} is empty` } };
  if (read.code === 'ENOENT') return { value: { missing: `file ${from.file} does not exist` } };
  const message =
    read.code === 'EFBIG'
      ? `spec.valueFrom.file: ${quote(from.file)} ${read.problem}; Secret Manager takes at most ${MAX_SECRET_BYTES} bytes (64 KiB)`
      : `spec.valueFrom.file: ${quote(from.file)} ${read.problem}`;
  return { value: {}, problem: { path: at, message } };
}

/** The real path of `path` when it is outside every directory of `realDirs` (real paths), else undefined. */
function outsideOf(path: string, realDirs: string[]): string | undefined {
  const real = realOrLexical(path);
  const inside = realDirs.some((d) => {
    const rel = relative(d, real);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
  return inside ? undefined : real;
}

/** Symbolic links resolved (a link inside the tree to a file outside is outside); a missing file by its parent. */
function realOrLexical(p: string): string {
  try {
    // The native realpath(3): one call, where Node's own walks the path with an lstat a component
    // (~20 us a file, 200 Secrets' files a plan).
    return realpathSync.native(p);
  } catch {
    try {
      return resolve(realpathSync.native(dirname(p)), p.slice(dirname(p).length + 1));
    } catch {
      return p;
    }
  }
}
