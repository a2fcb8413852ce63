// Waiting for a long-running operation gives the action's --parallelism slot up for the whole wait,
// polls included (each poll is still a rate-limited call), and takes it back once it is done.
import { describe, expect, it } from 'vitest';
import type { ApiCaller } from '../../../src/gcp/api-call.js';
import { waitForOperation } from '../../../src/gcp/operations.js';
import { waitingRoom } from '../../../src/gcp/waiting-room.js';
import { recordingSlot } from '../../support/recording-slot.js';

describe('waitForOperation', () => {
  it('polls without the slot until the operation is done, then takes the slot back', async () => {
    const events: string[] = [];
    const slot = recordingSlot(events);
    let polls = 0;
    const api = { call: async (_info: unknown, fn: () => Promise<unknown>) => fn() } as unknown as ApiCaller;
    const operation = {
      name: 'operations/o1',
      latestResponse: { done: false },
      async getOperation() {
        events.push(`poll ${++polls}`);
        return ['the service', undefined, { done: polls === 2 }];
      },
    };
    const result = await waitingRoom.run(slot, () => waitForOperation<string>(api, operation, { quota: 'run.read', scope: 'r', what: 'x', initialDelayMs: 0 }));
    expect(result).toBe('the service');
    expect(events).toEqual(['slot given up', 'poll 1', 'poll 2', 'slot back']);
  });
});
