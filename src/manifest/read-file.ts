// Reading a file a user named, safely: only regular files (a FIFO would block forever, /dev/zero
// never ends), and never more than a bound (a 10 GB file would exhaust memory before any check).
// Used for manifest files (-f) and for a Secret's valueFrom.file.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export type ReadResult = { data: Buffer } | { problem: string; code?: string };

/** What kind of file a stat describes, in words for a message. */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Words for the errno codes a user can cause (a missing file, permissions), for one-line messages. */
export function errnoWords(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'an I/O error';
    default:
      return code ?? 'an error';
  }
}

/**
 * Reads `path` if it is a regular file of at most `maxBytes`. Opened non-blocking, so a FIFO that
 * appears between a check and the open cannot hang the read; the type is checked on the open
 * descriptor (fstat), and at most maxBytes + 1 bytes are read, so a file that grows meanwhile is
 * still bounded.
 */
export function readRegularFile(path: string, maxBytes: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: `cannot be read: ${errnoWords(code)}`, code };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { problem: `is ${fileKind(st)}, not a regular file; only regular files are read`, code: 'ENOTREG' };
    if (st.size > maxBytes) return { problem: `is ${st.size} bytes, more than the ${maxBytes} bytes musectl reads`, code: 'EFBIG' };
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      // The first chunk is as big as the file says it is (and one byte more, to see it has not
      // grown), not 64 KiB: 200 secrets of a few bytes each would otherwise zero 13 MB per load.
      const want = chunks.length === 0 ? st.size + 1 : 64 * 1024;
      const chunk = Buffer.alloc(Math.min(want, 64 * 1024, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) return { problem: `is more than the ${maxBytes} bytes musectl reads`, code: 'EFBIG' };
    }
    return { data: Buffer.concat(chunks, length) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: `cannot be read: ${errnoWords(code)}`, code };
  } finally {
    closeSync(fd);
  }
}
