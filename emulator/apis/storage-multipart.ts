// multipart/related bodies (RFC 2387) as Cloud Storage's multipart upload takes them: parts
// separated by `--boundary`, each with its own headers, the last delimiter followed by `--`.
// Works on bytes: the media part is arbitrary binary content. gcloud (Python's email package) quotes
// the boundary in single quotes and breaks lines with LF alone; the Node client uses CRLF.
import { storageError } from '../errors.js';

export interface MultipartPart {
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const LF = Buffer.from('\n');

export function parseMultipart(contentType: string, raw: Buffer): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\//i.test(contentType) || !m) {
    throw storageError(400, 'invalid', 'Multipart upload requires a multipart/related body with a boundary.');
  }
  const delimiter = Buffer.from(`--${m[1] ?? m[2] ?? m[3]}`);
  const parts: MultipartPart[] = [];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    // `--boundary--` closes the body.
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    let part = raw.subarray(start, next);
    if (part.subarray(0, 2).equals(CRLF)) part = part.subarray(2);
    else if (part.subarray(0, 1).equals(LF)) part = part.subarray(1);
    // The line break before the next delimiter belongs to the delimiter, not to the content.
    if (part.subarray(part.length - 2).equals(CRLF)) part = part.subarray(0, part.length - 2);
    else if (part.subarray(part.length - 1).equals(LF)) part = part.subarray(0, part.length - 1);
    parts.push(splitPart(part));
    at = next;
  }
  return parts;
}

function splitPart(part: Buffer): MultipartPart {
  // Headers end at the first blank line, CRLF CRLF or LF LF, whichever comes first.
  const crlf = part.indexOf('\r\n\r\n');
  const lf = part.indexOf('\n\n');
  const [end, gap] = crlf >= 0 && (lf < 0 || crlf <= lf) ? [crlf, 4] : [lf, 2];
  // A part with no headers starts straight with its blank line.
  const startsBlank = part.subarray(0, 2).equals(CRLF) ? 2 : part.subarray(0, 1).equals(LF) ? 1 : 0;
  const headerText = startsBlank > 0 || end < 0 ? '' : part.subarray(0, end).toString('utf8');
  const body = startsBlank > 0 ? part.subarray(startsBlank) : end < 0 ? part : part.subarray(end + gap);
  const headers: Record<string, string> = {};
  for (const line of headerText.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}
