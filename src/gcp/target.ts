// Where musectl sends its calls: Google itself (Application Default Credentials, optionally
// impersonating a service account) or an emulator. Both go through the same official clients in
// REST mode; only the endpoint and auth settings differ (../shared/CLIENTS.md).
import { UserError } from '../errors.js';

export type Target = { kind: 'google'; project: string; impersonateServiceAccount?: string } | { kind: 'emulator'; project: string; url: URL };

/** The project id the emulator uses when none is given. */
export const EMULATOR_DEFAULT_PROJECT = 'musectl-local';

export function resolveTarget(opts: { project?: string; emulator?: string; impersonate?: string; env: NodeJS.ProcessEnv }): Target {
  const emulator = opts.emulator ?? (opts.env.MUSECTL_EMULATOR || undefined);
  if (emulator) {
    let url: URL;
    try {
      url = new URL(emulator);
    } catch {
      throw new UserError(`--emulator ${emulator}: not a URL`, 'Use the URL `musectl emulator` printed, e.g. http://127.0.0.1:8085');
    }
    if (url.protocol !== 'http:') throw new UserError(`--emulator ${emulator}: the emulator speaks plain http://`);
    if (opts.impersonate) throw new UserError('--impersonate-service-account applies to Google, not to an emulator');
    return { kind: 'emulator', project: opts.project ?? EMULATOR_DEFAULT_PROJECT, url };
  }
  if (!opts.project) {
    throw new UserError(
      'no target: give --project ID (Google, with Application Default Credentials) or --emulator URL (or MUSECTL_EMULATOR)',
      // npm start's stack lives in its emulator's state file; a standalone emulator serves it again.
      'For the stack `npm start` made: musectl emulator --port 8085 --state manifests/.musectl/emulator-state.json, then --emulator http://127.0.0.1:8085 (README, first section).',
    );
  }
  return { kind: 'google', project: opts.project, ...(opts.impersonate ? { impersonateServiceAccount: opts.impersonate } : {}) };
}
