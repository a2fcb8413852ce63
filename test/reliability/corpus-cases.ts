// The hostile-input corpus: every input musectl must refuse before its first call, each with the
// location and words of the error it must give. Two kinds:
//   - files in corpus/: a manifest with `# expect: LINE:COL TEXT` on its second line;
//   - cases made here, which a file in git cannot hold: bytes (NUL, invalid UTF-8, UTF-16), sizes
//     (a 2 MB name, a 17 MB file, a 70 KiB secret), depth (5,000 levels), and what is not a regular
//     file (a FIFO, /dev/zero, a symbolic link loop, a dangling link).
// corpus.test.ts runs each through the CLI against an emulator.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Expectation {
  /** The file the error names, relative to the case's directory ('' for the directory itself). */
  file: string;
  line: number;
  col: number;
  /** Words the error line must contain. */
  text: string;
}

export interface CorpusCase {
  name: string;
  /** Writes the case's manifests into `dir`; returns the -f path (relative to dir) and what to expect. */
  setup(dir: string): { path: string; expect: Expectation; env?: Record<string, string> };
}

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/** Node has no mkfifo of its own. */
const mkfifoSync = (path: string): void => {
  execFileSync('mkfifo', [path]);
};

const HEADER = 'apiVersion: musectl.dev/v1alpha1\n';
const bucket = (name: string) => `${HEADER}kind: Bucket\nmetadata:\n  name: ${name}\nspec:\n  location: asia-northeast1\n`;
const secret = (valueFrom: string) => `${HEADER}kind: Secret\nmetadata:\n  name: token\nspec:\n  valueFrom: ${valueFrom}\n`;

/** A corpus/ file as a case: copied into the case's directory as it is. */
function fileCase(name: string): CorpusCase {
  const text = readFileSync(join(CORPUS_DIR, name), 'utf8');
  const m = /^# expect: (\d+):(\d+) (.+)$/m.exec(text);
  if (!m) throw new Error(`corpus/${name} has no "# expect: LINE:COL TEXT" line`);
  return {
    name,
    setup(dir) {
      writeFileSync(join(dir, name), text);
      return { path: name, expect: { file: name, line: Number(m[1]), col: Number(m[2]), text: m[3] } };
    },
  };
}

