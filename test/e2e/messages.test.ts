// Messages that used to mislead, pinned to their wording: each test names the old text it must
// never print again. The CLI runs as a process; the adopt test runs it against the emulator.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { type Stage, stage } from './harness.js';

function manifestDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'musectl-messages-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const STACK_WITH_PROJECT_ID = `apiVersion: musectl.dev/v1alpha1
kind: Stack
metadata: { name: demo }
spec:
  variables:
    PROJECT_ID: my-project
    lower_case: x
`;

const GRANT_WITH_SHORT_ROLE = `apiVersion: musectl.dev/v1alpha1
kind: IAMPolicyMember
metadata: { name: grant }
spec:
  role: storage.objectAdmin
  member: allUsers
  resourceRef: { kind: Project }
`;

describe('messages that used to mislead', () => {
  it('a reserved Stack variable is called reserved, not a key that fails the pattern it matches', async () => {
    const dir = manifestDir({ 'stack.yaml': STACK_WITH_PROJECT_ID });
    const r = await runCli(['validate', '-f', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'stack.yaml:6:5: Stack/demo: spec.variables: key "PROJECT_ID" is reserved: PROJECT_ID and PROJECT_NUMBER are built in and cannot be given here: the project id always comes from --project (or the emulator) and the number from Resource Manager, so no project id is written in a manifest; remove it',
    );
    expect(r.stderr).not.toMatch(/"PROJECT_ID" is not allowed \(keys must match/);
    // A key that really breaks the pattern still says so.
    expect(r.stderr).toContain('spec.variables: key "lower_case" is not allowed (keys must match ^[A-Z][A-Z0-9_]*$)');
  });

  it('a bad role quotes the whole hint, not "(The role, e.g)"', async () => {
    const dir = manifestDir({ 'grant.yaml': GRANT_WITH_SHORT_ROLE });
    const r = await runCli(['validate', '-f', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('IAMPolicyMember/grant: spec.role: "storage.objectAdmin" is not valid (The role, e.g. roles/storage.objectAdmin)');
    expect(r.stderr).not.toContain('(The role, e.g)');
  });

  it('with --project given, the placeholder note asks only for what is still missing', async () => {
    const without = await runCli(['validate', '-f', 'manifests']);
    expect(without.stderr).toContain(
      'note: the checks use placeholder values for ${PROJECT_ID}, ${PROJECT_NUMBER}; for the real ones give --project ID; --set PROJECT_NUMBER=N',
    );
    const withProject = await runCli(['validate', '-f', 'manifests', '--project', 'my-project-1']);
    expect(withProject.code).toBe(0);
    expect(withProject.stderr).toContain(
      'note: the checks use placeholder values for ${PROJECT_NUMBER}; for the real ones give --set PROJECT_NUMBER=N (plan and apply read it from Resource Manager)',
    );
    expect(withProject.stderr).not.toContain('--project');
    const graph = await runCli(['graph', '-f', 'manifests', '--project', 'my-project-1']);
    expect(graph.code).toBe(0);
    expect(graph.stderr).toContain('note: names use placeholder values for ${PROJECT_NUMBER}; for the real ones give --set PROJECT_NUMBER=N');
    expect(graph.stderr).not.toContain('--project');
  });

  describe('against the emulator', () => {
    let s: Stage;
    beforeAll(async () => {
      s = await stage({}, 'test/fixtures/ownership');
    });
    afterAll(async () => s.close());

    it('an adopted resource says "adopted" once, and what the verb does not say', async () => {
      const first = await s.cli(['apply', '-f', join(s.dir, 'keep.yaml'), '-f', join(s.dir, 'stack.yaml'), '--yes']);
      expect(first.code, first.stderr).toBe(0);
      // Another state: nothing there proves the service account is this stack's, so --adopt takes it.
      const other = join(s.dir, 'other-state');
      mkdirSync(other);
      const adopted = await s.cli(['apply', '-f', join(s.dir, 'keep.yaml'), '-f', join(s.dir, 'stack.yaml'), '--yes', '--adopt', '--state', other]);
      expect(adopted.code, adopted.stderr).toBe(0);
      expect(adopted.stderr).toMatch(/ServiceAccount\/sa-keep-x: adopted \(\d+\.\ds\) \(nothing to change; recorded in the inventory\)\n/);
      expect(adopted.stderr).toMatch(/CloudRunService\/svc-keep: adopted \(\d+\.\ds\)\n/);
      expect(adopted.stderr).not.toContain('(adopted)');
    });
  });
});
