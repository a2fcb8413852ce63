// Rollouts a person can follow, through the CLI as a process against the emulator: a failed Cloud
// Run rollout names the revision, its failed condition and the logs command, and the next plan
// says the service is degraded; a long rollout reports itself every 10 s (a line on a terminal, an
// info log line otherwise); operation polls survive 429s and 503s; and a service that reads a
// secret with no value is not created.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './cli.js';
import { PROJECT, type Stage, stage, writeCalls } from './harness.js';
import { interceptingProxy } from './proxy.js';

const FIXTURE = 'test/fixtures/rollout';
const TOKEN = { API_TOKEN: 'rollout-token-1' };

const hasScript = (() => {
  try {
    execFileSync('which', ['script'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('a failed rollout, explained; the next plan says the service is degraded', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({}, FIXTURE);
  });
  afterAll(() => s.close());

  it('names the revision, its condition and the gcloud logging read command; then plan warns', async () => {
    expect((await s.cli(['apply', '-f', s.dir, '--yes'], { env: TOKEN })).code).toBe(0);
    s.edit('stack.yaml', (t) => t.replace('container/hello:latest', 'container/hello:fail-rollout'));
    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: TOKEN });
    expect(r.code).toBe(1);
    const rev = /revision (rollout-api-\d{5}-\w+) is not ready/.exec(r.stderr)?.[1];
    expect(rev, r.stderr).toBeDefined();
    expect(r.stderr).toContain(
      `CloudRunService/rollout-api: the rollout failed: revision ${rev} is not ready: ContainerHealthy: Revision '${rev}' is not ready and cannot serve traffic.`,
    );
    expect(r.stderr).toMatch(/traffic stays on rollout-api-00001-\w+\./);
    expect(r.stderr).toContain(
      `Its logs: gcloud logging read 'resource.type="cloud_run_revision" AND resource.labels.service_name="rollout-api" AND resource.labels.revision_name="${rev}"' --project ${PROJECT} --limit 50`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at .+[:(]\d+/);

    const plan = await s.cli(['plan', '-f', s.dir], { env: TOKEN });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`CloudRunService/rollout-api: degraded: the latest created revision ${rev} is not ready`);
    expect(plan.stdout).toContain('then apply a change to the template (a new image, say) to roll out a new revision');

    s.edit('stack.yaml', (t) => t.replace('container/hello:fail-rollout', 'container/hello:v2'));
    expect((await s.cli(['apply', '-f', s.dir, '--yes'], { env: TOKEN })).code).toBe(0);
    expect((await s.cli(['plan', '-f', s.dir], { env: TOKEN })).stdout).not.toContain('degraded');
  });
});

describe('a service is not created on a secret with no value', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({}, FIXTURE);
  });
  afterAll(() => s.close());

  it('plan and apply refuse it, naming the variable to set, and write nothing; with the value it applies', async () => {
    const plan = await s.cli(['plan', '-f', s.dir]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      'Error: CloudRunService/rollout-api: its env var API_TOKEN reads Secret/api-token, which has no value (environment variable API_TOKEN is not set) and no version in Secret Manager, so Cloud Run would fail the deploy; set the environment variable API_TOKEN and plan again',
    );
    const before = await s.stats();
    const apply = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('Nothing was changed.');
    const after = await s.stats();
    const writes = writeCalls(Object.fromEntries(Object.entries(after.requests).map(([k, n]) => [k, n - (before.requests[k] ?? 0)])));
    expect(Object.values(writes).filter((n) => n > 0)).toEqual([]);

    expect((await s.cli(['apply', '-f', s.dir, '--yes'], { env: TOKEN })).code).toBe(0);
    // Now the secret has a version: a change to the service goes ahead without the variable.
    s.edit('stack.yaml', (t) => t.replace('container/hello:latest', 'container/hello:v3'));
    const later = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stderr).toContain('CloudRunService/rollout-api: updated');
  });
});

describe('operation polls are retried like any call', () => {
  let s: Stage;
  let proxy: Awaited<ReturnType<typeof interceptingProxy>>;
  const answered: number[] = [];
  beforeAll(async () => {
    s = await stage({ operationMs: 1_500 }, FIXTURE);
    // The first three polls of an operation are answered 429, 503 and 429 by a proxy, as Google may.
    const faults = [429, 503, 429];
    proxy = await interceptingProxy(s.emu.url, ({ method, url }) => {
      if (method !== 'GET' || !/\/operations\//.test(url) || answered.length >= faults.length) return undefined;
      const status = faults[answered.length];
      answered.push(status);
      return {
        status,
        body: {
          error: {
            code: status,
            message: status === 429 ? 'Quota exceeded' : 'The service is currently unavailable.',
            status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE',
          },
        },
      };
    });
  });
  afterAll(async () => {
    await proxy.close();
    await s.close();
  });

  it('one apply succeeds although polls were answered 429, 503 and 429; each retry is logged', async () => {
    const r = await runCli(
      ['apply', '-f', s.dir, '--yes', '--emulator', proxy.url, '--project', PROJECT, '--state', join(s.dir, '.state'), '--log-level', 'info'],
      {
        env: TOKEN,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(answered).toEqual([429, 503, 429]);
    const retries = r.stderr
      .split('\n')
      .filter((l) => l.includes('retrying a call'))
      .map((l) => JSON.parse(l) as { call: string; attempt: number });
    expect(retries.filter((x) => x.call === 'wait for create CloudRunService/rollout-api').map((x) => x.attempt)).toEqual([1, 2, 3]);
  });
});

describe('a long rollout reports itself every 10 s', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({ operationMs: 11_500, projects: [PROJECT, 'tty-project'] }, FIXTURE);
  });
  afterAll(() => s.close());

  it('off a terminal: an info log line; on a terminal: "still creating... [10s elapsed]"', async (t) => {
    const logged = s.cli(['apply', '-f', s.dir, '--yes', '--log-level', 'info'], { env: TOKEN });
    // On a terminal (script(1) gives the CLI a pseudo-terminal), in another project of the same emulator.
    const onTerminal = hasScript
      ? new Promise<string>((resolve, reject) => {
          const cmd = [
            process.execPath,
            BIN,
            'apply',
            '-f',
            s.dir,
            '--yes',
            '--emulator',
            s.emu.url,
            '--project',
            'tty-project',
            '--state',
            join(s.dir, '.tty-state'),
          ];
          // Asynchronous: the emulator runs in this process and must keep answering.
          const child = spawn('script', ['-qec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'], {
            cwd: ROOT,
            env: { ...process.env, ...TOKEN, NO_COLOR: '1', CI: '' },
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('error', reject);
          child.on('close', () => resolve(out));
          child.stdin.end();
        })
      : undefined;
    const r = await logged;
    expect(r.code, r.stderr).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('still creating...'));
    expect(line, r.stderr).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 30, msg: 'CloudRunService/rollout-api: still creating... [10s elapsed]', elapsedSeconds: 10 });
    if (!onTerminal) {
      console.log('skipped the terminal half: script(1) is not installed');
      t.skip();
      return;
    }
    expect(await onTerminal).toMatch(/ {2}CloudRunService\/rollout-api: still creating\.\.\. \[10s elapsed\]\r?\n/);
  }, 90_000);
});
