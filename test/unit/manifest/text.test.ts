// decodeManifestText's check of YAML's printable characters (a search for the first one outside
// them) against isPrintable, character by character: every code point of the Basic Multilingual
// Plane, and characters beyond it. (Strict UTF-8 never gives a lone surrogate.)
import { describe, expect, it } from 'vitest';
import { decodeManifestText, isPrintable } from '../../../src/manifest/text.js';

const decode = (text: string) => decodeManifestText(Buffer.from(text, 'utf8'));

describe('the printable-character check', () => {
  it('refuses exactly what isPrintable refuses, for every code point up to U+FFFF', () => {
    const refused: number[] = [];
    const expected: number[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue; // not encodable in UTF-8: below
      const r = decode(`a: "x${String.fromCodePoint(cp)}"\n`);
      if ('problem' in r) refused.push(cp);
      if (!isPrintable(cp) && cp !== 0xfeff) expected.push(cp);
    }
    expect(refused).toEqual(expected);
    expect(refused).toContain(0x00);
    expect(refused).toContain(0x7f);
    expect(refused).not.toContain(0x85);
  });

  it('takes characters beyond U+FFFF, and places the first refused one by line and column', () => {
    expect(decode('a: "🎵 𝄞"\n')).toEqual({ text: 'a: "🎵 𝄞"\n' });
    // Columns count UTF-16 code units, as they always have: the note takes two.
    const r = decode('a: 1\nb: "🎵x\u0007"\n');
    expect(r).toEqual({
      problem: { line: 2, col: 8, message: 'the control character U+0007 is not allowed in YAML (only printable characters are); remove it' },
    });
  });

  it('takes a byte-order mark at the start (the decoder drops it)', () => {
    expect(decode('\ufeffa: 1\n')).toEqual({ text: 'a: 1\n' });
  });
});
