// `npm start` runs `musectl up -f manifests`: the built-in emulator, state kept between runs.
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

describe('musectl up (npm start)', () => {
  it('applies SessionMUSE to the embedded emulator, and a second run reports no changes', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'musectl-up-'));
    const first = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir]);
    expect(first.stderr).toMatch(/^Local emulator at http:\/\/127\.0\.0\.1:\d+ \(state: .*emulator-state\.json\), project musectl-local/);
    expect(first.stderr).toContain('Apply complete: 6 created, 0 updated, 0 deleted');
    expect(first.code).toBe(0);
    expect(existsSync(join(stateDir, 'emulator-state.json'))).toBe(true);
    const second = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir]);
    expect(second.stdout).toBe('No changes. Project musectl-local matches the manifests (6 resources).\n');
    expect(second.code).toBe(0);
  });
});
