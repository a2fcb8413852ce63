// The bundles `npm run build` makes (src/build-bundles.ts) are ASCII only: Node then reads each
// into a one-byte string without decoding UTF-8, and V8 scans it as one. A non-ASCII character in
// a comment esbuild keeps (ours, or a library's) would cost every run ~8 ms of decoding again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/cli.js';

const BUNDLES = ['dist/musectl.cjs', 'dist/vendor/google-libraries.cjs', 'dist/schema-validators.cjs'].map((f) => join(ROOT, f));

describe.skipIf(!BUNDLES.every((f) => existsSync(f)))('the bundles (run after npm run build)', () => {
  it('are ASCII only', () => {
    for (const file of BUNDLES) {
      const bytes = readFileSync(file);
      const at = bytes.findIndex((b) => b > 0x7f);
      const text = bytes.toString('latin1');
      const line = at < 0 ? '' : `line ${text.slice(0, at).split('\n').length}: ${text.slice(Math.max(0, at - 60), at + 20)}`;
      expect(line, file).toBe('');
    }
  });

  it("keep the Google libraries' licence comments beside their bundle", () => {
    const legal = readFileSync(join(ROOT, 'dist/vendor/google-libraries.cjs.LEGAL.txt'), 'utf8');
    expect(legal).toMatch(/Copyright/);
    expect(legal).toMatch(/MIT License/);
  });
});
