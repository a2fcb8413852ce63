// Checksums Google keeps with stored data: CRC32C (Castagnoli) for Cloud Storage objects and Secret
// Manager payloads, MD5 for Cloud Storage objects. Clients recompute them, so they must be exact.
import { createHash } from 'node:crypto';

const CASTAGNOLI = makeTable(0x82f63b78); // the reflected Castagnoli polynomial

function makeTable(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** The CRC32C of `data` as an unsigned 32-bit number (Secret Manager's dataCrc32c). */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CASTAGNOLI[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC32C as Cloud Storage writes it: base64 of four big-endian bytes ("4waSgw==" for "123456789"). */
export function crc32cBase64(data: Uint8Array): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32c(data));
  return out.toString('base64');
}

export function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}
