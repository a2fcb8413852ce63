// A create that finds the resource already there (409): adopted when it is identical or already
// ours, refused with a clear error otherwise. Driven in-process so the race can be staged between
// plan and apply; everything below the engine is real (official clients, HTTP, emulator).

import { Storage } from '@google-cloud/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allControllers } from '../../controllers/index.js';
import { applyPlan } from '../../src/engine/apply.js';
import type { ApplyEvent } from '../../src/engine/events.js';
import { observeAndPlan, openSession } from '../../src/engine/session.js';
import { createLogger } from '../../src/log.js';
import { PROJECT, type Stage, stage } from '../e2e/harness.js';

const UPLOADS = `sessionmuse-uploads-${PROJECT}`;

describe('a create that races an existing resource', () => {
  let s: Stage;
  let storage: Storage;
  // A fresh cloud per test: the plan must see the bucket (and everything else) as new.
  beforeEach(async () => {
    s = await stage();
    storage = new Storage({ apiEndpoint: s.emu.url, projectId: PROJECT });
  });
  afterEach(async () => s.close());

  async function planThenRace(race: () => Promise<void>) {
    const session = await openSession({
      controllers: allControllers(),
      paths: [s.dir],
      variables: {},
      target: { kind: 'emulator', project: PROJECT, url: new URL(s.emu.url) },
      log: createLogger('silent'),
    });
    const { exec } = await observeAndPlan(session);
    expect(exec.plan.actions.find((a) => a.name === UPLOADS)?.action).toBe('create');
    await race();
    const events: ApplyEvent[] = [];
    const result = await applyPlan(exec, session.controllers, session.ctx, { parallelism: 4, listener: (e) => events.push(e) });
    await session.close();
    return { result, events };
  }

  it('refuses a bucket someone else made differently, naming it', async () => {
    const { result } = await planThenRace(async () => {
      await storage.createBucket(UPLOADS, { location: 'US', storageClass: 'NEARLINE' } as any);
    });
    const failure = result.failed.find((f) => f.action.name === UPLOADS);
    expect(failure?.error).toBe(
      `Bucket/${UPLOADS} already exists in Google Cloud (${UPLOADS}), differs from the manifest and is not managed by this stack\n  Delete it in Google Cloud or give the manifest another name.`,
    );
    const [meta] = await storage.bucket(UPLOADS).getMetadata();
    expect(meta.storageClass).toBe('NEARLINE'); // untouched
  });

  it('adopts one that is already ours (our labels) and brings it in line', async () => {
    const { result, events } = await planThenRace(async () => {
      await storage.createBucket(UPLOADS, {
        location: 'asia-northeast1',
        storageClass: 'NEARLINE',
        labels: { 'managed-by': 'musectl', 'musectl-stack': 'sessionmuse' },
      } as any);
    });
    expect(result.failed).toEqual([]);
    const done = events.find((e) => e.type === 'done' && e.action.name === UPLOADS);
    expect(done && done.type === 'done' && done.note).toContain('adopted');
    const [meta] = await storage.bucket(UPLOADS).getMetadata();
    expect(meta.storageClass).toBe('STANDARD');
    expect(meta.labels).toMatchObject({ app: 'sessionmuse', content: 'uploads' });
  });
});
