// The checked manifest set kept on disk between commands (src/manifest/set-cache-file.ts): a
// command that loads the same manifests again prints exactly what a fresh check prints, an edit is
// seen at once, and no Secret's value is ever written. Each test has its own temporary directory
// (TMPDIR), where the cache lives.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { readCacheFile, writeCacheFile } from '../../src/cache-file.js';
import { type CliResult, copyOfPackage, runCli } from './cli.js';
import { stage } from './harness.js';

const cacheDirIn = (tmp: string): string => join(tmp, `musectl-manifest-cache-${process.getuid?.() ?? 'user'}`);
/** The checked sets kept (set-*.v8set); a file's Stack documents go in stack-*.v8set. */
const cacheFiles = (tmp: string, kind = 'set'): string[] =>
  existsSync(cacheDirIn(tmp)) ? readdirSync(cacheDirIn(tmp)).filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.v8set')) : [];

const made: string[] = [];
// Each workspace holds the caches of its commands (the V8 code caches too: a few MB).
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workspace(name: string): { tmp: string; dir: string } {
  const tmp = mkdtempSync(join(tmpdir(), `musectl-${name}-`));
  made.push(tmp);
  const dir = join(tmp, 'stack');
  mkdirSync(dir);
  return { tmp, dir };
}

const run = (tmp: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { TMPDIR: tmp, ...env } });
const printed = (r: CliResult) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

const ACCOUNT = (name: string, displayName = 'Uploads') => `apiVersion: musectl.dev/v1alpha1
kind: ServiceAccount
metadata:
  name: ${name}
spec:
  displayName: ${displayName}
`;

