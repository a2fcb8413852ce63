// How a failed call is read, whichever client made it. Regression: the googleapis IAM client
// (service accounts' policies) reports 409 ABORTED with the status only in the parsed response
// body; it was taken for "already exists", so a lost race on a service account's policy (or a
// retried write whose first attempt had landed) failed the apply instead of starting over.
import { describe, expect, it } from 'vitest';
import { canonicalStatus, isAlreadyExists, isConcurrentChange } from '../../../src/gcp/errors.js';

const gaxios = (status: string) => ({
  code: 409,
  status: 409,
  message: 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
  response: { status: 409, data: { error: { code: 409, status, message: '...' } } },
});

describe('errors of the googleapis clients (gaxios)', () => {
  it('reads the canonical status from the response body', () => {
    expect(canonicalStatus(gaxios('ABORTED'))).toBe('ABORTED');
  });

  it('takes 409 ABORTED for a concurrent change, not for an existing resource', () => {
    expect(isConcurrentChange(gaxios('ABORTED'))).toBe(true);
    expect(isAlreadyExists(gaxios('ABORTED'))).toBe(false);
  });

  it('still takes 409 ALREADY_EXISTS for an existing resource', () => {
    expect(isAlreadyExists(gaxios('ALREADY_EXISTS'))).toBe(true);
    expect(isConcurrentChange(gaxios('ALREADY_EXISTS'))).toBe(false);
  });
});
