// Which state store a run uses: --state DIR or gs://BUCKET/PREFIX, else the stack's own local
// directory: .musectl/state beside its Stack document (or beside the manifests given with -f when
// there is none), so the same stack finds the same state from any working directory.
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory } from '../gcp/clients.js';
import { GcsStateStore } from './gcs-store.js';
import { LocalStateStore } from './local-store.js';
import type { StateStore } from './store.js';

export const STATE_DIR_NAME = join('.musectl', 'state');

/** The stack's default state directory: beside its Stack document, else beside the first manifest path. */
export function defaultStateDir(stackFile: string | undefined, paths: string[]): string {
  if (stackFile) return resolve(dirname(stackFile), STATE_DIR_NAME);
  const first = paths[0] ?? '.';
  let dir = first;
  try {
    if (!statSync(first).isDirectory()) dir = dirname(first);
  } catch {
    dir = dirname(first);
  }
  return resolve(dir, STATE_DIR_NAME);
}

export function openStateStore(location: string, clients: ClientFactory, api: ApiCaller): StateStore {
  if (location.startsWith('gs://')) return new GcsStateStore(location, clients, api);
  return new LocalStateStore(resolve(location));
}
