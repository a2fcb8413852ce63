// Which state store a run uses: --state DIR or gs://BUCKET/PREFIX, else .musectl/state.
import { resolve } from 'node:path';
import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory } from '../gcp/clients.js';
import { GcsStateStore } from './gcs-store.js';
import { LocalStateStore } from './local-store.js';
import type { StateStore } from './store.js';

export const DEFAULT_STATE_DIR = '.musectl/state';

export function openStateStore(location: string | undefined, clients: ClientFactory, api: ApiCaller): StateStore {
  const where = location ?? DEFAULT_STATE_DIR;
  if (where.startsWith('gs://')) return new GcsStateStore(where, clients, api);
  return new LocalStateStore(resolve(where));
}
