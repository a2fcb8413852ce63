// A stand-in for apply's parallelism slot that says when it is given up and taken back.
import type { HeldSlot } from '../../src/gcp/waiting-room.js';

export function recordingSlot(events: string[], gaveUp = 'slot given up', back = 'slot back'): HeldSlot {
  return {
    async without(wait) {
      events.push(gaveUp);
      try {
        return await wait();
      } finally {
        events.push(back);
      }
    },
  };
}
