// The README's "A first deploy to a real project", on an empty emulator: the repository first
// (with --target, it and what it needs), the images pushed, then the whole stack.
import { v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaxOptions } from '../emulator/helpers.js';
import { runCli } from './cli.js';
import { callsBetween, PROJECT, type Stage, stage, writeCalls } from './harness.js';

describe('the README: a first deploy', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(async () => s.close());

  it('applies the repository and its API alone, then (the images pushed) the rest', async () => {
    const before = await s.stats();
    const repo = await s.cli(['apply', '-f', s.dir, '--target', 'ArtifactRegistryRepository/sessionmuse', '--yes'], {
      env: { GEMINI_API_KEY: 'first-deploy-key' },
    });
    expect(repo.code, repo.stderr).toBe(0);
    expect(repo.stderr).toContain('Apply complete: 2 created, 0 updated, 0 deleted');
    expect(Object.keys(writeCalls(callsBetween(before, await s.stats()))).sort()).toEqual([
      'POST /v1/projects/{project}/locations/{location}/repositories',
      'POST /v1/projects/{project}/services/{service}:enable',
    ]);
    // (The harness pushes the stack's images as soon as their repository exists, as `docker push` would.)
    const rest = await s.cli(['apply', '-f', s.dir, '--yes'], { env: { GEMINI_API_KEY: 'first-deploy-key' } });
    expect(rest.code, rest.stderr).toBe(0);
    const run = new v2.ServicesClient(gaxOptions(s.emu));
    try {
      const [services] = await run.listServices({ parent: `projects/${PROJECT}/locations/asia-northeast1` });
      expect(services.map((x) => x.name?.split('/').pop()).sort()).toEqual(['sessionmuse-backend', 'sessionmuse-frontend']);
    } finally {
      await run.close();
    }
    expect((await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env: { GEMINI_API_KEY: 'first-deploy-key' } })).code).toBe(0);
  });

  it('a command with no target says how to reach the stack npm start made', async () => {
    const r = await runCli(['status', '-f', s.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no target: give --project ID');
    expect(r.stderr).toContain('musectl emulator --port 8085 --state manifests/.musectl/emulator-state.json, then --emulator http://127.0.0.1:8085');
  });
});
