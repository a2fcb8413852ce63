// Checks made once before the first call, so that the two commonest set-up mistakes end in one
// line within seconds instead of retries and a stack trace: an emulator URL where nothing listens
// (without it, every call is retried for half a minute), and no Application Default Credentials.
import { connect } from 'node:net';
import { UserError } from '../errors.js';
import type { Target } from './target.js';

/** How long to wait for a TCP connection to the emulator. */
const CONNECT_TIMEOUT_MS = 3_000;

/** Resolves when something accepts TCP connections at the emulator's URL; a UserError otherwise. */
export function checkEmulatorListening(url: URL, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const port = Number(url.port || 80);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new UserError(
          `nothing answers at ${url.origin} (${why}): no emulator is listening there`,
          'Start one with `musectl emulator` and pass the URL it prints with --emulator (or MUSECTL_EMULATOR); leave both out to use Google Cloud with --project.',
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' ? 'connection refused' : (err.code ?? err.message)));
  });
}

/** google-auth-library's words when it finds no credentials at all. */
const NO_ADC = /Could not load the default credentials|Unable to detect a Project Id|Could not refresh access token/i;

export const NO_CREDENTIALS_HINT =
  'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or pass --impersonate-service-account EMAIL (the credentials found must be allowed to impersonate it).';

/** Loads the credentials the auth client will use; a UserError that names the fixes when there are none. */
export async function checkCredentials(auth: { getClient?: () => Promise<unknown>; sourceClient?: unknown }): Promise<void> {
  const source = (auth.sourceClient ?? auth) as { getClient?: () => Promise<unknown> };
  if (typeof source.getClient !== 'function') return;
  try {
    await source.getClient();
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    if (NO_ADC.test(message)) throw new UserError('no Application Default Credentials were found', NO_CREDENTIALS_HINT);
    throw err;
  }
}

/** What to check before a target's first call. */
export function preflight(target: Target, auth: () => unknown): Promise<void> {
  if (target.kind === 'emulator') return checkEmulatorListening(target.url);
  return checkCredentials(auth() as { getClient?: () => Promise<unknown> });
}
