// export round-trips: SessionMUSE applied to the emulator, exported into an empty directory, planned
// against the same project, changes nothing. Every kind is exported (Cloud Run jobs and the grants
// on the exported resources included), only the APIs Google does not enable by default, no empty
// or default-valued fields; existing files are never overwritten without --force. The CLI as a
// process against the emulator.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from './cli.js';
import { type Stage, stage } from './harness.js';

const REGION = 'asia-northeast1';
const KIND_FILES = [
  'ArtifactRegistryRepository.yaml',
  'Bucket.yaml',
  'CloudRunJob.yaml',
  'CloudRunService.yaml',
  'IAMPolicyMember.yaml',
  'ProjectService.yaml',
  'Secret.yaml',
  'ServiceAccount.yaml',
];

const docsOf = (file: string): Array<Record<string, any>> => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON());
const names = (file: string): string[] =>
  docsOf(file)
    .map((d) => d.metadata.name)
    .sort();

describe('export', () => {
  let s: Stage;
  let manifestGrants: string[];
  /** What the stack's manifests name, but for the one API Google enables on every project (Cloud Storage). */
  let exportable: number;
  const exportTo = (dir: string, ...extra: string[]) => s.cli(['export', '--region', REGION, '-o', dir, ...extra]);

  beforeAll(async () => {
    s = await stage();
    // A value with a literal ${...} (written $${ in a manifest) must come back as one.
    s.edit('backend.yaml', (t) =>
      t.replace('          - name: LOG_LEVEL\n', () => '          - name: SHELL_HINT\n            value: "run $${HOME}/bin"\n          - name: LOG_LEVEL\n'),
    );
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const manifests = readdirSync(s.dir)
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => docsOf(join(s.dir, f)))
      .filter((d) => d.kind !== 'Stack');
    manifestGrants = manifests
      .filter((d) => d.kind === 'IAMPolicyMember')
      .map((d) => d.metadata.name)
      .sort();
    exportable = manifests.filter((d) => !(d.kind === 'ProjectService' && d.metadata.name === 'storage.googleapis.com')).length;
  });
  afterAll(async () => s.close());

  it('exports every kind of SessionMUSE into an empty directory, and a plan of it with the stack state changes nothing', async () => {
    const out = join(s.dir, 'exported');
    const e = await exportTo(out, '--state', join(s.dir, '.state'));
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toContain(`exported ${exportable} resources of 8 kinds (stack sessionmuse) to ${out}`);
    expect(readdirSync(out).sort()).toEqual([...KIND_FILES, 'stack.yaml'].sort());
    // The APIs Google enables on every project (Cloud Storage among them) are the project's, not the stack's.
    expect(names(join(out, 'ProjectService.yaml'))).toEqual([
      'aiplatform.googleapis.com',
      'artifactregistry.googleapis.com',
      'iam.googleapis.com',
      'iamcredentials.googleapis.com',
      'run.googleapis.com',
      'secretmanager.googleapis.com',
    ]);
    // Every grant on an exported resource, and on the project to an exported account, by the inventory's names.
    expect(names(join(out, 'IAMPolicyMember.yaml'))).toEqual(manifestGrants);
    const grants = docsOf(join(out, 'IAMPolicyMember.yaml'));
    expect(grants.find((g) => g.metadata.name === 'watcher-acts-as-backend')?.spec).toEqual({
      role: 'roles/iam.serviceAccountUser',
      memberFrom: { serviceAccountRef: { name: 'sa-musectl-watcher' } },
      resourceRef: { kind: 'ServiceAccount', name: 'sa-backend' },
    });
    expect(grants.find((g) => g.metadata.name === 'backend-vertex-ai-user')?.spec).toEqual({
      role: 'roles/aiplatform.user',
      memberFrom: { serviceAccountRef: { name: 'sa-backend' } },
      resourceRef: { kind: 'Project' },
    });
    expect(grants.map((g) => g.spec.member)).not.toContainEqual(expect.stringMatching(/^project(Owner|Editor|Viewer):/)); // a bucket's own grants
    const job = docsOf(join(out, 'CloudRunJob.yaml'))[0];
    expect(job.spec.template.template).toMatchObject({ serviceAccountRef: { name: 'sa-musectl-watcher' }, timeout: '24h' });
    // No empty or default-valued field: no `labels: {}`, `command: []`, `args: []`, no default scaling or ports.
    for (const f of KIND_FILES) expect(readFileSync(join(out, f), 'utf8'), f).not.toMatch(/: (\{\}|\[\])$/m);
    const services = readFileSync(join(out, 'CloudRunService.yaml'), 'utf8');
    for (const field of ['command:', 'args:', 'minInstanceCount', 'containerPort', 'cpuIdle', 'sessionAffinity']) expect(services).not.toContain(field);
    expect(services).toContain('value: run $${HOME}/bin');

    const validated = await runCli(['validate', '-f', out]);
    expect(validated.code, validated.stderr).toBe(0);
    const plan = await s.cli(['plan', '-f', out, '--state', join(s.dir, '.state'), '-o', 'json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const json = JSON.parse(plan.stdout);
    expect(json.summary).toMatchObject({ create: 0, update: 0, replace: 0, adopt: 0, delete: 0, abandon: 0, noop: exportable });
    expect(json.wouldPrune).toEqual([]);
    expect(json.actions.flatMap((a: any) => a.warnings).filter((w: string) => /renamed|same Google resource|left alone/.test(w))).toEqual([]);
  });

  it('without the stack state, the export is adopted as it is, with no field to change', async () => {
    const out = join(s.dir, 'exported-fresh');
    expect((await exportTo(out)).code).toBe(0);
    const state = join(out, '.state');
    const planned = await s.cli(['plan', '-f', out, '--state', state, '-o', 'json']);
    expect(planned.stdout, planned.stderr).not.toBe('');
    const plan = JSON.parse(planned.stdout);
    expect(plan.actions.filter((a: any) => a.action !== 'noop' && a.action !== 'adopt')).toEqual([]);
    expect(plan.actions.filter((a: any) => a.changes.length > 0).map((a: any) => `${a.kind}/${a.name}`)).toEqual([]);
    const adopted = await s.cli(['apply', '-f', out, '--state', state, '--adopt', '--yes']);
    expect(adopted.code, adopted.stderr).toBe(0);
    const after = await s.cli(['plan', '-f', out, '--state', state, '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('No changes.');
  });

  it('never overwrites a file without --force, and reads nothing before it refuses', async () => {
    const out = join(s.dir, 'exported');
    const before = await s.stats();
    const refused = await exportTo(out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Error: export -o ${out}: ${join(out, 'stack.yaml')}, ${join(out, 'ProjectService.yaml')}, `);
    expect(refused.stderr).toContain(`${join(out, 'IAMPolicyMember.yaml')} exist already; nothing was written`);
    expect(refused.stderr).toContain('Export into an empty directory, or give --force to overwrite them.');
    expect((await s.stats()).total).toBe(before.total);
    const forced = await exportTo(out, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(out, 'CloudRunJob.yaml'))).toBe(true);
  });

  it('checks --stack as a Stack name', async () => {
    const r = await s.cli(['export', '--region', REGION, '--stack', 'Not A Name']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--stack Not A Name: a stack name is 1-63 lower-case letters, digits, '-' and '_', starting with a letter");
  });
});
