// musectl watch end to end: the CLI as a long-running process against the emulator, drift made
// through the official clients, manifests uploaded to a bucket, SIGTERM, two watchers, faults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { type RunningCli, runCli, startCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const SVC = `/v2/projects/${PROJECT}/locations/asia-northeast1/services/svc-watched`;
const BUCKET = `watched-data-${PROJECT}`;

async function get(s: Stage, path: string): Promise<any> {
  return (await fetch(`${s.emu.url}${path}`)).json();
}

/** Changes the service out of band, as someone in the console would. */
async function driftService(s: Stage, edit: (svc: any) => void): Promise<void> {
  const svc = await get(s, SVC);
  edit(svc);
  const res = await fetch(`${s.emu.url}${SVC}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ labels: svc.labels, template: svc.template }),
  });
  expect(res.status).toBe(200);
}

async function driftBucket(s: Stage, labels: Record<string, string>): Promise<void> {
  await new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT }).bucket(BUCKET).setMetadata({ labels });
}

/** musectl watch of one stack, against the stage's emulator, with the stage's state. */
const watchArgs = (s: Stage, source = s.dir): string[] => [
  'watch',
  '-f',
  source,
  '--emulator',
  s.emu.url,
  '--project',
  PROJECT,
  '--state',
  join(s.dir, '.state'),
];

function watch(s: Stage, extra: string[] = [], source = s.dir): RunningCli {
  return startCli([...watchArgs(s, source), '--interval', '1s', '--jitter', '0', '--log-format', 'json', '--backoff', '1s', ...extra]);
}

/** The JSON log lines of a watcher's stderr. */
const jsonLines = (stderr: string): any[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
const logLines = (w: RunningCli): any[] => jsonLines(w.stderr());
const cycles = (w: RunningCli) => logLines(w).filter((l) => l.msg === 'cycle');

async function applied(dir: string): Promise<Stage> {
  const s = await stage({}, dir);
  const r = await s.cli(['apply', '-f', s.dir, '--yes']);
  expect(r.code, r.stderr).toBe(0);
  return s;
}

describe('musectl watch', () => {
  it('corrects drift within one interval, reports a report-only field without reverting it, and logs a line per cycle', async () => {
    const s = await applied('test/fixtures/watch');
    const w = watch(s);
    try {
      await until('a first cycle', () => cycles(w).length >= 1);
      await driftService(s, (svc) => {
        svc.template.scaling.maxInstanceCount = 7;
        svc.template.containers[0].image = 'example/watched:2-deployed-by-ci';
      });
      await driftBucket(s, { 'added-by-hand': 'yes', 'managed-by': 'musectl', 'musectl-stack': 'watched' });
      const took = await until('the drift to be corrected', async () => (await get(s, SVC)).template.scaling.maxInstanceCount === 3);
      // Within one interval (1 s) of the watcher's sleep, plus the time the correcting cycle itself
      // took (slower on a loaded CI machine), plus a second of slack.
      await until('the correcting cycle to be logged', () => cycles(w).some((c) => c.corrected > 0));
      const correcting = cycles(w).find((c) => c.corrected > 0);
      expect(took).toBeLessThan(1_000 + correcting.durationMs + 1_000);
      await until('the bucket label to go', async () => {
        const [meta] = await new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT }).bucket(BUCKET).getMetadata();
        return !meta.labels?.['added-by-hand'];
      });
      // Two more cycles, not a guess at time: neither reverts the report-only field.
      const seen = cycles(w).length;
      await until('two more cycles', () => cycles(w).length >= seen + 2);
      expect((await get(s, SVC)).template.containers[0].image).toBe('example/watched:2-deployed-by-ci');
      // One line per drifted resource, with each field and what became of it.
      const reports = logLines(w).filter((l) => l.resource === 'CloudRunService/svc-watched' && l.msg?.startsWith('drift:'));
      expect(reports[0]).toMatchObject({ drift: 'changed', outcome: 'corrected' });
      expect(reports[0].fields).toEqual(
        expect.arrayContaining([
          { field: 'template.containers[0].image', actual: 'example/watched:2-deployed-by-ci', manifest: 'example/watched:1', handling: 'reported' },
          { field: 'template.scaling.maxInstanceCount', actual: 7, manifest: 3, handling: 'corrected' },
        ]),
      );
      const corrected = cycles(w).find((c) => c.corrected > 0);
      expect(corrected).toMatchObject({ stack: 'watched', failed: 0 });
      expect(corrected.driftFound).toBeGreaterThanOrEqual(2);
      expect(corrected.reported).toBe(1);
      // The counts add up: every drifted field went one way.
      for (const c of cycles(w)) expect(c.corrected + c.reported + c.failed + c.backingOff + c.heldBack + c.notAttempted).toBe(c.driftFound);
      for (const c of cycles(w))
        expect(Object.keys(c)).toEqual(expect.arrayContaining(['driftFound', 'corrected', 'reported', 'failed', 'durationMs', 'apiCalls']));
    } finally {
      const r = await w.stop();
      expect(r.code).toBe(0);
      await s.close();
    }
  });

  it('--observe-only reports drift and changes nothing', async () => {
    const s = await applied('test/fixtures/watch');
    const w = watch(s, ['--observe-only']);
    try {
      await driftService(s, (svc) => (svc.template.scaling.maxInstanceCount = 9));
      await until('a cycle that saw it', () => cycles(w).some((c) => c.driftFound > 0));
      expect((await get(s, SVC)).template.scaling.maxInstanceCount).toBe(9);
      expect(cycles(w).every((c) => c.corrected === 0)).toBe(true);
    } finally {
      await w.stop();
      await s.close();
    }
  });

  it('--observe-only names a deleted service as missing and a disabled API as disabled, once each', async () => {
    const s = await applied('test/fixtures/watch');
    await fetch(`${s.emu.url}${SVC}`, { method: 'DELETE' });
    await fetch(`${s.emu.url}/v1/projects/${PROJECT}/services/iam.googleapis.com:disable`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const w = watch(s, ['--observe-only']);
    try {
      await until('a cycle that saw it', () => cycles(w).some((c) => c.driftFound > 0));
      const lines = logLines(w).filter((l) => l.msg?.startsWith('drift:'));
      const missing = lines.filter((l) => l.resource === 'CloudRunService/svc-watched');
      expect(missing).toHaveLength(1);
      expect(missing[0]).toMatchObject({ drift: 'missing', outcome: 'reported', msg: 'drift: CloudRunService/svc-watched missing, reported' });
      expect(missing[0].fields).toBeUndefined();
      const api = lines.find((l) => l.resource === 'ProjectService/iam.googleapis.com');
      expect(api).toMatchObject({
        drift: 'missing',
        state: 'disabled',
        outcome: 'reported',
        msg: 'drift: ProjectService/iam.googleapis.com disabled, reported',
      });
      const cycle = cycles(w).find((c) => c.driftFound > 0);
      expect(cycle).toMatchObject({ driftedResources: 2, driftFound: 2, reported: 2, corrected: 0 });
    } finally {
      await w.stop();
      await s.close();
    }
  });

  it('on SIGTERM mid-cycle finishes what is in flight, writes the inventory, lets go of the lease and exits 0', async () => {
    const s = await stage({ operationMs: 1_500 }, 'test/fixtures/watch');
    try {
      expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
      const w = watch(s);
      await until('a first cycle', () => cycles(w).length >= 1);
      await driftService(s, (svc) => (svc.template.scaling.maxInstanceCount = 5));
      await until('the rollout to start', async () =>
        (await s.requests()).some((e) => e.method === 'PATCH' && e.path === SVC && e.start > Date.now() - 5_000 && !e.body.includes('"maxInstanceCount":5')),
      );
      const r = await w.stop('SIGTERM');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('"reason":"SIGTERM"');
      expect((await get(s, SVC)).template.scaling.maxInstanceCount).toBe(3); // the update in flight finished
      const raw = JSON.parse(readFileSync(join(s.dir, '.state', `${PROJECT}.watched.inventory.json`), 'utf8'));
      expect(JSON.parse(Buffer.from(raw.data, 'base64').toString()).entries.map((e: any) => e.name)).toContain('svc-watched');
      expect(() => readFileSync(join(s.dir, '.state', `${PROJECT}.watched.lease.json`))).toThrow();
      expect((await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'])).code).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('two watchers of one stack never write at the same time', async () => {
    const s = await stage({ operationMs: 400 }, 'test/fixtures/watch');
    expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    const a = watch(s);
    const b = watch(s);
    const windows = (w: RunningCli) =>
      cycles(w)
        .filter((c) => c.lease)
        .map((c) => [Date.parse(c.lease.acquiredAt), Date.parse(c.lease.releasedAt)]);
    try {
      // Drift until each watcher has corrected at least once (so both held the lease), at least 4 times.
      for (let i = 0; i < 4 || windows(a).length === 0 || windows(b).length === 0; i++) {
        if (i >= 16) throw new Error(`after ${i} drifts one watcher never held the lease: ${windows(a).length} and ${windows(b).length} windows`);
        await driftService(s, (svc) => (svc.template.scaling.maxInstanceCount = 10 + i));
        await until(`drift ${i} corrected`, async () => (await get(s, SVC)).template.scaling.maxInstanceCount === 3);
        await until(
          `the correction of drift ${i} to be logged`,
          () =>
            cycles(a)
              .concat(cycles(b))
              .filter((c) => c.corrected > 0).length > i,
        );
      }
      // Each writing cycle says when it held the lease: those spans never overlap, and each watcher held it.
      const [wa, wb] = [windows(a), windows(b)];
      expect(wa.length + wb.length).toBeGreaterThanOrEqual(4);
      expect(wa.length, 'watcher a held the lease').toBeGreaterThan(0);
      expect(wb.length, 'watcher b held the lease').toBeGreaterThan(0);
      for (const [s1, e1] of wa) for (const [s2, e2] of wb) expect(e1 <= s2 || e2 <= s1, `overlap ${[s1, e1]} ${[s2, e2]}`).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await s.close();
    }
  });

  it('picks up a manifest change uploaded to the bucket on the next cycle, without a restart', async () => {
    const s = await stage({}, 'test/fixtures/watch');
    const storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
    await storage.createBucket('ci-manifests-bucket');
    const upload = (text: string) => storage.bucket('ci-manifests-bucket').file('stacks/watched/stack.yaml').save(text, { resumable: false });
    const original = readFileSync(join(s.dir, 'stack.yaml'), 'utf8');
    await upload(original);
    const w = watch(s, [], 'gs://ci-manifests-bucket/stacks/watched/');
    try {
      await until('the stack to be created from the bucket', async () => (await fetch(`${s.emu.url}${SVC}`)).status === 200);
      await upload(original.replace('maxInstanceCount: 3', 'maxInstanceCount: 6'));
      await until('the new manifest to be applied', async () => (await get(s, SVC)).template.scaling.maxInstanceCount === 6);
      expect(cycles(w).some((c) => c.manifestsChanged && c.corrected > 0)).toBe(true);
    } finally {
      await w.stop();
      await s.close();
    }
  });

  it('logs a failed cycle as one line naming the call Google refused, and writes the same into its status', async () => {
    const s = await stage({}, 'test/fixtures/watch');
    try {
      // A typo of the project: Google (the emulator in strict project mode) refuses every call.
      const args = watchArgs(s).map((a) => (a === PROJECT ? 'e2e-projekt' : a));
      const r = await runCli([...args, '--once', '--log-format', 'json']);
      expect(r.code, r.stderr).toBe(1);
      const failed = jsonLines(r.stderr).find((l) => l.msg === 'cycle failed');
      // Whichever read is refused first (they go at once), it is named, then Google's status and
      // message: not the client's JSON body.
      expect(failed?.err).toMatch(/^(list|read) [^:\n]*e2e-projekt[^:\n]*: Google Cloud answered 403[ :][^\n{]*$/);
      const raw = JSON.parse(readFileSync(join(s.dir, '.state', 'e2e-projekt.watched.watcher-status.json'), 'utf8'));
      expect(JSON.parse(Buffer.from(raw.data, 'base64').toString()).lastCycle.error).toBe(failed.err);
    } finally {
      await s.close();
    }
  });

  it('keeps going through 20% injected faults and converges', async () => {
    const s = await stage({ faults: { r429: 0.1, r503: 0.1, seed: 5 } }, 'test/fixtures/watch');
    const w = watch(s);
    try {
      await until('the stack to exist', async () => (await fetch(`${s.emu.url}${SVC}`)).status === 200, 30_000);
      // The emulator fails 20% of calls, the test's own included: try until the drift is made.
      await until(
        'the drift to be made',
        () =>
          driftService(s, (svc) => (svc.template.scaling.maxInstanceCount = 8)).then(
            () => true,
            () => false,
          ),
        30_000,
      );
      await until(
        'convergence',
        async () => {
          const r = await fetch(`${s.emu.url}${SVC}`);
          return r.status === 200 && ((await r.json()) as any).template.scaling.maxInstanceCount === 3;
        },
        30_000,
      );
      await until('a few more cycles', () => cycles(w).length >= 3, 30_000);
      expect((await s.requests()).filter((e) => e.status === 429 || e.status === 503).length).toBeGreaterThan(0);
    } finally {
      const r = await w.stop();
      expect(r.code).toBe(0);
      await s.close();
    }
  });
});

/** The watcher's status object beside the inventory (local state wraps the bytes as base64). */
function watcherStatus(s: Stage): any {
  const raw = JSON.parse(readFileSync(join(s.dir, '.state', `${PROJECT}.watched.watcher-status.json`), 'utf8'));
  return JSON.parse(Buffer.from(raw.data, 'base64').toString());
}

const once = (s: Stage, extra: string[] = []) => runCli([...watchArgs(s), '--once', '--interval', '5m', '--log-format', 'json', ...extra]);

describe('musectl watch --once (one cycle per scheduled execution)', () => {
  it('runs one cycle, corrects the drift, exits 0 and writes its status beside the inventory', async () => {
    const s = await applied('test/fixtures/watch');
    try {
      await driftService(s, (svc) => (svc.template.scaling.maxInstanceCount = 7));
      const r = await once(s);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.includes('"msg":"cycle"'))).toHaveLength(1);
      expect((await get(s, SVC)).template.scaling.maxInstanceCount).toBe(3);
      const status = watcherStatus(s);
      expect(status).toMatchObject({
        formatVersion: 1,
        stack: 'watched',
        project: PROJECT,
        musectlVersion: JSON.parse(readFileSync('package.json', 'utf8')).version,
        intervalMs: 300_000,
        lastCycle: { outcome: 'completed', driftFound: 1, corrected: 1, reported: 0, failed: 0, backingOff: 0 },
        backoff: {},
      });
      expect(Date.parse(status.lastCycle.finishedAt)).toBeGreaterThanOrEqual(Date.parse(status.lastCycle.startedAt));
      expect(status.lastCycle.durationMs).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it('exits 1 when a correction fails, and the next execution keeps backing off the resource it failed on', async () => {
    const s = await stage({ domainRestrictedSharing: true }, 'test/fixtures/watch');
    expect((await s.cli(['apply', '-f', s.dir, '--yes'])).code).toBe(0);
    try {
      // An allUsers invoker in an organization with Domain Restricted Sharing: refused at every attempt.
      s.edit(
        'stack.yaml',
        (t) =>
          `${t}---\napiVersion: musectl.dev/v1alpha1\nkind: IAMPolicyMember\nmetadata: { name: public-invoker }\nspec:\n  role: roles/run.invoker\n  member: allUsers\n  resourceRef: { kind: CloudRunService, name: svc-watched }\n`,
      );
      const first = await once(s, ['--backoff', '1h']);
      expect(first.code, first.stderr).toBe(1);
      const failed = watcherStatus(s);
      expect(failed.lastCycle).toMatchObject({ outcome: 'completed', failed: 1 });
      expect(failed.backoff['IAMPolicyMember/public-invoker']).toMatchObject({ failures: 1 });
      expect(failed.backoff['IAMPolicyMember/public-invoker'].error).toContain('do not belong to a permitted customer');
      // The next execution (a new process) reads the backoff and leaves the grant alone.
      const second = await once(s, ['--backoff', '1h']);
      expect(second.code, second.stderr).toBe(0);
      expect(watcherStatus(s).lastCycle).toMatchObject({ outcome: 'completed', failed: 0, backingOff: 1 });
      expect(watcherStatus(s).backoff['IAMPolicyMember/public-invoker']).toMatchObject({ failures: 1 });
    } finally {
      await s.close();
    }
  });

  it('records a cycle that could not start: invalid manifests are a failed cycle with the first error, exit 1', async () => {
    const s = await applied('test/fixtures/watch');
    try {
      s.edit('stack.yaml', (t) => t.replace('maxInstanceCount: 3', 'maxInstanceCount: lots'));
      const r = await once(s);
      expect(r.code).toBe(1);
      const status = watcherStatus(s);
      expect(status.lastCycle.outcome).toBe('failed');
      expect(status.lastCycle.error).toMatch(
        /^the manifests are not valid \(1 error; first: .*stack\.yaml:\d+:\d+: CloudRunService\/svc-watched: spec\.template\.scaling\.maxInstanceCount: must be an integer/,
      );
    } finally {
      await s.close();
    }
  });

  it('refuses --once with --cycles, and a --cycles that is not a count', async () => {
    const both = await runCli(['watch', '-f', 'x', '--emulator', 'http://127.0.0.1:9', '--project', PROJECT, '--once', '--cycles', '2']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--once and --cycles say the same thing: give one of them');
    const bad = await runCli(['watch', '-f', 'x', '--emulator', 'http://127.0.0.1:9', '--project', PROJECT, '--cycles', '0']);
    expect(bad.stderr).toContain('--cycles 0: expected a whole number from 1');
  });
});
