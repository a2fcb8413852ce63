// A watched directory reports, at each sync, whether its manifests changed since the last one (the
// watcher's cycle line and status say manifestsChanged), as a bucket source does: the first sync
// is a change; an edit, even one that keeps the size and the time, an added and a removed file are.
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySource } from '../../../src/state/manifest-source.js';

const dir = mkdtempSync(join(tmpdir(), 'musectl-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DirectorySource.sync', () => {
  it('says changed on the first sync, then only when a manifest changed, was added or removed', async () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'kind: ServiceAccount # 1\n');
    const source = new DirectorySource(dir);
    expect((await source.sync()).changed).toBe(true);
    expect((await source.sync()).changed).toBe(false);

    const { atime, mtime } = statSync(file);
    writeFileSync(file, 'kind: ServiceAccount # 2\n'); // same size
    utimesSync(file, atime, mtime); // and the same time
    expect((await source.sync()).changed).toBe(true);
    expect((await source.sync()).changed).toBe(false);

    writeFileSync(join(dir, 'b.yaml'), 'kind: Bucket\n');
    expect((await source.sync()).changed).toBe(true);
    rmSync(join(dir, 'b.yaml'));
    expect((await source.sync()).changed).toBe(true);
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    expect((await source.sync()).changed).toBe(false);
  });
});
