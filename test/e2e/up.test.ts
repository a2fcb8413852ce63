// `npm start` runs `musectl up -f manifests`: the built-in emulator, state kept between runs.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { gaxOptions } from '../emulator/helpers.js';
import { runCli } from './cli.js';

describe('musectl up (npm start)', () => {
  it('applies SessionMUSE to the embedded emulator, and a second run reports no changes', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'musectl-up-'));
    const first = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir], { env: { GEMINI_API_KEY: undefined } });
    expect(first.stderr).toMatch(/^Local emulator at http:\/\/127\.0\.0\.1:\d+ \(state: .*emulator-state\.json\), project musectl-local/);
    expect(first.stderr).toContain(
      "Stand-in images pushed to the emulator's registry (pushed when their repository is created): asia-northeast1-docker.pkg.dev/musectl-local/sessionmuse/backend:latest, asia-northeast1-docker.pkg.dev/musectl-local/sessionmuse/frontend:latest, asia-northeast1-docker.pkg.dev/musectl-local/sessionmuse/musectl:latest",
    );
    expect(first.stderr).toContain('Apply complete: 40 created, 0 updated, 0 deleted');
    expect(first.code).toBe(0);
    expect(existsSync(join(stateDir, 'emulator-state.json'))).toBe(true);
    // It deploys the watcher and what starts it: a schedule every five minutes that runs the job.
    const emu = await startEmulator({ stateFile: join(stateDir, 'emulator-state.json') });
    const scheduler = new CloudSchedulerClient(gaxOptions(emu));
    try {
      const [tick] = await scheduler.getJob({ name: 'projects/musectl-local/locations/asia-northeast1/jobs/musectl-watcher-tick' });
      expect(tick).toMatchObject({ state: 'ENABLED', schedule: '*/5 * * * *', timeZone: 'Asia/Tokyo' });
      expect(tick.httpTarget).toMatchObject({
        uri: 'https://asia-northeast1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/musectl-local/jobs/musectl-watcher:run',
        oauthToken: { serviceAccountEmail: 'sa-musectl-scheduler@musectl-local.iam.gserviceaccount.com' },
      });
      const job = await fetch(`${emu.url}/v2/projects/musectl-local/locations/asia-northeast1/jobs/musectl-watcher`);
      expect(((await job.json()) as any).template.template.containers[0].args).toContain('--once');
    } finally {
      await scheduler.close();
      await emu.close();
    }
    const second = await runCli(['up', '-f', 'manifests', '--state-dir', stateDir], { env: { GEMINI_API_KEY: undefined } });
    const [plan, outputs] = second.stdout.split('\n\nOutputs:\n');
    expect(plan.trim().split('\n')).toEqual([
      "warning: Secret/GEMINI_API_KEY: no value: environment variable GEMINI_API_KEY is not set; the secret's existing value (if any) is left as it is",
      'No changes. Project musectl-local matches the manifests (41 resources).',
    ]);
    // The outputs of the first run, again: the same URLs (nothing was replaced).
    expect(outputs).toMatch(/^ {2}frontendUrl += https:\/\/sessionmuse-frontend-/);
    expect(first.stdout).toContain(outputs);
    expect(second.code).toBe(0);
  });
});
