// `musectl emulator push-image`: the one command a user of a standalone emulator runs to push a
// stand-in image, since the emulator (as Cloud Run) refuses to deploy an image never pushed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { runCli } from './cli.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());

const REPO = 'projects/push-project/locations/us-central1/repositories/apps';
const IMAGE = 'us-central1-docker.pkg.dev/push-project/apps/web:1';

describe('musectl emulator push-image', () => {
  it('pushes when the repository is created, then at once; the registry then serves the tag', async () => {
    const early = await runCli(['emulator', 'push-image', IMAGE, '--emulator', emu.url]);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toBe(`will push ${IMAGE} when its repository is created\n`);
    expect((await fetch(`${emu.url}/v2/push-project/apps/web/manifests/1`, { method: 'HEAD' })).status).toBe(404);

    await fetch(`${emu.url}/v1/${REPO.replace('/repositories/apps', '/repositories?repositoryId=apps')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'DOCKER' }),
    });
    const head = await fetch(`${emu.url}/v2/push-project/apps/web/manifests/1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toMatch(/^sha256:[0-9a-f]{64}$/);

    const now = await runCli(['emulator', 'push-image', 'us-central1-docker.pkg.dev/push-project/apps/api:2'], { env: { MUSECTL_EMULATOR: emu.url } });
    expect(now.stdout).toBe('pushed us-central1-docker.pkg.dev/push-project/apps/api:2\n');
  });

  it('refuses what is not an Artifact Registry image by tag, and says how to name the emulator', async () => {
    const bad = await runCli(['emulator', 'push-image', 'docker.io/library/nginx:1', '--emulator', emu.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the emulator refused the images: not an Artifact Registry image by tag');
    const nowhere = await runCli(['emulator', 'push-image', IMAGE], { env: { MUSECTL_EMULATOR: undefined } });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('push-image needs the emulator: --emulator URL (or MUSECTL_EMULATOR=URL)');
  });
});
