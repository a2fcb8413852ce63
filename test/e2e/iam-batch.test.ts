// IAMPolicyMember: members of one policy in one read-modify-write, other bindings left alone; and
// a Cloud Run env var from a secret, waiting for that secret and for the grant that lets its
// account read it (Cloud Run refuses the deploy otherwise).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsBetween, PROJECT, type Stage, stage } from './harness.js';

describe('IAM members and secret env', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage({ serviceAccountConsistencyMs: 300 }, 'test/fixtures/iam-batch');
  });
  afterAll(async () => s.close());

  it('writes three members of the project policy in one setIamPolicy, keeping the bindings it does not own', async () => {
    // Someone else's binding, made before musectl runs.
    const policy: any = await (await fetch(`${s.emu.url}/v3/projects/${PROJECT}:getIamPolicy`, { method: 'POST', body: '{}' })).json();
    policy.bindings.push({ role: 'roles/viewer', members: ['user:someone@example.com'] });
    const set = await fetch(`${s.emu.url}/v3/projects/${PROJECT}:setIamPolicy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policy }),
    });
    expect(set.status).toBe(200);

    const before = await s.stats();
    const plan = await s.cli(['plan', '-f', s.dir, '-o', 'json'], { env: { API_TOKEN: 'tok-1' } });
    const actions = JSON.parse(plan.stdout).actions;
    const members = actions
      .filter((a: any) => a.kind === 'IAMPolicyMember')
      .map((a: any) => [a.action, a.changes.map((c: any) => `${c.path}=${c.after}`).join(' ')]);
    expect(members).toEqual([
      ['create', `role=roles/viewer member=serviceAccount:sa-one-x@${PROJECT}.iam.gserviceaccount.com`],
      ['create', `role=roles/viewer member=serviceAccount:sa-two-x@${PROJECT}.iam.gserviceaccount.com`],
      ['create', 'role=roles/logging.viewer member=group:auditors@example.com'],
      ['create', `role=roles/secretmanager.secretAccessor member=serviceAccount:sa-one-x@${PROJECT}.iam.gserviceaccount.com`],
    ]);
    const worker = actions.find((a: any) => a.name === 'worker');
    expect(worker.dependsOn).toEqual(['ServiceAccount/sa-one-x', 'Secret/api-token', 'IAMPolicyMember/worker-reads-token']);

    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: { API_TOKEN: 'tok-1' } });
    expect(r.code, r.stderr).toBe(0);
    const calls = callsBetween(before, await s.stats());
    expect(calls['POST /v3/projects/{project}:setIamPolicy']).toBe(1);

    const after: any = await (await fetch(`${s.emu.url}/v3/projects/${PROJECT}:getIamPolicy`, { method: 'POST', body: '{}' })).json();
    const viewers = after.bindings.find((b: any) => b.role === 'roles/viewer').members;
    expect(viewers).toEqual(
      expect.arrayContaining([
        'user:someone@example.com',
        `serviceAccount:sa-one-x@${PROJECT}.iam.gserviceaccount.com`,
        `serviceAccount:sa-two-x@${PROJECT}.iam.gserviceaccount.com`,
      ]),
    );
    expect(after.bindings.find((b: any) => b.role === 'roles/owner')).toBeDefined();
  });

  it('sets the secret env var by reference and plans nothing more', async () => {
    const svc: any = await (await fetch(`${s.emu.url}/v2/projects/${PROJECT}/locations/asia-northeast1/services/worker`)).json();
    expect(svc.template.containers[0].env).toEqual([{ name: 'API_TOKEN', valueSource: { secretKeyRef: { secret: 'api-token', version: 'latest' } } }]);
    const plan = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env: { API_TOKEN: 'tok-1' } });
    expect(plan.code, plan.stdout).toBe(0);
  });
});
