// How Cloud Run services report health to `musectl status`, from Service objects shaped as the
// official client returns them (gcp-api-facts.md §1: reconciling while a rollout runs; a failed
// rollout leaves latestCreatedRevision != latestReadyRevision with terminalCondition FAILED).
import { describe, expect, it } from 'vitest';
import { serviceHealth } from '../../../controllers/cloud-run-rollout.js';

const P = 'projects/p/locations/asia-northeast1/services/web';
const settled = {
  name: P,
  reconciling: false,
  latestReadyRevision: `${P}/revisions/web-00001-abc`,
  latestCreatedRevision: `${P}/revisions/web-00001-abc`,
  terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
  trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
  updateTime: { seconds: '1767225600', nanos: 500000000 },
  lastModifier: 'ana@example.com',
};

describe('serviceHealth', () => {
  it('a settled service is ready, serving its latest ready revision, with its last change', () => {
    expect(serviceHealth(settled as any)).toEqual({
      state: 'ready',
      revision: 'web-00001-abc',
      traffic: [{ revision: 'web-00001-abc', percent: 100 }],
      changedAt: '2026-01-01T00:00:00.500Z',
      changedBy: 'ana@example.com',
    });
  });

  it('a rollout in flight is progressing, naming the revision it rolls out', () => {
    const h = serviceHealth({
      ...settled,
      reconciling: true,
      latestCreatedRevision: `${P}/revisions/web-00002-def`,
      terminalCondition: { type: 'Ready', state: 'CONDITION_RECONCILING' },
    } as any);
    expect(h).toMatchObject({ state: 'progressing', message: 'rolling out revision web-00002-def', revision: 'web-00001-abc' });
  });

  it('a failed rollout is degraded: the revision that failed, Google words, and where traffic stays', () => {
    const h = serviceHealth({
      ...settled,
      latestCreatedRevision: `${P}/revisions/web-00002-def`,
      terminalCondition: {
        type: 'Ready',
        state: 'CONDITION_FAILED',
        reason: 'REVISION_FAILED',
        message: "Revision 'web-00002-def' is not ready and cannot serve traffic.\nmore",
      },
      trafficStatuses: [
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: `${P}/revisions/web-00001-abc`, percent: 90 },
        { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: `${P}/revisions/web-00001-abc`, percent: 10, tag: 'canary' },
      ],
    } as any);
    expect(h.state).toBe('degraded');
    expect(h.message).toBe(
      "revision web-00002-def is not ready: Ready (REVISION_FAILED): Revision 'web-00002-def' is not ready and cannot serve traffic.; traffic stays on web-00001-abc",
    );
    expect(h.traffic).toEqual([
      { revision: 'web-00001-abc', percent: 90 },
      { revision: 'web-00001-abc', percent: 10, tag: 'canary' },
    ]);
  });

  it('a service whose first revision never became ready serves nothing', () => {
    const h = serviceHealth({
      ...settled,
      latestReadyRevision: undefined,
      trafficStatuses: [],
      terminalCondition: { type: 'Ready', state: 'CONDITION_FAILED' },
    } as any);
    expect(h).toMatchObject({ state: 'degraded', message: 'revision web-00001-abc is not ready: Ready; no revision serves traffic' });
    expect(h.revision).toBeUndefined();
  });
});
