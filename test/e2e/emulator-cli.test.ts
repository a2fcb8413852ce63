// `musectl emulator push-image`: the one command a user of a standalone emulator runs to push a
// stand-in image, since the emulator (as Cloud Run) refuses to deploy an image never pushed; and
// `musectl emulator --domain-restricted-sharing`, a project in an organization that refuses allUsers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { until } from '../support/until.js';
import { runCli, startCli } from './cli.js';

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

describe('musectl emulator --domain-restricted-sharing', () => {
  it('refuses an allUsers invoker as such an organization does, and a service public by invokerIamDisabled deploys', async () => {
    const server = startCli(['emulator', '--port', '0', '--projects', 'drs-e2e-project', '--domain-restricted-sharing']);
    try {
      await until('the emulator to print its URL', () => /^http:\/\/127\.0\.0\.1:\d+\n/.test(server.stdout()));
      const url = server.stdout().trim();
      const dir = mkdtempSync(join(tmpdir(), 'musectl-drs-'));
      const service = (extra: string) =>
        `apiVersion: musectl.dev/v1alpha1\nkind: Stack\nmetadata: { name: drs }\n---\napiVersion: musectl.dev/v1alpha1\nkind: CloudRunService\nmetadata: { name: web }\nspec:\n  location: us-central1\n${extra}  template:\n    containers: [{ image: us-docker.pkg.dev/cloudrun/container/hello }]\n`;
      const grant =
        '---\napiVersion: musectl.dev/v1alpha1\nkind: IAMPolicyMember\nmetadata: { name: web-public }\nspec:\n  role: roles/run.invoker\n  member: allUsers\n  resourceRef: { kind: CloudRunService, name: web }\n';
      writeFileSync(join(dir, 'stack.yaml'), service('') + grant);
      const args = ['apply', '-f', dir, '--yes', '--emulator', url, '--project', 'drs-e2e-project'];
      const refused = await runCli(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('[public-invoker-grant]');
      expect(refused.stderr).toContain('One or more users named in the policy do not belong to a permitted customer,  perhaps due to an organization policy.');

      writeFileSync(join(dir, 'stack.yaml'), service('  invokerIamDisabled: true\n'));
      const fixed = await runCli(args);
      expect(fixed.code, fixed.stderr).toBe(0);
      const svc = (await (await fetch(`${url}/v2/projects/drs-e2e-project/locations/us-central1/services/web`)).json()) as { invokerIamDisabled?: boolean };
      expect(svc.invokerIamDisabled).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
