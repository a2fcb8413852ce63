// A state store in a local directory. Compare-and-set is made atomic with a lock directory
// (mkdir either creates it or fails), the object itself is written to a temporary file and
// renamed, so a crash never leaves a torn file.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../gcp/retry.js';
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
      throw err;
    }
    const env = JSON.parse(text) as Envelope;
    return { data: Buffer.from(env.data, 'base64'), generation: env.generation };
  }

  async write(key: string, data: Buffer, ifGeneration: string): Promise<string> {
    return this.locked(key, async () => {
      const current = await this.read(key);
      if ((current?.generation ?? '0') !== ifGeneration) throw new PreconditionFailed(key);
      const generation = String(Number(current?.generation ?? 0) + 1);
      const tmp = `${this.path(key)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ generation, data: data.toString('base64') } satisfies Envelope));
      renameSync(tmp, this.path(key));
      return generation;
    });
  }

  async delete(key: string, ifGeneration: string): Promise<void> {
    await this.locked(key, async () => {
      const current = await this.read(key);
      if (!current) return;
      if (current.generation !== ifGeneration) throw new PreconditionFailed(key);
      unlinkSync(this.path(key));
    });
  }

  async list(prefix: string): Promise<string[]> {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp') && !f.endsWith('.lock'))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const lock = `${this.path(key)}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        mkdirSync(lock);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        try {
          if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
        } catch {
          // it went away meanwhile
        }
        await sleep(Math.min(5 + attempt * 5, 50));
      }
    }
    try {
      return await fn();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
