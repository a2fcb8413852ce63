// ClientFactory.preload makes the clients it is given in the background, one per turn of the event loop, so
// a call already in flight is sent and answered in between; afterwards each getter hands out the
// client it made (no second construction), and nothing is sent to Google by preloading.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientFactory } from '../../../src/gcp/clients.js';

describe('ClientFactory.preload', () => {
  it('makes the clients it is given without a call, lets the event loop run in between, and the getters then reuse them', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const clients = new ClientFactory({ kind: 'emulator', project: 'p', url: new URL(`http://127.0.0.1:${port}`) } as never);
    try {
      let turns = 0;
      const ticking = setInterval(() => turns++, 0);
      await clients.preload(['runServices', 'runJobs', 'secretManager', 'storage', 'iam']);
      clearInterval(ticking);
      expect(turns).toBeGreaterThan(3); // timers ran while it worked: it did not hold the loop throughout
      const cache = (clients as unknown as { cache: Map<string, unknown> }).cache;
      expect([...cache.keys()].sort()).toEqual(['iam', 'run.jobs', 'run.services', 'secretmanager', 'storage']);
      expect(clients.runServices()).toBe(cache.get('run.services'));
      expect(clients.storage()).toBe(cache.get('storage'));
      expect(requests).toBe(0);
      await clients.close();
      await clients.preload(['cloudScheduler']); // after close: nothing more is made
      expect(cache.size).toBe(0);
    } finally {
      await clients.close();
      server.close();
    }
  });
});
