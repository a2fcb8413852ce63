// The state tools end to end: state list, rm, mv, migrate, the musectl.dev/renamed-from
// annotation, and a renamed grant that a prune must not remove. The CLI as a process against the
// emulator; the official Storage client and the emulator's REST API to check what Google holds.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lease } from '../../src/state/lease.js';
import { LocalStateStore } from '../../src/state/local-store.js';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

const STATE_BUCKET = 'tools-state-e2e';

/** The inventory's entries, straight from the local state file. */
function entries(dir: string): Array<Record<string, any>> {
  const raw = JSON.parse(readFileSync(join(dir, `${PROJECT}.tools.inventory.json`), 'utf8'));
  return JSON.parse(Buffer.from(raw.data, 'base64').toString()).entries;
}

describe('state tools', () => {
  let s: Stage;
  let storage: Storage;
  let stateDir: string;
  const state = (args: string[]) => s.cli(['state', ...args, '-f', s.dir, '--state', stateDir]);
  const bucketPolicy = async (bucket: string): Promise<Array<{ role: string; members: string[] }>> =>
    ((await (await fetch(`${s.emu.url}/storage/v1/b/${bucket}/iam`)).json()) as { bindings: Array<{ role: string; members: string[] }> }).bindings;

  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/state');
    stateDir = join(s.dir, '.state');
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => s.close());

  it('state list shows each resource with its Google id, deletion policy, status and evidence', async () => {
    const r = await state(['list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Stack tools of project ${PROJECT}: 4 resources in ${stateDir}/${PROJECT}.tools.inventory.json`);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RESOURCE +ON PRUNE +STATUS +EVIDENCE +GOOGLE ID$/);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^Bucket/tools-data-${PROJECT} +abandon +confirmed +timeCreated=\\S+ +tools-data-${PROJECT}$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^ServiceAccount/sa-tools +delete +confirmed +uniqueId=\\d+ +projects/${PROJECT}/serviceAccounts/sa-tools@`)),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^IAMPolicyMember\/tools-reader +delete +confirmed +\(none\) +Bucket\|tools-data-/));
    const json = JSON.parse((await state(['list', '-o', 'json'])).stdout);
    expect(json.entries.map((e: any) => `${e.kind}/${e.name}:${e.inManifests}`)).toEqual([
      `Bucket/tools-data-${PROJECT}:true`,
      `Bucket/tools-logs-${PROJECT}:true`,
      'IAMPolicyMember/tools-reader:true',
      'ServiceAccount/sa-tools:true',
    ]);
  });

  it('every state command waits for the stack lock and names its holder', async () => {
    const held = await Lease.acquire(new LocalStateStore(stateDir), { project: PROJECT, stack: 'tools' }, { waitMs: 0, what: 'musectl apply (test)' });
    try {
      for (const args of [
        ['list'],
        ['rm', `Bucket/tools-logs-${PROJECT}`, '--yes'],
        ['mv', 'ServiceAccount/sa-tools', 'ServiceAccount/sa-x'],
        ['migrate', '--to', join(s.dir, 'x')],
      ]) {
        const r = await state(args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toContain(`Error: stack tools of project ${PROJECT} is locked by musectl apply (test)`);
      }
    } finally {
      await held.release();
    }
    expect(entries(stateDir)).toHaveLength(4); // nothing was changed meanwhile
  });

  it('state rm forgets a resource and keeps it in Google Cloud, without the ownership labels', async () => {
    const bucket = `tools-logs-${PROJECT}`;
    const refused = await state(['rm', `Bucket/${bucket}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('state rm needs confirmation and there is no terminal to ask on');
    const r = await state(['rm', `Bucket/${bucket}`, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Forgot Bucket/${bucket}. Its manifest is still in ${join(s.dir, 'resources.yaml')}`);
    expect(entries(stateDir).map((e) => e.name)).not.toContain(bucket);
    const [metadata] = await storage.bucket(bucket).getMetadata();
    expect(metadata.labels ?? {}).not.toHaveProperty('musectl-stack');
    // With its manifest gone too, nothing is pruned: the stack does not own it any more.
    s.edit('resources.yaml', (t) =>
      t.replace(
        /---\napiVersion: musectl.dev\/v1alpha1\nkind: Bucket\nmetadata: \{ name: "tools-logs-\$\{PROJECT_ID\}" \}\nspec:\n {2}location: asia-northeast1\n/,
        '',
      ),
    );
    const plan = JSON.parse((await s.cli(['plan', '-f', s.dir, '-o', 'json', '--state', stateDir])).stdout);
    expect(plan.wouldPrune).toEqual([]);
    expect((await storage.bucket(bucket).exists())[0]).toBe(true);
    const unknown = await state(['rm', 'Bucket/tools-nope', '--yes']);
    expect(unknown.stderr).toContain('Error: Bucket/tools-nope is not in the inventory of stack tools');
  });

  it('a grant renamed without saying so is kept by a prune, and the plan says how to record the rename', async () => {
    s.edit('resources.yaml', (t) => t.replace('name: tools-reader', 'name: tools-data-reader'));
    const plan = await s.cli(['plan', '-f', s.dir, '--prune', '--state', stateDir]);
    expect(plan.stdout).toContain(
      'warning: IAMPolicyMember/tools-reader: no longer in the manifests, but IAMPolicyMember/tools-data-reader names the same Google resource, so it is kept; to record the rename, annotate IAMPolicyMember/tools-data-reader with musectl.dev/renamed-from: tools-reader (or run musectl state mv IAMPolicyMember/tools-reader IAMPolicyMember/tools-data-reader)',
    );
    const applied = await s.cli(['apply', '-f', s.dir, '--prune', '--yes', '--state', stateDir]);
    expect(applied.code, applied.stderr).toBe(0);
    const viewers = (await bucketPolicy(`tools-data-${PROJECT}`)).find((b) => b.role === 'roles/storage.objectViewer');
    expect(viewers?.members).toEqual([`serviceAccount:sa-tools@${PROJECT}.iam.gserviceaccount.com`]);
  });

  it('state mv gives the entry the new name: no change, nothing to prune', async () => {
    const r = await state(['mv', 'IAMPolicyMember/tools-reader', 'IAMPolicyMember/tools-data-reader']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Moved IAMPolicyMember/tools-reader to IAMPolicyMember/tools-data-reader (Bucket|tools-data-');
    const plan = await s.cli(['plan', '-f', s.dir, '--prune', '--detailed-exitcode', '--state', stateDir]);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).not.toContain('warning');
    expect(entries(stateDir).map((e) => e.name)).toContain('tools-data-reader');
    // A service account moved to another name keeps its id and its evidence.
    const before = entries(stateDir).find((e) => e.name === 'sa-tools')!;
    expect((await state(['mv', 'ServiceAccount/sa-tools', 'ServiceAccount/sa-renamed'])).code).toBe(0);
    const after = entries(stateDir).find((e) => e.name === 'sa-renamed')!;
    expect({ id: after.id, evidence: after.evidence }).toEqual({ id: before.id, evidence: before.evidence });
    expect(after.evidence.uniqueId).toMatch(/^\d+$/);
    expect((await state(['mv', 'ServiceAccount/sa-renamed', 'ServiceAccount/sa-tools'])).code).toBe(0);
    const mixed = await state(['mv', 'ServiceAccount/sa-tools', 'Bucket/sa-tools']);
    expect(mixed.stderr).toContain('the kind stays the same');
  });

  it('musectl.dev/renamed-from renames the entry during apply: the same grant, not replaced, not pruned', async () => {
    s.edit('resources.yaml', (t) =>
      t.replace('metadata: { name: tools-data-reader }', 'metadata:\n  name: tools-viewer\n  annotations: { musectl.dev/renamed-from: tools-data-reader }'),
    );
    const plan = await s.cli(['plan', '-f', s.dir, '--prune', '--state', stateDir]);
    expect(plan.stdout).toContain(
      'warning: IAMPolicyMember/tools-viewer: renamed from IAMPolicyMember/tools-data-reader (Bucket|tools-data-e2e-project|roles/storage.objectViewer|serviceAccount:sa-tools@e2e-project.iam.gserviceaccount.com): the same Google resource, not replaced; apply moves its inventory entry',
    );
    expect(plan.stdout).toContain('No changes.');
    const before = await s.stats();
    const applied = await s.cli(['apply', '-f', s.dir, '--prune', '--yes', '--state', stateDir]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(writeCalls(callsBetween(before, await s.stats()))).toEqual({}); // nothing written to Google: the grant stays as it is
    const names = entries(stateDir).map((e) => e.name);
    expect(names).toContain('tools-viewer');
    expect(names).not.toContain('tools-data-reader');
    const again = await s.cli(['plan', '-f', s.dir, '--prune', '--detailed-exitcode', '--state', stateDir]);
    expect(again.code, again.stdout).toBe(0);
  });

  it('state migrate moves the inventory to gs://, leaves a marker, and never overwrites', async () => {
    await storage.createBucket(STATE_BUCKET);
    // A watcher cycle first: its status (last cycle, backoff) moves with the inventory.
    const cycle = await s.cli(['watch', '-f', s.dir, '--once', '--state', stateDir]);
    expect(cycle.code, cycle.stderr).toBe(0);
    const to = `gs://${STATE_BUCKET}/musectl`;
    const r = await state(['migrate', '--to', to]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `Moved the inventory of stack tools (3 resources) from ${stateDir}/${PROJECT}.tools.inventory.json to ${to}/${PROJECT}.tools.inventory.json.`,
    );
    expect(r.stderr).toContain("The watcher's status went with it.");
    const [files] = await storage.bucket(STATE_BUCKET).getFiles({ prefix: 'musectl/' });
    // (and no lease left behind)
    expect(files.map((f) => f.name).sort()).toEqual([`musectl/${PROJECT}.tools.inventory.json`, `musectl/${PROJECT}.tools.watcher-status.json`]);
    const old = await s.cli(['plan', '-f', s.dir, '--state', stateDir]);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain(
      `the inventory of stack tools moved from ${stateDir}/${PROJECT}.tools.inventory.json to ${to}/${PROJECT}.tools.inventory.json`,
    );
    expect(old.stderr).toContain(`Run with --state ${to}`);
    const planned = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode', '--state', to]);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    // Back to the old directory: something is there (the marker), and migrate never overwrites.
    const back = await s.cli(['state', 'migrate', '-f', s.dir, '--state', to, '--to', stateDir]);
    expect(back.code).toBe(1);
    expect(back.stderr).toContain(`an inventory of stack tools exists already at ${stateDir}/${PROJECT}.tools.inventory.json: migrate never overwrites one`);
    rmSync(join(stateDir, `${PROJECT}.tools.inventory.json`));
    const home = await s.cli(['state', 'migrate', '-f', s.dir, '--state', to, '--to', stateDir]);
    expect(home.code, home.stderr).toBe(0);
    expect(entries(stateDir).map((e) => e.name)).toEqual([`tools-data-${PROJECT}`, 'tools-viewer', 'sa-tools']);
  });
});
