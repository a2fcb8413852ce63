// The two CI uses: a report on every pull request, one reconcile on merge. Saved plans, the
// stale-plan check, image tags pinned to digests, the step summary, and no secret anywhere.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const CANARY = 'CANARY-ci-secret-9d1e55';
const REGION = 'asia-northeast1';
const BACKEND = `/v2/projects/${PROJECT}/locations/${REGION}/services/sessionmuse-backend`;

/** Pushes an image under a tag, as `docker push` does (its blobs, then its manifest); returns its digest. */
async function push(s: Stage, image: string, tag: string, layer: string): Promise<string> {
  const base = `${s.emu.url}/v2/${PROJECT}/sessionmuse/${image}`;
  const blob = async (content: string) => {
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    expect((await fetch(`${base}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: content })).status).toBe(201);
    return { size: content.length, digest };
  };
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...(await blob('{}')) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...(await blob(layer)) }],
  });
  const res = await fetch(`${s.emu.url}/v2/${PROJECT}/sessionmuse/${image}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
  });
  expect(res.status).toBe(201);
  return res.headers.get('docker-content-digest')!;
}

describe('CI: pull-request report, saved plans, image digests', () => {
  let s: Stage;
  const outputs: CliResult[] = [];
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const r = await s.cli(args, { env: { GEMINI_API_KEY: CANARY, ...env } });
    outputs.push(r);
    return r;
  };
  const summaryFile = join(mkdtempSync(join(tmpdir(), 'musectl-ci-')), 'step-summary.md');

  beforeAll(async () => {
    s = await stage();
    expect((await cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
  });
  afterAll(async () => s.close());

  it('pins image tags to their digests once pushed, and a new image under the same tag is exactly one update', async () => {
    const first = await push(s, 'backend', 'latest', '1');
    await push(s, 'frontend', 'latest', '2');
    const pinning = JSON.parse((await cli(['plan', '-f', s.dir, '-o', 'json'])).stdout);
    expect(pinning.summary.update).toBe(2);
    expect((await cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    const before: any = await (await fetch(`${s.emu.url}${BACKEND}`)).json();
    expect(before.template.containers[0].image).toBe(`${REGION}-docker.pkg.dev/${PROJECT}/sessionmuse/backend:latest@${first}`);

    const second = await push(s, 'backend', 'latest', '3');
    const plan = JSON.parse((await cli(['plan', '-f', s.dir, '-o', 'json'])).stdout);
    const changed = plan.actions.filter((a: any) => a.action !== 'noop');
    expect(changed.map((a: any) => [a.action, a.name, a.changes])).toEqual([
      [
        'update',
        'sessionmuse-backend',
        [
          {
            path: 'template.containers[0].image',
            before: `${REGION}-docker.pkg.dev/${PROJECT}/sessionmuse/backend:latest@${first}`,
            after: `${REGION}-docker.pkg.dev/${PROJECT}/sessionmuse/backend:latest@${second}`,
          },
        ],
      ],
    ]);
    expect((await cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    const after: any = await (await fetch(`${s.emu.url}${BACKEND}`)).json();
    expect(after.latestCreatedRevision).not.toBe(before.latestCreatedRevision); // a new revision rolled out
  });

  it('with imagePolicy: tag, deploys the tag as written', async () => {
    s.edit('frontend.yaml', (t) => t.replace('  location: ${REGION}\n', '  location: ${REGION}\n  imagePolicy: tag\n'));
    const plan = JSON.parse((await cli(['plan', '-f', s.dir, '-o', 'json'])).stdout);
    const front = plan.actions.find((a: any) => a.name === 'sessionmuse-frontend');
    expect(front.changes).toEqual([
      {
        path: 'template.containers[0].image',
        before: expect.stringMatching(/frontend:latest@sha256:/),
        after: `${REGION}-docker.pkg.dev/${PROJECT}/sessionmuse/frontend:latest`,
      },
    ]);
    s.edit('frontend.yaml', (t) => t.replace('  imagePolicy: tag\n', ''));
  });

  it('a pull-request run writes the Markdown report, fills the step summary and exits 2; the saved plan applies and converges', async () => {
    s.edit('backend.yaml', (t) => t.replace('maxInstanceCount: 10', 'maxInstanceCount: 12'));
    const planFile = join(s.dir, 'plan.json');
    const pr = await cli(['plan', '-f', s.dir, '-o', 'markdown', '--detailed-exitcode', '--out', planFile], { GITHUB_STEP_SUMMARY: summaryFile, CI: 'true' });
    expect(pr.code).toBe(2);
    expect(pr.stdout).toContain('### musectl plan');
    expect(pr.stdout).toContain('sessionmuse-backend');
    expect(pr.stdout).toMatch(/<details><summary><code>~ CloudRunService\/sessionmuse-backend<\/code>/);
    expect(readFileSync(summaryFile, 'utf8')).toContain('### musectl plan');
    const applied = await cli(['apply', planFile], { GITHUB_STEP_SUMMARY: summaryFile, CI: 'true' });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('Apply complete: 0 created, 1 updated, 0 deleted');
    expect(readFileSync(summaryFile, 'utf8')).toContain('**Apply complete**');
    expect((await cli(['plan', '-f', s.dir, '--detailed-exitcode'])).code).toBe(0);
  });

  it('refuses a saved plan when Google Cloud changed since it was made', async () => {
    s.edit('backend.yaml', (t) => t.replace('maxInstanceCount: 12', 'maxInstanceCount: 10'));
    const planFile = join(s.dir, 'stale.json');
    expect((await cli(['plan', '-f', s.dir, '--out', planFile])).code).toBe(0);
    const storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    await storage.bucket(`sessionmuse-tracks-${PROJECT}`).setMetadata({ labels: { 'changed-by': 'someone' } });
    const r = await cli(['apply', planFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: the saved plan ${planFile} is stale: Google Cloud changed since it was made (Bucket/sessionmuse-tracks-${PROJECT})`);
    const svc: any = await (await fetch(`${s.emu.url}${BACKEND}`)).json();
    expect(svc.template.scaling.maxInstanceCount).toBe(12); // nothing was applied
  });

  it('refuses a saved plan when the manifests changed since it was made', async () => {
    const planFile = join(s.dir, 'stale-manifests.json');
    expect((await cli(['plan', '-f', s.dir, '--out', planFile])).code).toBe(0);
    s.edit('backend.yaml', (t) => t.replace('value: gemini-2.5-flash', 'value: gemini-2.5-pro'));
    const r = await cli(['apply', planFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is stale: the manifests changed since it was made');
    writeFileSync(join(s.dir, 'not-a-plan.json'), '{"hello": 1}');
    const bad = await cli(['apply', join(s.dir, 'not-a-plan.json')]);
    expect(bad.stderr).toContain('is not a saved plan of this musectl version');
  });

  it('never shows the secret: not in text, JSON, Markdown, saved plans or the step summary', async () => {
    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toContain(CANARY);
      expect(r.stdout + r.stderr).not.toContain(Buffer.from(CANARY).toString('base64'));
    }
    for (const f of ['plan.json', 'stale.json', 'stale-manifests.json']) expect(readFileSync(join(s.dir, f), 'utf8')).not.toContain(CANARY);
    expect(readFileSync(summaryFile, 'utf8')).not.toContain(CANARY);
  });
});
