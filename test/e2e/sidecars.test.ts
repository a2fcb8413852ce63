// A service with a sidecar: the schema's default port goes to the ingress container only. Before,
// it filled in every container and Cloud Run (the emulator too) refused the service: "only one
// container can specify ports".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stage, stage } from './harness.js';

describe('a Cloud Run service with a sidecar', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/sidecars');
  });
  afterAll(() => s.close());

  it('is created with one ported container, and the next plan has no changes', async () => {
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const create = (await s.requests()).find((q) => q.method === 'POST' && /\/services(\?|$)/.test(q.path));
    const containers = JSON.parse(create!.body).template.containers as Array<{ name: string; ports?: unknown[] }>;
    expect(containers.map((c) => [c.name, c.ports ?? []])).toEqual([
      ['app', [{ name: 'http1', containerPort: 8080 }]],
      ['proxy', []],
    ]);
    expect((await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'])).code).toBe(0);
  });
});
