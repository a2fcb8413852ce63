// What an error that escaped a command says to the user (src/cli/failure.ts), naming the call it came from (src/gcp/api-call.ts).
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/failure.js';
import { ApiCaller } from '../../../src/gcp/api-call.js';
import { oneLine } from '../../../src/gcp/errors.js';
import { RateLimiter } from '../../../src/gcp/rate-limit.js';

/** An error as gaxios makes it for an HTTP answer: the status and the parsed body on `response`. */
const answered = (status: number, data: unknown, message = 'Request failed') => Object.assign(new Error(message), { response: { status, data } });

describe('describeFailure', () => {
  it("points a refusal by Google's token service at the credentials, not at the manifests", () => {
    const err = answered(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, 'invalid_grant');
    const d = describeFailure(err);
    expect(d?.message).toMatch(/^Google Cloud answered 400/);
    expect(d?.hint).toMatch(/token service refused the credentials/);
    expect(d?.hint).not.toContain('musectl validate');
  });

  it('names the call Google refused, and the one a connection failed for', async () => {
    const limiter = new RateLimiter();
    const api = new ApiCaller(limiter);
    // As the gax REST fallback makes it: the JSON body is the message.
    const body = { error: { code: 403, message: 'Permission denied on resource project p.', status: 'PERMISSION_DENIED' } };
    const refused = answered(403, body, JSON.stringify(body));
    const info = { quota: 'run.read', scope: 'projects/p', what: 'list services in projects/p/locations/r' } as const;
    const err = await api.call(info, () => Promise.reject(refused)).catch((e: unknown) => e);
    expect(describeFailure(err)?.message).toBe(
      'list services in projects/p/locations/r: Google Cloud answered 403 PERMISSION_DENIED: Permission denied on resource project p.',
    );
    // The same line in a watcher's log and status file.
    expect(oneLine(err)).toBe(describeFailure(err)?.message);
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const lost = await api.call({ ...info, what: 'read project p' }, () => Promise.reject(dropped), { attempts: 1 }).catch((e: unknown) => e);
    expect(describeFailure(lost)?.message).toBe('read project p: cannot reach Google Cloud: socket hang up');
  });

  it('keeps the invalid-request hint for a 400 of an API', () => {
    const err = answered(400, { error: { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT' } });
    expect(describeFailure(err)?.hint).toContain('musectl validate');
  });
});
