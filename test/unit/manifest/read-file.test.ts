// readRegularFile reads a file whole and never more than its bound, whatever its size (its first
// chunk is sized from the file, the rest 64 KiB each).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegularFile } from '../../../src/manifest/read-file.js';

const dir = mkdtempSync(join(tmpdir(), 'musectl-read-file-'));
const file = (name: string, data: Buffer | string): string => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

describe('readRegularFile', () => {
  it('reads empty, small and many-chunk files byte for byte', () => {
    const big = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    expect(readRegularFile(file('empty', ''), 10)).toEqual({ data: Buffer.alloc(0) });
    expect(readRegularFile(file('small', 'value'), 10)).toEqual({ data: Buffer.from('value') });
    expect(readRegularFile(file('big', big), 1_000_000)).toEqual({ data: big });
  });

  it('takes a file of exactly the bound and refuses one byte more', () => {
    expect(readRegularFile(file('exact', 'x'.repeat(100)), 100)).toEqual({ data: Buffer.from('x'.repeat(100)) });
    expect(readRegularFile(file('over', 'x'.repeat(101)), 100)).toMatchObject({ code: 'EFBIG' });
  });

  it('refuses what is not a regular file', () => {
    expect(readRegularFile(dir, 100)).toMatchObject({ code: 'ENOTREG' });
    expect(readRegularFile(join(dir, 'missing'), 100)).toMatchObject({ code: 'ENOENT' });
  });
});
