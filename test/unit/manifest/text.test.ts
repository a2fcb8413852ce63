// decodeManifestText's check of YAML's printable characters (a search for the first one outside
// them) against the spec's list, character by character: every code point of the Basic
// Multilingual Plane, and characters beyond it. (Strict UTF-8 never gives a lone surrogate.)
import { describe, expect, it } from 'vitest';
import { decodeManifestText } from '../../../src/manifest/text.js';

/** YAML 1.2.2, 5.1 "Character Set", c-printable: tab, LF, CR, x20-x7E, x85, xA0-xD7FF, xE000-xFFFD, x10000-x10FFFF. */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x09 ||
    cp === 0x0a ||
    cp === 0x0d ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

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
