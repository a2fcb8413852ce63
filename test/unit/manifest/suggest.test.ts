import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from '../../../src/manifest/suggest.js';

describe('did you mean', () => {
  it('suggests the closest candidate for a typo', () => {
    expect(didYouMean('sa-bakend', ['sa-backend', 'sa-frontend'])).toBe(' (did you mean "sa-backend"?)');
    expect(closest('Bucket', ['bucket'])).toBe('bucket'); // another case is a hint
  });

  it('never suggests the word itself: it was not found where it was looked for', () => {
    expect(didYouMean('sessionmuse-frontend', ['sessionmuse-frontend'])).toBe('');
    expect(closest('sa-backend', ['sa-backend', 'sa-backends'])).toBe('sa-backends');
  });
});
