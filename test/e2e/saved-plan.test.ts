// Saved plans (plan --out, apply FILE): one made for another target is refused as "made for" it
// before anything is read; a stale one names the files and the resources that changed.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

describe('saved plans', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/ownership');
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => s.close());

  const savePlan = async (name: string): Promise<string> => {
    const file = join(s.dir, name);
    const r = await s.cli(['plan', '-f', s.dir, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Saved the plan for project ${PROJECT} on the emulator to ${file}`);
    return file;
  };

  it('refuses a plan made for another project as "made for" it, reading nothing', async () => {
    const file = await savePlan('for-e2e.json');
    const before = await s.stats();
    const r = await runCli(['apply', file, '--emulator', s.emu.url, '--project', 'another-project']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Error: the saved plan ${file} was made for project ${PROJECT} on the emulator, not project another-project on the emulator: nothing was read or changed`,
    );
    expect(r.stderr).toContain(`Apply it with --emulator URL --project ${PROJECT}, or make a plan for project another-project on the emulator`);
    expect(r.stderr).not.toContain('stale');
    expect((await s.stats()).total).toBe(before.total);
  });

  it("refuses the emulator's plan given to Google Cloud, before any call", async () => {
    const file = await savePlan('for-emulator.json');
    const r = await runCli(['apply', file, '--project', PROJECT], {
      env: { METADATA_SERVER_DETECTION: 'none', GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`was made for project ${PROJECT} on the emulator, not project ${PROJECT} on Google Cloud`);
  });

  it("refuses --env on a plan made without one as the plan's, not as missing manifests", async () => {
    const file = await savePlan('no-env.json');
    const before = await s.stats();
    // No --project: the plan's own target is used, so nothing may read --env's file from -f first.
    const r = await runCli(['apply', file, '--emulator', s.emu.url, '--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--env dev, but the saved plan was made without an environment: the plan knows it');
    expect(r.stderr).not.toContain('no manifests given');
    expect((await s.stats()).total).toBe(before.total);
  });

  it('a stale plan names the files and the resources that changed', async () => {
    const file = await savePlan('stale.json');
    s.edit('keep.yaml', (t) => t.replace('memory: 512Mi', 'memory: 1Gi'));
    writeFileSync(
      join(s.dir, 'extra.yaml'),
      'apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: { name: "own-extra-${PROJECT_ID}" }\nspec:\n  location: asia-northeast1\n',
    );
    rmSync(join(s.dir, 'gone.yaml'));
    const r = await s.cli(['apply', file]);
    expect(r.code).toBe(1);
    const [files, resources] = [
      `files changed: ${join(s.dir, 'keep.yaml')}; files added: ${join(s.dir, 'extra.yaml')}; files removed: ${join(s.dir, 'gone.yaml')}`,
      `resources changed: CloudRunService/svc-keep; resources added: Bucket/own-extra-${PROJECT}; resources removed: Bucket/own-data-${PROJECT}, Bucket/own-logs-${PROJECT}, CloudRunService/svc-gone, ServiceAccount/sa-gone-x`,
    ];
    expect(r.stderr).toContain(`Error: the saved plan ${file} is stale: the manifests changed since it was made (${files}; ${resources})`);
    expect(r.stderr).toContain('Nothing was changed. Make a new plan, review it, and apply that.');
  });
});
