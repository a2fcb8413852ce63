// Issue 12, item 5: a symbolic link under -f is followed, never skipped in silence. Before, a
// manifest that was a link (or sat in a linked directory) was left out: validate said "valid: 0
// resources" and `apply --prune` deleted what it described. Now links are read (with loop
// detection), and one that cannot be followed is a located error that stops before any call.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { type Stage, stage, writeCalls } from './harness.js';

const KEY = { GEMINI_API_KEY: 'symlink-key' };

describe('symbolic links under -f', () => {
  let s: Stage;
  let elsewhere: string;

  beforeAll(async () => {
    s = await stage();
    elsewhere = mkdtempSync(join(tmpdir(), 'musectl-linked-'));
    expect((await s.cli(['apply', '-f', s.dir, '--yes'], { env: KEY })).code).toBe(0);
  });
  afterAll(() => s.close());

  it('a linked file and a linked directory are read: the same plan, and --prune deletes nothing', async () => {
    // service-accounts.yaml becomes a link to a file elsewhere; the buckets move into a linked directory.
    renameSync(join(s.dir, 'service-accounts.yaml'), join(elsewhere, 'service-accounts.yaml'));
    symlinkSync(join(elsewhere, 'service-accounts.yaml'), join(s.dir, 'service-accounts.yaml'));
    mkdirSync(join(elsewhere, 'storage'));
    renameSync(join(s.dir, 'buckets.yaml'), join(elsewhere, 'storage', 'buckets.yaml'));
    symlinkSync(join(elsewhere, 'storage'), join(s.dir, 'storage'));

    const validate = await runCli(['validate', '-f', s.dir]);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stderr).toMatch(/valid: 41 resources in 13 files/);

    const plan = await s.cli(['plan', '-f', s.dir, '--prune', '--detailed-exitcode'], { env: KEY });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');

    const before = await s.stats();
    const apply = await s.cli(['apply', '-f', s.dir, '--yes', '--prune'], { env: KEY });
    expect(apply.code, apply.stderr).toBe(0);
    const after = await s.stats();
    const deletes = Object.entries(writeCalls(after.requests)).filter(([route, n]) => route.startsWith('DELETE ') && n > (before.requests[route] ?? 0));
    expect(deletes).toEqual([]);
  });

  it('a loop of links is a located error, and nothing is pruned', async () => {
    symlinkSync('.', join(elsewhere, 'storage', 'self'));
    const before = await s.stats();
    const r = await s.cli(['apply', '-f', s.dir, '--yes', '--prune'], { env: KEY });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(s.dir, 'storage', 'self')}:1:1: symbolic link loop: it leads back to`);
    expect(r.stderr).toContain('invalid: nothing was sent to Google Cloud');
    expect((await s.stats()).total).toBe(before.total);
  });
});
