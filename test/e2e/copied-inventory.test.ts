// An inventory is the stack's evidence of what it made. One copied (or renamed) into the file of
// another project, stack or environment holds another stack's entries: with them a plan took the
// other project's service account for this stack's and replaced it (so deleted it), and its grant
// on the other project's bucket too. Every command that reads it refuses it instead, before any
// call to Google.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { iam } from '@googleapis/iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const OTHER = 'e2e-other-project';

describe('an inventory copied from another project', () => {
  let s: Stage;
  let stateDir: string;
  const file = (project: string) => join(stateDir, `${project}.tools.inventory.json`);
  /** The command in project `project`, against this stage's emulator and state. */
  const cli = (project: string, args: string[]) => runCli([...args, '-f', s.dir, '--emulator', s.emu.url, '--project', project, '--state', stateDir]);

  beforeAll(async () => {
    s = await stage({ projects: [PROJECT, OTHER] }, 'test/fixtures/state');
    stateDir = join(s.dir, '.state');
    const r = await cli(OTHER, ['apply', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    // As a user might "reuse" a state: the other project's inventory, copied to this project's file.
    copyFileSync(file(OTHER), file(PROJECT));
  });
  afterAll(async () => s.close());

  it('is refused by plan, apply --prune, state list and destroy, naming both projects, with no call to Google', async () => {
    const calls = (await s.stats()).total;
    for (const args of [
      ['plan', '--prune'],
      ['apply', '--prune', '--yes'],
      ['state', 'list'],
      ['destroy', '--yes'],
    ]) {
      const r = await cli(PROJECT, args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toContain(`the inventory ${file(PROJECT)} is of project ${OTHER}, not of project ${PROJECT}`);
      expect(r.stderr).toContain(`Move it back to ${OTHER}.tools.inventory.json`);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect((await s.stats()).total).toBe(calls);
  });

  it("leaves the other project's resources as they were", async () => {
    const storage = new Storage({ apiEndpoint: s.emu.url, projectId: OTHER });
    for (const b of [`tools-data-${OTHER}`, `tools-logs-${OTHER}`]) expect(await storage.bucket(b).exists()).toEqual([true]);
    const accounts = iam({ version: 'v1', rootUrl: `${s.emu.url}/` });
    const sa = await accounts.projects.serviceAccounts.get({ name: `projects/${OTHER}/serviceAccounts/sa-tools@${OTHER}.iam.gserviceaccount.com` });
    expect(sa.status).toBe(200);
    // Its own inventory still works in its own project.
    const r = await cli(OTHER, ['plan', '--detailed-exitcode']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('an inventory of another stack renamed to this one is refused the same way', async () => {
    const raw = JSON.parse(readFileSync(file(OTHER), 'utf8')) as { data: string; generation: string };
    const inv = JSON.parse(Buffer.from(raw.data, 'base64').toString());
    writeFileSync(file(OTHER), JSON.stringify({ ...raw, data: Buffer.from(JSON.stringify({ ...inv, stack: 'other-tools' })).toString('base64') }));
    const r = await cli(OTHER, ['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is of stack other-tools, not of stack tools`);
  });
});
