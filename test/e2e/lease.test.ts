// The stack's lock under real interruptions: a writer paused past its lease (SIGSTOP) must not
// write once another apply took over; SIGTERM during apply finishes what is in flight, records
// the inventory and releases the lock; a killed apply's lock can be released with unlock; a create
// whose answer was lost leaves an entry that is never pruned. The CLI as processes, the emulator
// slowed down so that interruptions land mid-apply.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { until } from '../support/until.js';
import { runCli, startCli } from './cli.js';
import { PROJECT } from './harness.js';

const STACK = `apiVersion: musectl.dev/v1alpha1
kind: Stack
metadata: { name: locks }
`;
const ACCOUNTS = (n: number) =>
  Array.from({ length: n }, (_, i) => `apiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata: { name: sa-lock-${i} }\n`).join('---\n');

function stackDir(accounts: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'musectl-lease-'));
  writeFileSync(join(dir, 'stack.yaml'), STACK);
  writeFileSync(join(dir, 'accounts.yaml'), ACCOUNTS(accounts));
  return dir;
}

const stateDir = (dir: string) => join(dir, '.musectl', 'state');
const leaseFile = (dir: string) => join(stateDir(dir), `${PROJECT}.locks.lease.json`);
const inventoryNames = (dir: string): string[] => {
  const raw = JSON.parse(readFileSync(join(stateDir(dir), `${PROJECT}.locks.inventory.json`), 'utf8'));
  return JSON.parse(Buffer.from(raw.data, 'base64').toString()).entries.map((e: any) => `${e.name}${e.pending ? ' (pending)' : ''}`);
};

describe('the stack lock under interruptions', () => {
  let emu: RunningEmulator;
  afterEach(async () => emu?.close());

  it('a writer paused past its lease stops instead of writing after another apply took over', async () => {
    emu = await startEmulator({ latencyMs: 150 });
    const dir = stackDir(8);
    const env = { MUSECTL_LEASE_TTL_MS: '2000' };
    const target = ['--emulator', emu.url, '--project', PROJECT];
    const paused = startCli(['apply', '-f', dir, '--yes', '--parallelism', '1', ...target], { env });
    await until('the first create', () => paused.stderr().includes('creating...'));
    paused.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2_500)); // past the 2 s lease
    const taker = await runCli(['apply', '-f', dir, '--yes', '--lock-timeout', '30s', ...target], { env });
    expect(taker.code, taker.stderr).toBe(0);
    paused.child.kill('SIGCONT');
    const result = await paused.done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/lock (ran out|\(.*\) was taken over)/);
    // Said once, with what was done, not once per resource that was queued.
    expect(result.stderr).toMatch(/this apply stopped after \d+ done, \d+ failed, \d+ not attempted, and did not write the inventory/);
    expect(result.stderr.match(/Nothing more was written/g)?.length ?? 0).toBeLessThanOrEqual(2);
    // What the taker left is the truth: nothing for a plan to do.
    const plan = await runCli(['plan', '-f', dir, '--detailed-exitcode', ...target]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('SIGTERM during apply: what is in flight finishes, the inventory is recorded, the lock released, exit 143', async () => {
    emu = await startEmulator({ latencyMs: 200 });
    const dir = stackDir(6);
    const target = ['--emulator', emu.url, '--project', PROJECT];
    const apply = startCli(['apply', '-f', dir, '--yes', '--parallelism', '1', ...target]);
    await until('an account created', () => /ServiceAccount\/sa-lock-\d: created/.test(apply.stderr()));
    const result = await apply.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(143);
    expect(result.stderr).toMatch(
      /Interrupted \(SIGTERM\) after [\d.]+s: \d+ done, 0 failed, \d+ not attempted; the inventory is recorded and the lock released/,
    );
    expect(existsSync(leaseFile(dir))).toBe(false);
    const created = [...result.stderr.matchAll(/ServiceAccount\/(sa-lock-\d): created/g)].map((m) => m[1]);
    expect(created.length).toBeGreaterThan(0);
    for (const name of created) expect(inventoryNames(dir)).toContain(name);
    const again = await runCli(['apply', '-f', dir, '--yes', ...target]);
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli(['plan', '-f', dir, '--detailed-exitcode', ...target])).code).toBe(0);
  });

  it("unlock shows the holder of a killed apply's lock, refuses a live lease without --force, and releases it", async () => {
    emu = await startEmulator({ latencyMs: 200 });
    const dir = stackDir(4);
    const target = ['--emulator', emu.url, '--project', PROJECT];
    const apply = startCli(['apply', '-f', dir, '--yes', '--parallelism', '1', ...target]);
    await until('a create', () => apply.stderr().includes('creating...'));
    await apply.stop('SIGKILL');
    expect(existsSync(leaseFile(dir))).toBe(true);
    const locked = await runCli(['apply', '-f', dir, '--yes', ...target]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/is locked by musectl apply \(pid \d+ on /);
    const refused = await runCli(['unlock', '-f', dir, '--yes', ...target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is locked by musectl apply \(pid \d+ on .*\) since .*; its lease runs until/);
    expect(refused.stderr).toContain('the lease has not run out');
    const released = await runCli(['unlock', '-f', dir, '--yes', '--force', ...target]);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toContain('Released the lock of stack locks.');
    expect(existsSync(leaseFile(dir))).toBe(false);
    const after = await runCli(['apply', '-f', dir, '--yes', ...target]);
    expect(after.code, after.stderr).toBe(0);
    expect((await runCli(['unlock', '-f', dir, ...target])).stderr).toContain('is not locked');
  });

  it('a create whose answer was lost leaves a pending entry that is never pruned, even once someone else makes the account', async () => {
    emu = await startEmulator({ latencyMs: 300 });
    const dir = stackDir(1);
    writeFileSync(join(dir, 'keep.yaml'), 'apiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata: { name: sa-keeper }\n');
    const target = ['--emulator', emu.url, '--project', PROJECT];
    const apply = startCli(['apply', '-f', dir, '--yes', ...target]);
    await until('the create of sa-lock-0', () => apply.stderr().includes('ServiceAccount/sa-lock-0: creating...'));
    await apply.stop('SIGKILL');
    expect(inventoryNames(dir)).toContain('sa-lock-0 (pending)');
    expect((await runCli(['unlock', '-f', dir, '--yes', '--force', ...target])).code).toBe(0);
    // The manifest goes; the account (if the create landed) is gone too, and then someone else makes one of that name.
    writeFileSync(join(dir, 'accounts.yaml'), '');
    const email = `sa-lock-0@${PROJECT}.iam.gserviceaccount.com`;
    await fetch(`${emu.url}/v1/projects/${PROJECT}/serviceAccounts/${email}`, { method: 'DELETE' });
    const made = await fetch(`${emu.url}/v1/projects/${PROJECT}/serviceAccounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: 'sa-lock-0', serviceAccount: { displayName: 'not musectl' } }),
    });
    expect(made.status).toBe(200);
    const plan = await runCli(['plan', '-f', dir, '--prune', ...target]);
    expect(plan.stdout).toContain("ServiceAccount/sa-lock-0: no longer in the manifests, but left alone: this stack's create of it was never confirmed");
    const pruned = await runCli(['apply', '-f', dir, '--yes', '--prune', ...target]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect((await fetch(`${emu.url}/v1/projects/${PROJECT}/serviceAccounts/${email}`)).status).toBe(200);
    expect(inventoryNames(dir)).not.toContain('sa-lock-0 (pending)');
    expect(readdirSync(stateDir(dir)).some((f) => f.endsWith('.lease.json'))).toBe(false);
  });
});
