// Outputs: what a person needs after an apply (service URLs, account emails, bucket URLs, the
// repository's Docker host, the Stack's own named outputs), printed by apply and by `npm start`,
// read back from the state by `musectl output` with no emulator running, as JSON for scripts, and
// written to GITHUB_OUTPUT. The CLI as a process; Google's side read through the official client.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { gaxOptions } from '../emulator/helpers.js';
import { ROOT, runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const serviceUri = async (url: string, port: number, project: string, service: string): Promise<string> => {
  const run = new v2.ServicesClient(gaxOptions({ url, port } as any));
  try {
    const [s] = await run.getService({ name: `projects/${project}/locations/asia-northeast1/services/${service}` });
    return s.uri ?? '';
  } finally {
    await run.close();
  }
};

describe('npm start (musectl up) prints the outputs, and musectl output reads them back with no emulator running', () => {
  it('shows the frontend URL after up and from musectl output frontendUrl', async () => {
    // A private copy: up keeps the emulator's state and the inventory in .musectl beside the Stack document.
    const dir = mkdtempSync(join(tmpdir(), 'musectl-outputs-up-'));
    cpSync(join(ROOT, 'manifests'), dir, { recursive: true });
    const up = await runCli(['up', '-f', dir]);
    expect(up.code, up.stderr).toBe(0);
    const printed = /^ {2}frontendUrl += (https:\/\/\S+)$/m.exec(up.stdout)?.[1];
    expect(printed, up.stdout).toMatch(/^https:\/\/sessionmuse-frontend-.*\.run\.app$/);
    expect(up.stdout).toMatch(/^Outputs:$/m);
    expect(up.stdout).toMatch(/^ {2}ServiceAccount\/sa-backend +email = sa-backend@musectl-local\.iam\.gserviceaccount\.com$/m);
    expect(up.stdout).toMatch(/^ {2}ArtifactRegistryRepository\/sessionmuse +registry = asia-northeast1-docker\.pkg\.dev\/musectl-local\/sessionmuse$/m);
    expect(up.stdout).toMatch(/^ {2}Bucket\/sessionmuse-tracks-musectl-local +url = gs:\/\/sessionmuse-tracks-musectl-local$/m);

    // The emulator is gone; the value comes from the stack's state, on one line, for scripts.
    const output = await runCli(['output', 'frontendUrl', '-f', dir]);
    expect(output.code, output.stderr).toBe(0);
    expect(output.stdout).toBe(`${printed}\n`);

    // It is the URL Google (the emulator, restarted on up's saved state) has for the service.
    const emu = await startEmulator({ stateFile: join(dir, '.musectl', 'emulator-state.json') });
    try {
      expect(await serviceUri(emu.url, emu.port, 'musectl-local', 'sessionmuse-frontend')).toBe(printed);
    } finally {
      await emu.close();
    }
  });
});

describe('apply and musectl output', () => {
  let s: Stage;
  let githubOutput: string;
  let applied: { stdout: string; stderr: string; code: number | null };

  beforeAll(async () => {
    s = await stage();
    githubOutput = join(s.dir, 'github-output.txt');
    writeFileSync(githubOutput, 'EARLIER=kept\n');
    applied = await s.cli(['apply', '-f', s.dir, '--yes', '-o', 'json'], { env: { GITHUB_OUTPUT: githubOutput } });
  });
  afterAll(() => s.close());

  it('apply -o json prints one JSON document on stdout: the outcome and every output (the plan goes to stderr)', async () => {
    expect(applied.code, applied.stderr).toBe(0);
    const doc = JSON.parse(applied.stdout);
    expect(doc).toMatchObject({ formatVersion: 1, stack: 'sessionmuse', project: PROJECT, outcome: 'complete', failed: [], notAttempted: [] });
    expect(doc.done.create).toBe(40);
    const uri = await serviceUri(s.emu.url, s.emu.port, PROJECT, 'sessionmuse-frontend');
    expect(doc.outputs.frontendUrl).toBe(uri);
    expect(doc.resources['CloudRunService/sessionmuse-frontend']).toEqual({
      uri,
      name: `projects/${PROJECT}/locations/asia-northeast1/services/sessionmuse-frontend`,
    });
    expect(doc.resources['ServiceAccount/sa-frontend'].email).toBe(`sa-frontend@${PROJECT}.iam.gserviceaccount.com`);
    expect(doc.resources['CloudRunJob/musectl-watcher']).toEqual({ name: `projects/${PROJECT}/locations/asia-northeast1/jobs/musectl-watcher` });
    expect(doc.resources['Secret/GEMINI_API_KEY'].name).toMatch(/^projects\/\d+\/secrets\/GEMINI_API_KEY$/);
    expect(Object.keys(doc.resources).some((k) => k.startsWith('IAMPolicyMember/') || k.startsWith('ProjectService/'))).toBe(false);
    expect(applied.stderr).toContain('Plan: 40 to create');
  });

  it('writes the outputs to GITHUB_OUTPUT, after what was there', () => {
    const lines = readFileSync(githubOutput, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('EARLIER=kept');
    expect(lines).toContain(`frontendUrl=${JSON.parse(applied.stdout).outputs.frontendUrl}`);
    expect(lines).toContain(`imageRegistry=asia-northeast1-docker.pkg.dev/${PROJECT}/sessionmuse`);
    expect(lines).toContain(`ServiceAccount_sa-backend_email=sa-backend@${PROJECT}.iam.gserviceaccount.com`);
    expect(lines.every((l) => /^[A-Za-z_][A-Za-z0-9_-]*=/.test(l))).toBe(true);
  });

  it('a second apply changes nothing and still prints the outputs', async () => {
    const again = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(again.stdout).toContain(`  frontendUrl   = ${JSON.parse(applied.stdout).outputs.frontendUrl}`);
  });

  it('musectl output prints all of them, one by KIND/NAME.OUTPUT, a resource by KIND/NAME, and JSON', async () => {
    const state = ['--state', join(s.dir, '.state'), '--project', PROJECT];
    const all = await runCli(['output', '-f', s.dir, ...state]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^Outputs:\n {2}frontendUrl += https:/);
    expect(all.stdout).toContain(`  Bucket/sessionmuse-uploads-${PROJECT}`);
    const one = await runCli(['output', 'ServiceAccount/sa-backend.email', '-f', s.dir, ...state]);
    expect(one.stdout).toBe(`sa-backend@${PROJECT}.iam.gserviceaccount.com\n`);
    const resource = await runCli(['output', `Bucket/sessionmuse-tracks-${PROJECT}`, '-f', s.dir, ...state]);
    expect(resource.stdout).toBe(`name = sessionmuse-tracks-${PROJECT}\nurl = gs://sessionmuse-tracks-${PROJECT}\n`);
    const json = JSON.parse((await runCli(['output', '-f', s.dir, '-o', 'json', ...state])).stdout);
    expect(json.outputs).toEqual(JSON.parse(applied.stdout).outputs);
    expect(json.resources).toEqual(JSON.parse(applied.stdout).resources);
  });

  it('an unknown output name is an error that suggests the right one; a state without the stack says so', async () => {
    const state = ['--state', join(s.dir, '.state'), '--project', PROJECT];
    const typo = await runCli(['output', 'frontendURL', '-f', s.dir, ...state]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('no output frontendURL in the state of stack sessionmuse (project e2e-project) (did you mean "frontendUrl"?)');
    const field = await runCli(['output', 'CloudRunService/sessionmuse-backend.url', '-f', s.dir, ...state]);
    expect(field.stderr).toContain('CloudRunService/sessionmuse-backend has uri, name');
    const empty = await runCli(['output', '-f', s.dir, '--state', join(s.dir, 'elsewhere')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(`stack sessionmuse has no inventory in ${join(s.dir, 'elsewhere')}`);
  });
});

describe("the Stack's outputs are checked like every reference", () => {
  it('an output naming a resource that is not in the manifests, or an output the kind does not have, is located', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'musectl-outputs-bad-'));
    cpSync(join(ROOT, 'manifests'), dir, { recursive: true });
    const stack = join(dir, 'stack.yaml');
    writeFileSync(
      stack,
      readFileSync(stack, 'utf8')
        .replace('name: sessionmuse-frontend, output: uri', 'name: sessionmuse-frontnd, output: uri')
        .replace('name: sessionmuse, output: registry', 'name: sessionmuse, output: host'),
    );
    const r = await runCli(['validate', '-f', dir]);
    expect(r.code).toBe(1);
    const line = (text: string) =>
      readFileSync(stack, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes(text)) + 1;
    expect(r.stderr).toContain(`${stack}:${line('sessionmuse-frontnd')}:`);
    expect(r.stderr).toContain('refers to CloudRunService "sessionmuse-frontnd", which is not in the manifests (did you mean "sessionmuse-frontend"?)');
    expect(r.stderr).toMatch(new RegExp(`${stack}:${line('output: host')}:\\d+: Stack/sessionmuse: .*ArtifactRegistryRepository has no output "host"`));
  });
});
