// musectl graph as a process: the SessionMUSE stack as Mermaid and dot, from the manifests alone
// (no Google client loaded), and invalid manifests reported like validate reports them; and the
// graph where reviewers see it: embedded in `plan -o markdown`, changed resources marked.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';
import { PROJECT, stage } from './harness.js';

describe('musectl graph (CLI)', () => {
  it('prints the stack as a Mermaid flowchart with reference and implicit API edges', async () => {
    const r = await runCli(['graph', '-f', 'manifests', '-o', 'mermaid']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(r.stdout).toContain('  ServiceAccount_sa_backend --> CloudRunService_sessionmuse_backend\n');
    expect(r.stdout).toContain('  CloudRunService_sessionmuse_backend --> CloudRunService_sessionmuse_frontend\n');
    expect(r.stdout).toContain('  Secret_GEMINI_API_KEY --> IAMPolicyMember_backend_gemini_key_accessor\n');
    expect(r.stdout).toContain('  ProjectService_run_googleapis_com --> CloudRunService_sessionmuse_backend\n');
    expect(r.stdout).toContain('["CloudRunService<br/>sessionmuse-backend"]');
    // Every line is a node, an edge or the header: nothing Mermaid would choke on.
    for (const line of r.stdout.trimEnd().split('\n').slice(1)) expect(line).toMatch(/^ {2}\w+(\["[^"]*"\]| --> \w+)$/);
    expect(r.stderr).toContain('placeholder values for ${PROJECT_ID}');
  });

  it('prints Graphviz dot with -o dot, and uses --project in names', async () => {
    const r = await runCli(['graph', '-f', 'manifests', '-o', 'dot', '--project', 'my-project']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^digraph musectl \{\n/);
    expect(r.stdout).toContain('  "ServiceAccount/sa-backend" -> "CloudRunService/sessionmuse-backend";\n');
    expect(r.stdout).toContain('  "ProjectService/storage.googleapis.com" -> "Bucket/sessionmuse-uploads-my-project";\n');
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
  });

  it('is the graph the README shows (regenerate it there when the manifests change)', async () => {
    const r = await runCli(['graph', '-f', 'manifests']);
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('### `musectl graph'));
    const block = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(r.stdout);
  });

  it('gives the same graph every run', async () => {
    const [a, b] = await Promise.all([runCli(['graph', '-f', 'manifests']), runCli(['graph', '-f', 'manifests'])]);
    expect(a.stdout).toBe(b.stdout);
  });

  it('never loads a Google client library', async () => {
    const r = await runCli(['graph', '-f', 'manifests'], { nodeArgs: ['--require', `${ROOT}test/fixtures/trace-google-modules.cjs`] });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('TRACE google modules loaded: 0');
  });

  it('reports invalid manifests like validate, prints no graph, exits 1', async () => {
    const r = await runCli(['graph', '-f', 'test/fixtures/invalid/four-errors.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('test/fixtures/invalid/four-errors.yaml:6:3: ServiceAccount/sa-one: spec.displayNme: unknown field');
    expect(r.stderr).toContain('invalid: 1 resources in 1 files: 4 errors, 0 warnings');
  });

  it('has --help, a usage error for an unknown format, and a line in the command list', async () => {
    const help = await runCli(['graph', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: musectl graph -f PATH... [-o mermaid|dot]');
    const bad = await runCli(['graph', '-f', 'manifests', '-o', 'svg']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('-o svg: use mermaid or dot');
    const main = await runCli(['--help']);
    expect(main.stdout).toMatch(/\n {2}graph +Print the dependency graph/);
  });
});

describe('musectl plan -o markdown (CLI, emulator)', () => {
  it('writes the pull-request report: grants first, the marked graph, the hash of the JSON plan, no secret', async () => {
    const s = await stage();
    try {
      const canary = 'CANARY-markdown-key-9d41c2';
      const md = await s.cli(['plan', '-f', s.dir, '-o', 'markdown'], { env: { GEMINI_API_KEY: canary } });
      expect(md.code, md.stderr).toBe(0);
      expect(md.stdout).toMatch(/^### musectl plan\n\n\*\*\d+ to create, 0 to update, 0 to delete/);
      expect(md.stdout).toContain(`| **+** added | \`roles/run.invoker\` | \`serviceAccount:sa-frontend@${PROJECT}.iam.gserviceaccount.com\` |`);
      // The front end is public by invokerIamDisabled: a security-relevant setting, shown first.
      expect(md.stdout).toContain('| CloudRunService/sessionmuse-frontend (create) | `invokerIamDisabled` | *(none)* | `true` |');
      expect(md.stdout.indexOf('Security-relevant changes')).toBeLessThan(md.stdout.indexOf('| Kind | Name | Action |'));
      expect(md.stdout).toContain('### Accepted lint warnings (2)'); // manifests/ accepts its two design findings, with reasons
      expect(md.stdout).toContain('```mermaid\nflowchart LR\n');
      expect(md.stdout).toMatch(/\n {2}class [\w,]*CloudRunService_sessionmuse_backend[\w,]* create\n/);
      expect(md.stdout).not.toContain(canary);
      const json = await s.cli(['plan', '-f', s.dir, '-o', 'json'], { env: { GEMINI_API_KEY: canary } });
      const hash = createHash('sha256').update(json.stdout).digest('hex');
      expect(md.stdout).toContain(`<!-- musectl-plan sha256:${hash} -->`);
    } finally {
      await s.close();
    }
  });
});
