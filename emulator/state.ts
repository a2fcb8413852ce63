// The emulator's whole world: plain JSON, so it can be persisted and reset. Each API keeps its
// resources in a named collection keyed by full resource name.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiError } from './errors.js';

export interface WorldState {
  /** Monotonic counter for ids and numbers handed out by the emulator. */
  seq: number;
  collections: Record<string, Record<string, any>>;
}

export const emptyState = (): WorldState => ({ seq: 0, collections: {} });

export class StateStore {
  state: WorldState;
  /** The state as last written, to fall back to when a change cannot be written (memory and file agree). */
  private lastWritten: string;

  constructor(private readonly file?: string) {
    this.state = file ? loadState(file) : emptyState();
    this.lastWritten = JSON.stringify(this.state);
  }

  /** The named collection, created on first use. */
  collection<T = any>(name: string): Record<string, T> {
    return (this.state.collections[name] ??= {}) as Record<string, T>;
  }

  nextSeq(): number {
    return ++this.state.seq;
  }

  reset(): void {
    this.state = emptyState();
    this.persist();
  }

  /**
   * Writes the state file atomically: a temporary file in the same directory, fsynced, then renamed
   * over the old one. A crash at any point leaves either the old or the new file, never a torn one.
   */
  persist(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = JSON.stringify(this.state);
    } catch {
      // A change that cannot be written is undone, so what the API answers next matches the file.
      this.state = JSON.parse(this.lastWritten) as WorldState;
      throw new ApiError(500, 'Internal error encountered.', 'INTERNAL');
    }
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    // 0600: the state holds secret values.
    writeFileSync(tmp, text, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.lastWritten = text;
  }
}

function loadState(file: string): WorldState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  const parsed = JSON.parse(text) as WorldState;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.collections !== 'object') {
    throw new Error(`emulator state file ${file} is not an emulator state (no "collections")`);
  }
  return parsed;
}
