// What a manifest file's bytes must be before the YAML parser sees them: UTF-8 (a decoder that is
// not strict turns bad bytes into U+FFFD silently), and only the characters YAML calls printable
// (YAML 1.2.2, 5.1 "Character Set": c-printable; a NUL byte would otherwise reach Google in a value).
// Problems are located (line and column) so the user can find the byte.

export interface TextProblem {
  line: number;
  col: number;
  message: string;
}

// Anything but YAML's c-printable (tab, LF, CR, x20-x7E, x85, xA0-xD7FF, xE000-xFFFD,
// x10000-x10FFFF), found by one search in native code rather than a loop over every character
// (every manifest is read twice a plan: to find the Stack, and to load). With the u flag a
// surrogate pair is one code point (printable), and a lone surrogate is not printable.
const NON_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** Decodes strict UTF-8, then checks every character is printable; the first problem is returned. */
export function decodeManifestText(data: Buffer): { text: string } | { problem: TextProblem } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    const at = firstInvalidUtf8(data);
    const before = new TextDecoder('utf-8').decode(data.subarray(0, at));
    const { line, col } = position(before, before.length);
    const hint =
      data.length >= 2 && ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff))
        ? ' (the file looks like UTF-16; save it as UTF-8)'
        : '';
    return { problem: { line, col, message: `not valid UTF-8: byte 0x${data[at]?.toString(16).padStart(2, '0')} at offset ${at}${hint}` } };
  }
  const bad = text.search(NON_PRINTABLE);
  if (bad >= 0) {
    const { line, col } = position(text, bad);
    return { problem: { line, col, message: `${describeChar(text.codePointAt(bad)!)} is not allowed in YAML (only printable characters are); remove it` } };
  }
  return { text };
}

export function describeChar(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0) return `a NUL byte (${hex})`;
  if (cp < 0x20 || cp === 0x7f) return `the control character ${hex}`;
  return `the character ${hex}`;
}

/** 1-based line and column (in characters) of `offset` in `text`. */
function position(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = c & (0xff >> (n + 2));
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}
