// Secret values are scrubbed from error text and log arguments in every form a server may echo.
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../../src/gcp/errors.js';
import { withRetry } from '../../../src/gcp/retry.js';
import { registerSecret, scrub, scrubDeep } from '../../../src/gcp/scrub.js';

const SECRET = 'unit-canary s3cr3t/+=&?';

describe('scrub', () => {
  registerSecret(Buffer.from(SECRET));
  const forms = [
    SECRET,
    Buffer.from(SECRET).toString('base64'),
    Buffer.from(SECRET).toString('base64url'),
    encodeURIComponent(SECRET),
    JSON.stringify(SECRET).slice(1, -1),
  ];

  it.each(forms)('removes %s', (form) => {
    expect(scrub(`before ${form} after`)).toBe('before (redacted secret value) after');
  });

  it("takes it out of a gax error's JSON body and a log object", () => {
    const body = JSON.stringify({ error: { code: 400, message: `bad payload ${Buffer.from(SECRET).toString('base64')}`, status: 'INVALID_ARGUMENT' } });
    expect(errorMessage(Object.assign(new Error(body), { code: 400 }))).toBe('bad payload (redacted secret value)');
    expect(scrubDeep({ err: { message: `x ${SECRET}` }, list: [SECRET] })).toEqual({
      err: { message: 'x (redacted secret value)' },
      list: ['(redacted secret value)'],
    });
  });

  it('says how many attempts a call made when retries gave up, and only then', async () => {
    const unavailable = () => Promise.reject(Object.assign(new Error('Service Unavailable'), { code: 503 }));
    const err = await withRetry(unavailable, { attempts: 3, sleep: async () => undefined }).catch((e) => e);
    expect(errorMessage(err)).toBe('Service Unavailable (gave up after 3 attempts)');
    const notFound = await withRetry(() => Promise.reject(Object.assign(new Error('Not Found'), { code: 404 })), { attempts: 3 }).catch((e) => e);
    expect(errorMessage(notFound)).toBe('Not Found');
  });
});
