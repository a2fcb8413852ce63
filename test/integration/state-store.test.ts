// The stack's state stores (a directory, and a Cloud Storage prefix on the emulator): conditional
// writes, no lost inventory updates under concurrent writers, and the lease.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { ApiCaller } from '../../src/gcp/api-call.js';
import { ClientFactory } from '../../src/gcp/clients.js';
import { RateLimiter } from '../../src/gcp/rate-limit.js';
import { GcsStateStore } from '../../src/state/gcs-store.js';
import { InventoryStore } from '../../src/state/inventory.js';
import { Lease } from '../../src/state/lease.js';
import { LocalStateStore } from '../../src/state/local-store.js';
import { PreconditionFailed, type StateStore } from '../../src/state/store.js';
import { PROJECT, stage } from '../e2e/harness.js';

const P = 'state-project';
let emu: RunningEmulator;
let clients: ClientFactory;

beforeAll(async () => {
  emu = await startEmulator();
  clients = new ClientFactory({ kind: 'emulator', project: P, url: new URL(emu.url) });
  await new Storage({ apiEndpoint: emu.url, projectId: P }).createBucket('musectl-state-bucket');
});
afterAll(async () => {
  await clients.close();
  await emu.close();
});

const stores: Array<[string, () => StateStore]> = [
  ['a local directory', () => new LocalStateStore(mkdtempSync(join(tmpdir(), 'musectl-state-')))],
  [
    'a Cloud Storage prefix',
    () => new GcsStateStore(`gs://musectl-state-bucket/run-${Math.random().toString(36).slice(2)}`, clients, new ApiCaller(new RateLimiter())),
  ],
];

describe.each(stores)('state in %s', (_name, make) => {
  it('writes only at the generation it was read at', async () => {
    const store = make();
    const g1 = await store.write('k', Buffer.from('one'), '0');
    await expect(store.write('k', Buffer.from('again'), '0')).rejects.toBeInstanceOf(PreconditionFailed);
    const g2 = await store.write('k', Buffer.from('two'), g1);
    await expect(store.write('k', Buffer.from('stale'), g1)).rejects.toBeInstanceOf(PreconditionFailed);
    expect((await store.read('k'))?.data.toString()).toBe('two');
    await expect(store.delete('k', g1)).rejects.toBeInstanceOf(PreconditionFailed);
    await store.delete('k', g2);
    expect(await store.read('k')).toBeUndefined();
  });

  it('loses no inventory update when ten writers update at once', async () => {
    const inv = new InventoryStore(make(), P, 'race');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        inv.update((entries) =>
          entries.set(`ServiceAccount/sa-${i}`, {
            kind: 'ServiceAccount',
            name: `sa-${i}`,
            id: `id-${i}`,
            scope: 'projects/p',
            dependsOn: [],
            deletionPolicy: 'delete',
          }),
        ),
      ),
    );
    expect((await inv.load()).entries.map((e) => e.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `sa-${i}`).sort());
  });

  it('lets one holder have the lease, names it to the next, and hands over an expired one', async () => {
    const store = make();
    const first = await Lease.acquire(store, { project: P, stack: 's' }, { ttlMs: 300, waitMs: 0, what: 'first' });
    await expect(Lease.acquire(store, { project: P, stack: 's' }, { ttlMs: 300, waitMs: 0, what: 'second' })).rejects.toThrow(/locked by first \(pid \d+/);
    await first.release();
    const again = await Lease.acquire(store, { project: P, stack: 's' }, { ttlMs: 200, waitMs: 0, what: 'third' });
    // A holder that stops renewing (it died) loses the lease once it expires.
    (again as unknown as { timer?: NodeJS.Timeout }).timer && clearInterval((again as unknown as { timer: NodeJS.Timeout }).timer);
    await new Promise((r) => setTimeout(r, 300));
    const taker = await Lease.acquire(store, { project: P, stack: 's' }, { ttlMs: 5_000, waitMs: 0, what: 'taker' });
    await expect(again.renew()).rejects.toThrow(/taken over/);
    await taker.release();
  });

  it("takes and renews the lease when a write's answer is lost and its retry is refused (the store kept the first)", async () => {
    // What a dropped connection does to a conditional upload: the store takes the write, the answer
    // never arrives, and the same write sent again is at a generation that is no longer there (412).
    const inner = make();
    let loseNext = 0;
    const store: StateStore = Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
      write: async (key: string, data: Buffer, ifGeneration: string) => {
        const generation = await inner.write(key, data, ifGeneration);
        if (loseNext > 0) {
          loseNext--;
          throw new PreconditionFailed(key);
        }
        return generation;
      },
    });
    loseNext = 1;
    const lease = await Lease.acquire(store, { project: P, stack: 'lost' }, { ttlMs: 5_000, waitMs: 0, what: 'lost answer' });
    loseNext = 1;
    await lease.renew();
    lease.check();
    await lease.renew(); // at the generation the lost renewal made
    await lease.release();
    expect(await inner.read('state-project.lost.lease.json')).toBeUndefined();
    // Someone else's write in between is still someone else's: named, not taken.
    const other = await Lease.acquire(inner, { project: P, stack: 'lost' }, { ttlMs: 5_000, waitMs: 0, what: 'the other run' });
    await expect(Lease.acquire(inner, { project: P, stack: 'lost' }, { ttlMs: 5_000, waitMs: 0, what: 'late' })).rejects.toThrow(/locked by the other run/);
    await other.release();
  });
});

describe('apply with --state gs://', () => {
  it('keeps the inventory in the bucket and the lease only while applying', async () => {
    const s = await stage({}, 'test/fixtures/iam-batch');
    try {
      await new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT }).createBucket('ci-state-bucket');
      const r = await s.cli(['apply', '-f', s.dir, '--yes', '--state', 'gs://ci-state-bucket/stacks'], { env: { API_TOKEN: 't' } });
      expect(r.code, r.stderr).toBe(0);
      const [files] = await new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT }).bucket('ci-state-bucket').getFiles({ prefix: 'stacks/' });
      expect(files.map((f) => f.name)).toEqual([`stacks/${PROJECT}.iam-batch.inventory.json`]);
      const [data] = await files[0].download();
      expect(JSON.parse(data.toString()).entries.map((e: any) => e.name)).toContain('sa-one-x');
    } finally {
      await s.close();
    }
  });
});
