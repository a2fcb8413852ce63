// Environments: SessionMUSE as dev and prod from one manifest directory into two projects (the
// shipped manifests/environments/dev.yaml and prod.yaml), each with its variables and overrides,
// its own inventory and its own lease; errors about an environment point at its file's lines. The
// CLI as a process against the emulator; Google's side read through the official clients.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { seedImages } from '../../emulator/index.js';
import { artifactRegistryImages } from '../../src/cli/stack-images.js';
import { Lease } from '../../src/state/lease.js';
import { LocalStateStore } from '../../src/state/local-store.js';
import { gaxOptions } from '../emulator/helpers.js';
import { until } from '../support/until.js';
import { type CliResult, ROOT, runCli, startCli } from './cli.js';
import { type Stage, stage } from './harness.js';

const DEV = 'sessionmuse-dev';
const PROD = 'sessionmuse-prod';
const service = (project: string, name: string) => `projects/${project}/locations/asia-northeast1/services/${name}`;

describe('SessionMUSE as dev and prod from one manifest directory', () => {
  let s: Stage;
  let run: InstanceType<typeof v2.ServicesClient>;
  let state: string;
  const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--emulator', s.emu.url, '--state', state]);
  const container = async (project: string, name: string) => {
    const [svc] = await run.getService({ name: service(project, name) });
    return { svc, c: svc.template!.containers![0], vars: Object.fromEntries((svc.template!.containers![0].env ?? []).map((e) => [e.name, e.value])) };
  };

  beforeAll(async () => {
    // Two projects of the emulator (its strict project mode knows only the ones given), with the
    // stand-ins of each one's images, as `musectl up` pushes them.
    s = await stage({ projects: [DEV, PROD] });
    for (const project of [DEV, PROD]) seedImages(s.emu.emulator, artifactRegistryImages([s.dir], { PROJECT_ID: project }));
    run = new v2.ServicesClient(gaxOptions(s.emu));
    state = join(s.dir, '.state');
  });
  afterAll(async () => {
    await run.close();
    await s.close();
  });

  it('plans each environment for its own project, with its own state', async () => {
    for (const [name, project] of [
      ['dev', DEV],
      ['prod', PROD],
    ]) {
      const r = await cli(['plan', '-f', s.dir, '--env', name, '-o', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).project).toBe(project);
      expect(r.stderr).toContain(`State: ${join(state, `${project}.sessionmuse.${name}.inventory.json`)}`);
    }
  });

  it("the CI example's pull-request job plans every environment of its matrix, as written", async () => {
    const workflow = parse(readFileSync(join(ROOT, 'examples/ci/github-actions.yaml'), 'utf8'));
    const job = workflow.jobs.plan;
    expect(job.strategy.matrix.env).toEqual(['dev', 'prod']);
    const script: string = job.steps.find((st: { name?: string }) => st.name === 'plan').run;
    const command = /npx musectl (plan [^\n]*\\\n[^\n]*)/.exec(script)![1].replace(/\\\n\s*/, '');
    for (const name of job.strategy.matrix.env) {
      const line = command
        .replaceAll('${{ matrix.env }}', name)
        .replaceAll(`"\${{ vars[format('STATE_{0}', matrix.env)] }}"`, state)
        .replace(/ > plan\.md$/, '');
      const args = line.split(/\s+/).map((a) => (a.startsWith('plan-') ? join(s.dir, a) : a));
      const r = await runCli([...args, '--emulator', s.emu.url]);
      expect(r.code, r.stderr).toBe(2); // changes: nothing is applied yet
      expect(r.stdout).toContain(`project \`${name === 'dev' ? DEV : PROD}\``);
      expect(JSON.parse(readFileSync(join(s.dir, `plan-${name}.json`), 'utf8')).environment).toBe(name);
    }
  });

  it('applies dev and prod into two projects, each with its variables and overrides', async () => {
    for (const name of ['dev', 'prod']) {
      const r = await cli(['apply', '-f', s.dir, '--env', name, '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Apply complete: 40 created');
    }
    const devBackend = await container(DEV, 'sessionmuse-backend');
    const prodBackend = await container(PROD, 'sessionmuse-backend');
    expect(devBackend.vars.LOG_LEVEL).toBe('DEBUG');
    expect(prodBackend.vars.LOG_LEVEL).toBe('WARNING');
    // An integer variable: ${BACKEND_MIN_INSTANCES} became the number the environment gives.
    expect(devBackend.svc.template?.scaling?.minInstanceCount ?? 0).toBe(0);
    expect(prodBackend.svc.template?.scaling?.minInstanceCount).toBe(1);
    // prod's override of the frontend; dev keeps the manifest's value.
    expect((await container(PROD, 'sessionmuse-frontend')).svc.template?.scaling?.maxInstanceCount).toBe(5);
    expect((await container(DEV, 'sessionmuse-frontend')).svc.template?.scaling?.maxInstanceCount).toBe(1);
    // Names from ${PROJECT_ID}: each project has its own buckets.
    const storage = new Storage({ apiEndpoint: s.emu.url, projectId: DEV });
    expect((await storage.bucket(`sessionmuse-uploads-${DEV}`).exists())[0]).toBe(true);
    expect((await storage.bucket(`sessionmuse-uploads-${PROD}`).exists())[0]).toBe(true);
    // Both plans are now empty: the environments do not see each other's resources.
    for (const name of ['dev', 'prod']) expect((await cli(['plan', '-f', s.dir, '--env', name, '--detailed-exitcode'])).code).toBe(0);
  });

  it("keeps each environment's outputs apart", async () => {
    const dev = await cli(['output', 'frontendUrl', '-f', s.dir, '--env', 'dev']);
    const prod = await cli(['output', 'frontendUrl', '-f', s.dir, '--env', 'prod']);
    expect(dev.stdout.trim()).toBe((await container(DEV, 'sessionmuse-frontend')).svc.uri);
    expect(prod.stdout.trim()).toBe((await container(PROD, 'sessionmuse-frontend')).svc.uri);
    expect(dev.stdout).not.toBe(prod.stdout);
    const none = await runCli(['output', '-f', s.dir, '--state', state]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('It has been applied in environments dev, prod: give --env NAME.');
  });

  it('has a lease per environment: dev locked does not stop prod', async () => {
    const lease = await Lease.acquire(
      new LocalStateStore(state),
      { project: DEV, stack: 'sessionmuse', env: 'dev' },
      { waitMs: 0, what: 'musectl apply (test)' },
    );
    try {
      const dev = await cli(['apply', '-f', s.dir, '--env', 'dev', '--yes']);
      expect(dev.code).toBe(1);
      expect(dev.stderr).toContain('stack sessionmuse (environment dev) of project sessionmuse-dev is locked by musectl apply (test)');
      expect((await cli(['apply', '-f', s.dir, '--env', 'prod', '--yes'])).code).toBe(0);
    } finally {
      await lease.release();
    }
  });

  it("watch --env prod corrects prod's drift back to prod's values, with prod's inventory and lease", async () => {
    const [front] = await run.getService({ name: service(PROD, 'sessionmuse-frontend') });
    front.template!.scaling!.maxInstanceCount = 2;
    const [op] = await run.updateService({ service: front });
    await op.promise();
    const w = startCli([
      'watch',
      '-f',
      s.dir,
      '--env',
      'prod',
      '--emulator',
      s.emu.url,
      '--state',
      state,
      '--interval',
      '1s',
      '--jitter',
      '0',
      '--log-format',
      'json',
    ]);
    try {
      await until('prod to be corrected', async () => (await container(PROD, 'sessionmuse-frontend')).svc.template?.scaling?.maxInstanceCount === 5, 30_000);
    } finally {
      await w.stop('SIGTERM');
    }
    expect(w.stderr()).not.toMatch(/"severity":"ERROR"|"level":50/);
    // dev was not touched: its own value, and its plan still empty.
    expect((await container(DEV, 'sessionmuse-frontend')).svc.template?.scaling?.maxInstanceCount).toBe(1);
    expect((await cli(['plan', '-f', s.dir, '--env', 'dev', '--detailed-exitcode'])).code).toBe(0);
  });

  it("destroy --env dev removes dev (its buckets too, by dev's override) and leaves prod alone", async () => {
    const storage = new Storage({ apiEndpoint: s.emu.url, projectId: DEV });
    await storage.bucket(`sessionmuse-tracks-${DEV}`).file('take.wav').save('audio');
    const r = await cli(['destroy', '-f', s.dir, '--env', 'dev', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`deletes Bucket/sessionmuse-tracks-${DEV} with the 1 object it holds (force-destroy)`);
    expect((await storage.bucket(`sessionmuse-tracks-${DEV}`).exists())[0]).toBe(false);
    const [devServices] = await run.listServices({ parent: `projects/${DEV}/locations/asia-northeast1` });
    expect(devServices).toEqual([]);
    const [prodServices] = await run.listServices({ parent: `projects/${PROD}/locations/asia-northeast1` });
    expect(prodServices.map((x) => x.name?.split('/').pop()).sort()).toEqual(['sessionmuse-backend', 'sessionmuse-frontend']);
    expect((await new Storage({ apiEndpoint: s.emu.url, projectId: PROD }).bucket(`sessionmuse-tracks-${PROD}`).exists())[0]).toBe(true);
    expect((await cli(['plan', '-f', s.dir, '--env', 'prod', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('errors about an environment point at its file', () => {
  let dir: string;
  const write = (name: string, text: string) => writeFileSync(join(dir, 'environments', name), text);
  const lineOf = (file: string, text: string) =>
    readFileSync(join(dir, 'environments', file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1;

  beforeAll(async () => {
    const s = await stage();
    dir = s.dir;
    await s.close();
  });

  it('undeclared and ill-typed variables, an override of nothing, a patched field Google would refuse: each at its line', async () => {
    write(
      'bad.yaml',
      [
        'apiVersion: musectl.dev/v1alpha1',
        'kind: Environment',
        'metadata:',
        '  name: bad',
        'spec:',
        '  project: sessionmuse-bad',
        '  variables:',
        '    LOG_LEVL: DEBUG',
        '    BACKEND_MIN_INSTANCES: lots',
        '  overrides:',
        '    - kind: CloudRunService',
        '      name: sessionmuse-frontnd',
        '      patch: { spec: { ingress: INGRESS_TRAFFIC_ALL } }',
        '    - kind: CloudRunService',
        '      name: sessionmuse-backend',
        '      patch:',
        '        spec:',
        '          template:',
        '            scaling: { maxInstanceCount: many }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', '-f', dir, '--env', 'bad']);
    expect(r.code).toBe(1);
    const file = join(dir, 'environments', 'bad.yaml');
    expect(r.stderr).toContain(
      `${file}:${lineOf('bad.yaml', 'LOG_LEVL')}:5: Environment/bad: spec.variables.LOG_LEVL: the Stack declares no variable LOG_LEVL (did you mean "LOG_LEVEL"?)`,
    );
    expect(r.stderr).toMatch(
      new RegExp(
        `${file}:${lineOf('bad.yaml', 'lots')}:\\d+: Environment/bad: BACKEND_MIN_INSTANCES = "lots" must be an integer \\(e\\.g\\. 3\\): the Stack declares BACKEND_MIN_INSTANCES as integer`,
      ),
    );
    expect(r.stderr).toContain(
      `${file}:${lineOf('bad.yaml', 'sessionmuse-frontnd')}:13: Environment/bad: spec.overrides[0]: no CloudRunService named "sessionmuse-frontnd" in the manifests (did you mean "sessionmuse-frontend"?)`,
    );
    // The ill-typed value is one error, at the environment's line: not a second one at the
    // manifest that uses ${BACKEND_MIN_INSTANCES} (the user wrote "lots" in bad.yaml, not there).
    expect(r.stderr).not.toContain(`${join(dir, 'backend.yaml')}:`);
    expect(r.stderr.match(/"lots"/g)).toHaveLength(1);
    // The patched field's error is located where the environment wrote it, not in backend.yaml.
    expect(r.stderr).toMatch(
      new RegExp(
        `${file}:${lineOf('bad.yaml', 'maxInstanceCount: many')}:\\d+: CloudRunService/sessionmuse-backend: spec\\.template\\.scaling\\.maxInstanceCount: must be an integer, not the string "many"`,
      ),
    );
  });

  it('a YAML error in the chosen environment file is reported once, at its line', async () => {
    write(
      'broken.yaml',
      ['apiVersion: musectl.dev/v1alpha1', 'kind: Environment', 'metadata: { name: broken }', 'spec:', '  project: [unclosed', ''].join('\n'),
    );
    try {
      const r = await runCli(['validate', '-f', dir, '--env', 'broken']);
      expect(r.code).toBe(1);
      const file = join(dir, 'environments', 'broken.yaml');
      const lines = r.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^.*broken\.yaml:\d+:\d+: YAML: /);
    } finally {
      rmSync(join(dir, 'environments', 'broken.yaml'));
    }
  });

  it('a missing environment names the ones there are; --project must agree with the file', async () => {
    const missing = await runCli(['plan', '-f', dir, '--env', 'staging', '--emulator', 'http://127.0.0.1:9']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`--env staging: there is no ${join(dir, 'environments', 'staging.yaml')}`);
    expect(missing.stderr).toMatch(/The stack's environments: (bad, )?dev, prod\./);
    const other = await runCli(['plan', '-f', dir, '--env', 'prod', '--project', 'someone-else', '--emulator', 'http://127.0.0.1:9']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `--project someone-else, but ${join(dir, 'environments', 'prod.yaml')}:${lineOf('prod.yaml', 'project:')}:12 gives environment prod the project sessionmuse-prod`,
    );
  });

  it('a required variable without a value is an error at its declaration, before any call', async () => {
    const stackFile = join(dir, 'stack.yaml');
    writeFileSync(
      stackFile,
      readFileSync(stackFile, 'utf8').replace(
        '  variables:\n',
        '  variables:\n    RELEASE:\n      description: The release being deployed.\n      required: true\n',
      ),
    );
    const emu = await (await import('../../emulator/index.js')).startEmulator({});
    try {
      const r = await runCli(['plan', '-f', dir, '--env', 'dev', '--emulator', emu.url, '--state', mkdtempSync(join(tmpdir(), 'musectl-env-'))]);
      expect(r.code).toBe(1);
      const line =
        readFileSync(stackFile, 'utf8')
          .split('\n')
          .findIndex((l) => l.includes('RELEASE:')) + 1;
      expect(r.stderr).toContain(
        `${stackFile}:${line}:5: Stack/sessionmuse: variable RELEASE (The release being deployed.) is required and has no value: set it in the environment's spec.variables or with --set RELEASE=VALUE`,
      );
      expect(((await (await fetch(`${emu.url}/_emulator/stats`)).json()) as { total: number }).total).toBe(0);
      const given = await runCli([
        'plan',
        '-f',
        dir,
        '--env',
        'dev',
        '--set',
        'RELEASE=r42',
        '--emulator',
        emu.url,
        '--state',
        mkdtempSync(join(tmpdir(), 'musectl-env-')),
      ]);
      expect(given.code, given.stderr).toBe(0);
    } finally {
      await emu.close();
    }
  });
});