const made: CorpusCase[] = [
  {
    name: 'raw NUL byte',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), `${bucket('tracks-nul')}  storageClass: STAN\0DARD\n`);
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 7, col: 21, text: 'a NUL byte (U+0000) is not allowed in YAML' } };
    },
  },
  {
    name: 'invalid UTF-8',
    setup(dir) {
      writeFileSync(
        join(dir, 'm.yaml'),
        Buffer.concat([Buffer.from(`${HEADER}kind: Bucket\nmetadata:\n  name: tr`), Buffer.from([0xc3, 0x28]), Buffer.from('cks\n')]),
      );
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 4, col: 11, text: 'not valid UTF-8: byte 0xc3' } };
    },
  },
  {
    name: 'UTF-16 file',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bucket('tracks-utf16'), 'utf16le')]));
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 1, col: 1, text: 'the file looks like UTF-16; save it as UTF-8' } };
    },
  },
  {
    name: 'control character',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), `${bucket('tracks-bell')}  storageClass: STANDARD\u0007\n`);
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 7, col: 25, text: 'the control character U+0007 is not allowed in YAML' } };
    },
  },
  {
    name: '2 MB name (the message quotes a short prefix)',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), bucket('x'.repeat(2_000_000)));
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 4, col: 9, text: 'a value of 2000000 characters; no field takes more than 65536' } };
    },
  },
  {
    name: '100 KB label value',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), `${HEADER}kind: Bucket\nmetadata:\n  name: tracks-big-label\n  labels:\n    team: ${'a'.repeat(100_000)}\n`);
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 6, col: 11, text: 'a value of 100000 characters' } };
    },
  },
  {
    name: '33,000-character env value',
    setup(dir) {
      const env = `        env:\n          - name: BLOB\n            value: ${'v'.repeat(33_000)}\n`;
      writeFileSync(
        join(dir, 'm.yaml'),
        `${HEADER}kind: CloudRunService\nmetadata:\n  name: svc\nspec:\n  location: asia-northeast1\n  template:\n    containers:\n      - image: nginx\n${env}`,
      );
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 12, col: 20, text: 'spec.template.containers[0].env[0].value: ' } };
    },
  },
  {
    name: '5,000-deep flow nesting',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), `${HEADER}kind: Bucket\nmetadata: ${'['.repeat(5000)}\n`);
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 3, col: 111, text: 'YAML nests deeper than 100 levels here' } };
    },
  },
  {
    name: '5,000-deep block nesting',
    setup(dir) {
      const deep = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n');
      writeFileSync(join(dir, 'm.yaml'), `${HEADER}kind: Bucket\nmetadata:\n${deep} 1\n`);
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 104, col: 103, text: 'YAML nests deeper than 100 levels here' } };
    },
  },
  {
    name: 'aliases that expand 200 levels deep (an alias bomb)',
    setup(dir) {
      const anchors = Array.from({ length: 200 }, (_, i) => `a${i}: &a${i} [${i === 0 ? 'x' : `*a${i - 1}`}]`).join('\n');
      writeFileSync(
        join(dir, 'm.yaml'),
        `${HEADER}kind: Bucket\nmetadata:\n  name: tracks-aliases\nspec:\n  location: asia-northeast1\nx:\n${anchors.replace(/^/gm, '  ')}\n`,
      );
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 1, col: 1, text: 'YAML: aliases expand into too many nodes' } };
    },
  },
  {
    name: '17 MB file',
    setup(dir) {
      writeFileSync(join(dir, 'm.yaml'), bucket('tracks-huge'));
      truncateSync(join(dir, 'm.yaml'), 17 * 1024 * 1024);
      return { path: 'm.yaml', expect: { file: 'm.yaml', line: 1, col: 1, text: 'more than the 16777216 bytes musectl reads' } };
    },
  },
  {
    name: '-f a FIFO',
    setup(dir) {
      mkfifoSync(join(dir, 'pipe.yaml'));
      return { path: 'pipe.yaml', expect: { file: 'pipe.yaml', line: 1, col: 1, text: 'is a FIFO (named pipe), not a regular file' } };
    },
  },
  {
    name: '-f /dev/zero',
    setup() {
      return { path: '/dev/zero', expect: { file: '/dev/zero', line: 1, col: 1, text: 'is a character device, not a regular file' } };
    },
  },
  {
    name: 'a FIFO named .yaml inside a -f directory',
    setup(dir) {
      mkdirSync(join(dir, 'm'));
      writeFileSync(join(dir, 'm', 'a.yaml'), bucket('tracks-beside-fifo'));
      mkfifoSync(join(dir, 'm', 'b.yaml'));
      return { path: 'm', expect: { file: 'm/b.yaml', line: 1, col: 1, text: 'is a FIFO (named pipe), not a regular file' } };
    },
  },
  {
    name: 'a symbolic link loop inside a -f directory',
    setup(dir) {
      mkdirSync(join(dir, 'm', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'm', 'a.yaml'), bucket('tracks-loop'));
      symlinkSync('..', join(dir, 'm', 'sub', 'up'));
      return { path: 'm', expect: { file: 'm/sub/up', line: 1, col: 1, text: 'symbolic link loop: it leads back to' } };
    },
  },
  {
    name: 'a dangling symbolic link inside a -f directory',
    setup(dir) {
      mkdirSync(join(dir, 'm'));
      writeFileSync(join(dir, 'm', 'a.yaml'), bucket('tracks-dangling'));
      symlinkSync('gone.yaml', join(dir, 'm', 'b.yaml'));
      return {
        path: 'm',
        expect: { file: 'm/b.yaml', line: 1, col: 1, text: 'symbolic link that cannot be followed: its target "gone.yaml" cannot be reached' },
      };
    },
  },
  {
    name: "a Secret's valueFrom.file outside the stack's tree",
    setup(dir) {
      mkdirSync(join(dir, 'm'));
      writeFileSync(join(dir, 'm', 's.yaml'), secret('{ file: ../../../../../../../etc/hostname }'));
      return { path: 'm', expect: { file: 'm/s.yaml', line: 6, col: 22, text: `resolves to "/etc/hostname", outside the stack's directory tree` } };
    },
  },
  {
    name: "a Secret's valueFrom.file linked to a file outside the tree",
    setup(dir) {
      mkdirSync(join(dir, 'm'));
      symlinkSync('/etc/hostname', join(dir, 'm', 'token.txt'));
      writeFileSync(join(dir, 'm', 's.yaml'), secret('{ file: token.txt }'));
      return { path: 'm', expect: { file: 'm/s.yaml', line: 6, col: 22, text: `resolves to "/etc/hostname", outside the stack's directory tree` } };
    },
  },
  {
    name: "a Secret's valueFrom.file that is a FIFO",
    setup(dir) {
      mkdirSync(join(dir, 'm'));
      mkfifoSync(join(dir, 'm', 'token.txt'));
      writeFileSync(join(dir, 'm', 's.yaml'), secret('{ file: token.txt }'));
      return { path: 'm', expect: { file: 'm/s.yaml', line: 6, col: 22, text: '"token.txt" is a FIFO (named pipe), not a regular file' } };
    },
  },
  {
    name: "a Secret's valueFrom.file over 64 KiB",
    setup(dir) {
      mkdirSync(join(dir, 'm'));
      writeFileSync(join(dir, 'm', 'token.txt'), 'k'.repeat(70 * 1024));
      writeFileSync(join(dir, 'm', 's.yaml'), secret('{ file: token.txt }'));
      return { path: 'm', expect: { file: 'm/s.yaml', line: 6, col: 22, text: 'Secret Manager takes at most 65536 bytes (64 KiB)' } };
    },
  },
  {
    name: "a Secret's valueFrom.env over 64 KiB",
    setup(dir) {
      writeFileSync(join(dir, 's.yaml'), secret('{ env: BIG_TOKEN }'));
      return {
        path: 's.yaml',
        expect: { file: 's.yaml', line: 6, col: 21, text: 'BIG_TOKEN holds 71680 bytes; Secret Manager takes at most 65536' },
        env: { BIG_TOKEN: 't'.repeat(70 * 1024) },
      };
    },
  },
];

export function corpus(): CorpusCase[] {
  const files = readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  return [...files.map(fileCase), ...made];
}
