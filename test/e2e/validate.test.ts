import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

const FIXTURE = 'test/fixtures/invalid/four-errors.yaml';

describe('musectl validate (CLI)', () => {
  it('accepts manifests/ and exits 0, noting the placeholders it used', async () => {
    const r = await runCli(['validate', '-f', 'manifests']);
    // The two design findings manifests/ accepts on purpose (musectl.dev/lint-ignore) are shown with their reasons.
    expect(r.stderr).toContain('valid: 41 resources in 13 files: 0 errors, 0 warnings, 2 accepted');
    expect(r.stderr).toMatch(
      /manifests\/frontend\.yaml:\d+:\d+: CloudRunService\/sessionmuse-frontend: accepted \(the design sets it at run time .*\[next-public-on-runtime\]/,
    );
    expect(r.stderr).toContain('placeholder values for ${PROJECT_ID}, ${PROJECT_NUMBER}');
    expect(r.code).toBe(0);
  });

  it('reports all four errors of a bad manifest with file:line:col on stderr, nothing on stdout, exit 1', async () => {
    const r = await runCli(['validate', '-f', FIXTURE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `${FIXTURE}:6:3: ServiceAccount/sa-one: spec.displayNme: unknown field (did you mean "displayName"?)`,
      `${FIXTURE}:16:13: CloudRunService/svc: spec.template.serviceAccountRef: refers to ServiceAccount "sa-missing", which is not in the manifests`,
      `${FIXTURE}:18:25: CloudRunService/svc: spec.template.scaling.maxInstanceCount: must be an integer, not the string "lots"`,
      `${FIXTURE}:25:9: ServiceAccount/sa-one: duplicate ServiceAccount named "sa-one"; the first is at ${FIXTURE}:4:9`,
    ]);
    expect(lines[4]).toBe('invalid: 1 resources in 1 files: 4 errors, 0 warnings');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('prints machine-readable diagnostics with -o json', async () => {
    const r = await runCli(['validate', '-f', FIXTURE, '-o', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.valid).toBe(false);
    expect(json.diagnostics).toHaveLength(4);
    expect(json.diagnostics[0]).toMatchObject({ file: FIXTURE, line: 6, col: 3, severity: 'error' });
  });

  it('--strict makes the design warnings errors, and passes the ones a manifest accepts with a reason', async () => {
    const accepted = await runCli(['validate', '-f', 'manifests', '--strict']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('valid: 41 resources in 13 files: 0 errors, 0 warnings, 2 accepted');
    // Without the lint-ignore annotation the same findings fail --strict.
    const dir = mkdtempSync(join(tmpdir(), 'musectl-strict-'));
    cpSync('manifests', dir, { recursive: true });
    const frontend = join(dir, 'frontend.yaml');
    writeFileSync(frontend, readFileSync(frontend, 'utf8').replace(/ {2}annotations:\n(?: {4}.*\n)+/, ''));
    const r = await runCli(['validate', '-f', dir, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid: 41 resources in 13 files: 2 errors, 0 warnings');
  });

  it("takes a grant's resource kinds from the controllers: any kind that holds an IAM policy, nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-grantkinds-'));
    const grant = (name: string, kind: string, external: string) =>
      `apiVersion: musectl.dev/v1alpha1\nkind: IAMPolicyMember\nmetadata: { name: ${name} }\nspec:\n  role: roles/run.invoker\n  member: user:a@example.com\n  resourceRef: { kind: ${kind}, external: ${external} }\n`;
    writeFileSync(join(dir, 'grants.yaml'), [grant('job', 'CloudRunJob', 'projects/p/locations/l/jobs/j'), grant('typo', 'Buckit', 'b')].join('---\n'));
    const r = await runCli(['validate', '-f', dir, '--stack', 'g']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /grants\.yaml:\d+:\d+: IAMPolicyMember\/typo: resourceRef\.kind: Buckit is not a kind whose resources have an IAM policy \(did you mean "Bucket"\?\); one of Project, .*CloudRunJob/,
    );
    expect(r.stderr).not.toContain('IAMPolicyMember/job');
  });

  it('refuses a lint-ignore of a rule that does not exist, with the rule it meant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-lintignore-'));
    cpSync('manifests', dir, { recursive: true });
    const frontend = join(dir, 'frontend.yaml');
    writeFileSync(frontend, readFileSync(frontend, 'utf8').replace('next-public-on-runtime:', 'next-public-on-runtim:'));
    const r = await runCli(['validate', '-f', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /frontend\.yaml:\d+:\d+: CloudRunService\/sessionmuse-frontend: musectl\.dev\/lint-ignore: no lint rule "next-public-on-runtim" \(did you mean "next-public-on-runtime"\?\)/,
    );
  });

  it('never loads a Google client library', async () => {
    const r = await runCli(['validate', '-f', 'manifests'], { nodeArgs: ['--require', `${ROOT}test/fixtures/trace-google-modules.cjs`] });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('TRACE google modules loaded: 0');
  });

  it('colours only when asked: NO_COLOR and --no-color win over FORCE_COLOR', async () => {
    const colored = await runCli(['validate', '-f', FIXTURE], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(colored.stderr).toContain('\u001b[31m');
    const plain = await runCli(['validate', '-f', FIXTURE, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(plain.stderr).not.toContain('\u001b[');
    const noColor = await runCli(['validate', '-f', FIXTURE], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(noColor.stderr).not.toContain('\u001b[');
  });
});

describe('CLI conventions', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout).toMatch(/^musectl \d+\.\d+\.\d+\n$/);
    expect(r.code).toBe(0);
  });

  it('has --help on every command', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    const commands = [...main.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(commands).toContain('validate');
    for (const c of commands) {
      const r = await runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^musectl ${c}: .+\\n\\nUsage: musectl ${c}`));
      expect(r.stdout, c).toContain('-h, --help');
    }
  });

  it('explains usage mistakes without a stack trace', async () => {
    const unknown = await runCli(['valdate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('musectl: unknown command "valdate" (did you mean "validate"?). Run "musectl --help" for the list.\n');
    const flag = await runCli(['validate', '--nope']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/^musectl validate: Unknown option '--nope'.*\nRun "musectl validate --help" for usage\.\n$/s);
    const missing = await runCli(['validate']);
    expect(missing.stderr).toContain('no manifests given: use -f PATH');
  });
});

describe('command list', () => {
  it('lists each command with the summary its module declares', async () => {
    const { main } = await import('../../src/cli/main.js');
    const lines: string[] = [];
    await main(['--help'], {
      out: (t) => lines.push(t),
      err: () => undefined,
      color: (await import('../../src/cli/output.js')).makeColors(false),
      interactive: false,
    });
    for (const [name, mod, exp] of [
      ['validate', '../../src/cli/commands/validate.js', 'validateCommand'],
      ['plan', '../../src/cli/commands/plan.js', 'planCommand'],
      ['apply', '../../src/cli/commands/apply.js', 'applyCommand'],
      ['up', '../../src/cli/commands/up.js', 'upCommand'],
      ['emulator', '../../src/cli/commands/emulator.js', 'emulatorCommand'],
      ['export', '../../src/cli/commands/export.js', 'exportCommand'],
      ['watch', '../../src/cli/commands/watch.js', 'watchCommand'],
    ] as const) {
      const cmd = (await import(mod))[exp];
      expect(cmd.name).toBe(name);
      expect(lines.join('')).toContain(`${name}`);
      expect(lines.join('')).toContain(cmd.summary);
    }
  });
});
