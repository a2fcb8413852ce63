// `npm start` runs `musectl up -f manifests`: the built-in emulator, state kept between runs.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

describe('musectl up (npm start)', () => {
  it('applies SessionMUSE to the embedded emulator, and a second run reports no changes', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'musectl-up-'));
    const first = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir], { env: { GEMINI_API_KEY: undefined } });
    expect(first.stderr).toMatch(/^Local emulator at http:\/\/127\.0\.0\.1:\d+ \(state: .*emulator-state\.json\), project musectl-local/);
    expect(first.stderr).toContain(
      "Stand-in images pushed to the emulator's registry (pushed when their repository is created): asia-northeast1-docker.pkg.dev/musectl-local/sessionmuse/backend:latest, asia-northeast1-docker.pkg.dev/musectl-local/sessionmuse/frontend:latest, asia-northeast1-docker.pkg.dev/musectl-local/sessionmuse/musectl:latest",
    );
    expect(first.stderr).toContain('Apply complete: 34 created, 0 updated, 0 deleted');
    expect(first.code).toBe(0);
    expect(existsSync(join(stateDir, 'emulator-state.json'))).toBe(true);
    const second = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir], { env: { GEMINI_API_KEY: undefined } });
    const [plan, outputs] = second.stdout.split('\n\nOutputs:\n');
    expect(plan.trim().split('\n')).toEqual([
      "warning: Secret/GEMINI_API_KEY: no value: environment variable GEMINI_API_KEY is not set; the secret's existing value (if any) is left as it is",
      'No changes. Project musectl-local matches the manifests (35 resources).',
    ]);
    // The outputs of the first run, again: the same URLs (nothing was replaced).
    expect(outputs).toMatch(/^ {2}frontendUrl += https:\/\/sessionmuse-frontend-/);
    expect(first.stdout).toContain(outputs);
    expect(second.code).toBe(0);
  });
});
