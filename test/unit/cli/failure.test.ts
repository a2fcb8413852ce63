// What an error that escaped a command says to the user (src/cli/failure.ts).
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/failure.js';

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

  it('keeps the invalid-request hint for a 400 of an API', () => {
    const err = answered(400, { error: { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT' } });
    expect(describeFailure(err)?.hint).toContain('musectl validate');
  });
});