describe('the checked manifest set kept between commands', () => {
  it('a second validate of SessionMUSE prints exactly what the first did, from one cache file', async () => {
    const { tmp } = workspace('setfile');
    const first = await run(tmp, ['validate', '-f', 'manifests', '-o', 'json']);
    expect(first.code, first.stderr).toBe(0);
    expect(cacheFiles(tmp)).toHaveLength(1);
    const second = await run(tmp, ['validate', '-f', 'manifests', '-o', 'json']);
    expect(printed(second)).toEqual(printed(first));
    // Off: the same answer, checked from scratch, and nothing more written.
    const off = await run(tmp, ['validate', '-f', 'manifests', '-o', 'json'], { MUSECTL_NO_MANIFEST_CACHE: '1' });
    expect(printed(off)).toEqual(printed(first));
    expect(cacheFiles(tmp)).toHaveLength(1);
  });

  it('a second command takes its answer from the file (one changed by hand shows it)', async () => {
    const { tmp, dir } = workspace('setfile-read');
    writeFileSync(join(dir, 'sa.yaml'), ACCOUNT('uploader'));
    expect((await run(tmp, ['validate', '-f', dir])).code).toBe(0);
    const path = join(cacheDirIn(tmp), cacheFiles(tmp)[0]);
    // Read and written as the caches do (src/cache-file.ts: a CRC-32 of the content, then the content).
    const stored = deserialize(readCacheFile(path)!);
    stored.value.before.push({
      file: 'planted.yaml',
      line: 3,
      col: 4,
      severity: 'warning',
      subject: 'ServiceAccount/uploader',
      message: 'planted in the cache',
    });
    expect(writeCacheFile(path, serialize(stored))).toBe(true);
    const r = await run(tmp, ['validate', '-f', dir]);
    expect(r.stderr).toContain('planted.yaml:3:4: ServiceAccount/uploader: warning: planted in the cache');
    // Another key (a variable more) is another file: checked from scratch.
    const other = await run(tmp, ['validate', '-f', dir, '--set', 'UNUSED=1']);
    expect(other.stderr).not.toContain('planted');
    expect(cacheFiles(tmp)).toHaveLength(2);
  });

  it('sees an edit at once, and locates errors and warnings in the edited text', async () => {
    const { tmp, dir } = workspace('setfile-edit');
    writeFileSync(join(dir, 'sa.yaml'), ACCOUNT('uploader'));
    expect((await run(tmp, ['validate', '-f', dir])).stderr).toContain('valid: 1 resources in 1 files: 0 errors');
    // A typo, one line down (a comment above it).
    writeFileSync(join(dir, 'sa.yaml'), `# the uploads' identity\n${ACCOUNT('uploader').replace('displayName', 'displayNme')}`);
    const edited = await run(tmp, ['validate', '-f', dir]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain(`${join(dir, 'sa.yaml')}:7:3: ServiceAccount/uploader: spec.displayNme: unknown field (did you mean "displayName"?)`);
    const again = await run(tmp, ['validate', '-f', dir]);
    expect(printed(again)).toEqual(printed(edited));
    expect(cacheFiles(tmp)).toHaveLength(2);
  });

  it("locates a problem found after the check (a Secret's file outside the stack) from the cache as from scratch", async () => {
    const { tmp, dir } = workspace('setfile-secret');
    writeFileSync(join(tmp, 'outside.txt'), 'not in the tree');
    // YAML aliases too: the copy from the cache keeps what an alias shares.
    writeFileSync(
      join(dir, 'secret.yaml'),
      `# a comment, so the error is not on line 1
apiVersion: musectl.dev/v1alpha1
kind: Secret
metadata:
  name: token
  labels: &labels
    app: sessionmuse
spec:
  replication:
    automatic: {}
  valueFrom:
    file: ../outside.txt
---
${ACCOUNT('reader').replace('metadata:\n  name: reader', 'metadata:\n  name: reader\n  labels: *labels')}`,
    );
    const fresh = await run(tmp, ['validate', '-f', dir]);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(new RegExp(`${join(dir, 'secret.yaml')}:12:11: Secret/token: .*outside`));
    const cached = await run(tmp, ['validate', '-f', dir]);
    expect(printed(cached)).toEqual(printed(fresh));
  });

  it("never writes a Secret's value, from a file or the environment, nor a --set the manifests do not use", async () => {
    const { tmp, dir } = workspace('setfile-canary');
    const fileCanary = 'canary-file-7f3a9c1e55';
    const envCanary = 'canary-env-0b2d4e6f88';
    writeFileSync(join(dir, 'value.txt'), fileCanary);
    const secret = (name: string, from: string) => `apiVersion: musectl.dev/v1alpha1
kind: Secret
metadata:
  name: ${name}
spec:
  replication:
    automatic: {}
  valueFrom:
    ${from}
`;
    writeFileSync(join(dir, 'secrets.yaml'), `${secret('from-file', 'file: value.txt')}---\n${secret('from-env', 'env: CANARY_VALUE')}`);
    const setCanary = 'canary-set-93e1c7a4d2';
    const r = await run(tmp, ['validate', '-f', dir, '--set', `UNUSED_TOKEN=${setCanary}`], { CANARY_VALUE: envCanary });
    expect(r.code, r.stderr).toBe(0);
    expect(cacheFiles(tmp)).toHaveLength(1);
    const all = readdirSync(cacheDirIn(tmp)).map((f) => readFileSync(join(cacheDirIn(tmp), f)));
    for (const bytes of all) {
      expect(bytes.includes(fileCanary)).toBe(false);
      expect(bytes.includes(envCanary)).toBe(false);
      expect(bytes.includes(setCanary)).toBe(false);
    }
    expect(all.some((bytes) => bytes.includes('value.txt'))).toBe(true); // the file's name is in it: the check did run
  });

  it('plans of SessionMUSE (with its project number) from the cache are the plans from scratch, before and after an edit', async () => {
    const { tmp } = workspace('setfile-plan');
    const s = await stage();
    try {
      const env = { TMPDIR: tmp, GEMINI_API_KEY: 'plan-canary-5d1f' };
      const off = { ...env, MUSECTL_NO_MANIFEST_CACHE: '1' };
      expect((await s.cli(['apply', '-f', s.dir, '--yes'], { env })).code).toBe(0);
      const plan = async (e: Record<string, string>) => printed(await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env: e }));
      const fresh = await plan(off);
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(await plan(env)).toEqual(fresh);
      expect(await plan(env)).toEqual(fresh);
      s.edit('backend.yaml', (t) => t.replace('memory: 2Gi', 'memory: 4Gi'));
      const edited = await plan(off);
      expect(edited.code).toBe(2);
      expect(edited.stdout).toContain('4Gi');
      expect(await plan(env)).toEqual(edited);
      expect(await plan(env)).toEqual(edited);
      expect(cacheFiles(tmp, 'stack').length).toBeGreaterThan(0); // the Stack's documents, found before each load
      for (const f of readdirSync(cacheDirIn(tmp))) expect(readFileSync(join(cacheDirIn(tmp), f)).includes('plan-canary-5d1f')).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('a schema edited in place, its length and modification time kept, is a miss', async () => {
    // A copy of the package whose schema can be edited.
    const { tmp, dir } = workspace('setfile-schema');
    const { pkg, run: runCopy } = copyOfPackage(join(tmp, 'pkg'));
    const cli = (args: string[]) => runCopy(args, { env: { TMPDIR: tmp } });
    writeFileSync(
      join(dir, 'bucket.yaml'),
      'apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata:\n  name: uploads-42\nspec:\n  location: asia-northeast1\n  storageClass: STANDRD\n',
    );
    const before = await cli(['validate', '-f', dir]);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('spec.storageClass');
    expect(cacheFiles(tmp)).toHaveLength(1);
    // "ARCHIVE" becomes "STANDRD": same length, and the time is set back as cp -p or tar would.
    const schema = join(pkg, 'schema', 'Bucket.schema.json');
    const st = statSync(schema);
    writeFileSync(schema, readFileSync(schema, 'utf8').replace('"COLDLINE", "ARCHIVE"]', '"COLDLINE", "STANDRD"]'));
    utimesSync(schema, st.atime, st.mtime);
    expect(statSync(schema).size).toBe(st.size);
    const after = await cli(['validate', '-f', dir]);
    expect(after.stderr).not.toContain('spec.storageClass');
    expect(after.code, after.stderr).toBe(0);
  });

  it('a damaged cache file is checked again and replaced', async () => {
    const { tmp, dir } = workspace('setfile-damaged');
    writeFileSync(join(dir, 'sa.yaml'), ACCOUNT('uploader'));
    const first = await run(tmp, ['validate', '-f', dir, '-o', 'json']);
    const [file] = cacheFiles(tmp);
    const path = join(cacheDirIn(tmp), file);
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length / 2));
    expect(printed(await run(tmp, ['validate', '-f', dir, '-o', 'json']))).toEqual(printed(first));
    expect(readFileSync(path).equals(good)).toBe(true);
  });

  it('a cache file damaged where V8 still reads it (one bit of a warning flipped) is checked again and replaced', async () => {
    const { tmp, dir } = workspace('setfile-bitflip');
    // A bucket without iamConfiguration: lint warns, and the warnings are part of what is kept.
    writeFileSync(
      join(dir, 'bucket.yaml'),
      'apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata:\n  name: uploads-42\nspec:\n  location: asia-northeast1\n',
    );
    const first = await run(tmp, ['validate', '-f', dir]);
    expect(first.stderr).toContain('warning: public access prevention');
    const [file] = cacheFiles(tmp);
    const path = join(cacheDirIn(tmp), file);
    const good = readFileSync(path);
    // What a bad disk block or a bit flipped in memory does: V8 deserialises it all the same.
    const damaged = Buffer.from(good);
    damaged[damaged.indexOf('public access prevention')] ^= 0x20;
    writeFileSync(path, damaged);
    const again = await run(tmp, ['validate', '-f', dir]);
    expect(again.stderr).not.toContain('Public access prevention');
    expect(printed(again)).toEqual(printed(first));
    expect(readFileSync(path).equals(good)).toBe(true);
  });

  it("removes the temporary file a command killed mid-write left, once it is an hour old, from both caches' directories", async () => {
    const { tmp, dir } = workspace('setfile-leftover');
    writeFileSync(join(dir, 'sa.yaml'), ACCOUNT('uploader'));
    const codeDir = join(tmp, `musectl-compile-cache-${process.getuid?.() ?? 'user'}`);
    const left: Array<{ path: string; old: boolean }> = [];
    for (const d of [cacheDirIn(tmp), codeDir]) {
      mkdirSync(d, { mode: 0o700 });
      // As writeCacheFile names them (FILE.PID.tmp): one of a write two hours ago, one of a write now.
      for (const [name, old] of [
        ['set-0123.v8set.4242.tmp', true],
        ['set-4567.v8set.4343.tmp', false],
      ] as const) {
        const path = join(d, name);
        writeFileSync(path, 'half a cache');
        if (old) utimesSync(path, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
        left.push({ path, old });
      }
    }
    // The first command in this TMPDIR writes both caches, and sweeps each directory.
    const r = await run(tmp, ['validate', '-f', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(cacheFiles(tmp)).toHaveLength(1);
    for (const { path, old } of left) expect({ path, there: existsSync(path) }).toEqual({ path, there: !old });
  });

  it('is not used with an environment (--env): its overrides point into its own file', async () => {
    const { tmp, dir } = workspace('setfile-env');
    cpSync('manifests', dir, { recursive: true });
    const r = await run(tmp, ['validate', '-f', dir, '--env', 'dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(cacheFiles(tmp)).toHaveLength(0);
  });
});
