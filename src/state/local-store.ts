// A state store in a local directory. Compare-and-set is made atomic with a lock directory
// (mkdir either creates it or fails), the object itself is written to a temporary file and
// renamed, so a crash never leaves a torn file. What it writes is the user's alone (files 0600,
// directories 0700): the inventory names every resource, the lease the host and pid.
// A file system that says no (a --state that is a file, a read-only or full disk, a damaged
// file) is a one-line error saying what to do, not a stack trace.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { withRetry } from '../gcp/retry.js';
import { PreconditionFailed, type StateStore, type StoredObject } from './store.js';

interface Envelope {
  generation: string;
  data: string; // base64
}

/** A lock directory older than this belongs to a process that died holding it. */
const STALE_LOCK_MS = 30_000;

export class LocalStateStore implements StateStore {
  constructor(private readonly dir: string) {}

  describe(): string {
    return this.dir;
  }

  private path(key: string): string {
    return join(this.dir, key);
  }

  async read(key: string): Promise<StoredObject | undefined> {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw stateError(err, this.dir, 'read');
    }
    let env: Envelope;
    try {
      env = JSON.parse(text) as Envelope;
      if (typeof env.data !== 'string' || typeof env.generation !== 'string') throw new Error('not a state object');
    } catch {
      throw new UserError(
        `${this.path(key)} is damaged (not a musectl state object), so musectl cannot tell what the stack owns`,
        `Restore it from a backup, or move it away to start over (then nothing the stack created is known to be its own: prune deletes none of it).`,
      );
    }
    return { data: Buffer.from(env.data, 'base64'), generation: env.generation };
  }

  async write(key: string, data: Buffer, ifGeneration: string): Promise<string> {
    return this.locked(key, async () => {
      const current = await this.read(key);
      if ((current?.generation ?? '0') !== ifGeneration) throw new PreconditionFailed(key);
      const generation = String(Number(current?.generation ?? 0) + 1);
      const tmp = `${this.path(key)}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, JSON.stringify({ generation, data: data.toString('base64') } satisfies Envelope), { mode: 0o600 });
        renameSync(tmp, this.path(key));
      } catch (err) {
        rmSync(tmp, { force: true });
        throw stateError(err, this.dir, 'write');
      }
      return generation;
    });
  }

  async delete(key: string, ifGeneration: string): Promise<void> {
    await this.locked(key, async () => {
      const current = await this.read(key);
      if (!current) return;
      if (current.generation !== ifGeneration) throw new PreconditionFailed(key);
      try {
        unlinkSync(this.path(key));
      } catch (err) {
        throw stateError(err, this.dir, 'write');
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp') && !f.endsWith('.lock'))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw stateError(err, this.dir, 'read');
    }
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw stateError(err, this.dir, 'write');
    }
    const lock = `${this.path(key)}.lock`;
    const busy = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';
    await withRetry(
      async () => {
        try {
          mkdirSync(lock, { mode: 0o700 });
        } catch (err) {
          if (!busy(err)) throw stateError(err, this.dir, 'write');
          try {
            if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
          } catch {
            // it went away meanwhile
          }
          throw err;
        }
      },
      // The lock is held for a read and a rename: short waits, however many it takes.
      { retryOn: busy, attempts: Number.POSITIVE_INFINITY, baseMs: 5, capMs: 50 },
    );
    try {
      return await fn();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** What a failed file system call on the state directory means for the user, as one line. */
export function stateError(err: unknown, dir: string, action: 'read' | 'write'): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `the stack's state in ${dir}`;
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return new UserError(
        `--state ${dir}: it (or a part of its path) is a file, not a directory`,
        'Give a directory (it is created if missing) or gs://BUCKET/PREFIX.',
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new UserError(
        `cannot ${action} ${where}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}`,
        'Make the directory writable by this user, or choose another with --state DIR (or gs://BUCKET/PREFIX).',
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(
        `cannot ${action} ${where}: the disk is full`,
        'Free some space, or choose another directory with --state DIR (or gs://BUCKET/PREFIX).',
      );
    case 'EISDIR':
      return new UserError(`cannot ${action} ${where}: a directory is in the way of a state file`, 'Remove it, or choose another --state.');
    default:
      return err;
  }
}
