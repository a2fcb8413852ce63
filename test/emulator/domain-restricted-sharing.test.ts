// The emulator's Domain Restricted Sharing switch (emulator/FACTS.md): in an organization whose
// policy constraints/iam.allowedPolicyMemberDomains is in force, every API refuses an IAM policy
// change that adds allUsers or allAuthenticatedUsers, each in its own words; without the switch
// the same changes are accepted. Through Google's official clients.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { v2 } from '@google-cloud/run';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions } from './helpers.js';

const PROJECT = 'drs-project';
const PARENT = `projects/${PROJECT}/locations/asia-northeast1`;
const RUN_MESSAGE = 'One or more users named in the policy do not belong to a permitted customer,  perhaps due to an organization policy.';
const MESSAGE = 'One or more users named in the policy do not belong to a permitted customer.';

async function service(emu: RunningEmulator, id: string): Promise<{ run: InstanceType<typeof v2.ServicesClient>; name: string }> {
  const run = new v2.ServicesClient(gaxOptions(emu));
  const [op] = await run.createService({
    parent: PARENT,
    serviceId: id,
    service: { template: { containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/hello' }] } },
  });
  const [svc] = await op.promise();
  return { run, name: svc.name! };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err) => err as { code?: number; message?: string; details?: string; statusDetails?: any[] },
  );

describe('with domainRestrictedSharing', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ domainRestrictedSharing: true });
  });
  afterAll(async () => emu.close());

  it('Cloud Run refuses an allUsers invoker with 400 FAILED_PRECONDITION and its own words, and keeps the policy', async () => {
    const { run, name } = await service(emu, 'public-svc');
    try {
      const [policy] = await run.getIamPolicy({ resource: name });
      const err = await failure(run.setIamPolicy({ resource: name, policy: { ...policy, bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } }));
      expect(err?.code).toBe(400); // REST mode: the HTTP status (CLIENTS.md)
      expect(err?.message).toContain(RUN_MESSAGE);
      const raw = await fetch(`${emu.url}/v2/${name}:setIamPolicy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ policy: { bindings: [{ role: 'roles/run.invoker', members: ['allAuthenticatedUsers'] }] } }),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({ error: { code: 400, message: RUN_MESSAGE, status: 'FAILED_PRECONDITION' } });
      const [after] = await run.getIamPolicy({ resource: name });
      expect(after.bindings ?? []).toEqual([]);
      // A member of a domain is still accepted (the switch models the public members only).
      const [ok] = await run.setIamPolicy({
        resource: name,
        policy: { ...after, bindings: [{ role: 'roles/run.invoker', members: ['user:ana@example.com'] }] },
      });
      expect(ok.bindings?.[0].members).toEqual(['user:ana@example.com']);
    } finally {
      await run.close();
    }
  });

  it('Resource Manager refuses it on the project with a PreconditionFailure naming the constraint', async () => {
    const projects = new ProjectsClient(gaxOptions(emu));
    try {
      const [policy] = await projects.getIamPolicy({ resource: `projects/${PROJECT}` });
      const bindings = [...(policy.bindings ?? []), { role: 'roles/viewer', members: ['allAuthenticatedUsers'] }];
      const raw = await fetch(`${emu.url}/v3/projects/${PROJECT}:setIamPolicy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ policy: { ...policy, etag: Buffer.from(policy.etag as Uint8Array).toString('base64'), bindings } }),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({
        error: {
          code: 400,
          message: MESSAGE,
          status: 'FAILED_PRECONDITION',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
              violations: [
                {
                  type: 'constraints/iam.allowedPolicyMemberDomains',
                  subject: `orgpolicy:projects/${PROJECT}?configvalue=allAuthenticatedUsers`,
                  description: 'User allAuthenticatedUsers is not in permitted organization.',
                },
              ],
            },
          ],
        },
      });
      const err = await failure(projects.setIamPolicy({ resource: `projects/${PROJECT}`, policy: { ...policy, bindings } }));
      expect(err?.code).toBe(400);
    } finally {
      await projects.close();
    }
  });

  it('Cloud Storage refuses it with 412 and Secret Manager with 400 FAILED_PRECONDITION', async () => {
    const storage = new Storage({ apiEndpoint: emu.url, projectId: PROJECT });
    const [bucket] = await storage.createBucket('drs-bucket');
    const [policy] = await bucket.iam.getPolicy();
    const err = await failure(
      bucket.iam.setPolicy({ ...policy, bindings: [...policy.bindings, { role: 'roles/storage.objectViewer', members: ['allUsers'] }] }),
    );
    expect(err?.code).toBe(412);
    expect(err?.message).toBe(MESSAGE);

    const secrets = new SecretManagerServiceClient(gaxOptions(emu));
    try {
      const [secret] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'drs-secret', secret: { replication: { automatic: {} } } });
      const refused = await failure(
        secrets.setIamPolicy({ resource: secret.name!, policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['allUsers'] }] } }),
      );
      expect(refused?.code).toBe(400);
      expect(refused?.message).toContain(MESSAGE);
    } finally {
      await secrets.close();
    }
  });
});

describe('without it', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => emu.close());

  it('accepts allUsers, as a project outside such an organization does', async () => {
    const { run, name } = await service(emu, 'public-svc');
    try {
      const [set] = await run.setIamPolicy({ resource: name, policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } });
      expect(set.bindings?.[0].members).toEqual(['allUsers']);
    } finally {
      await run.close();
    }
  });
});

describe('turned on over a policy that already has allUsers (saved state)', () => {
  it('keeps the public member it had and refuses only adding one: the constraint is not retroactive', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'musectl-drs-')), 'state.json');
    const before = await startEmulator({ stateFile });
    const { run, name } = await service(before, 'old-public');
    await run.setIamPolicy({ resource: name, policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } });
    await run.close();
    await before.close();

    const emu = await startEmulator({ stateFile, domainRestrictedSharing: true });
    const again = new v2.ServicesClient(gaxOptions(emu));
    try {
      const [policy] = await again.getIamPolicy({ resource: name });
      const [kept] = await again.setIamPolicy({
        resource: name,
        policy: { ...policy, bindings: [...(policy.bindings ?? []), { role: 'roles/run.developer', members: ['user:bo@example.com'] }] },
      });
      expect(kept.bindings?.find((b) => b.role === 'roles/run.invoker')?.members).toEqual(['allUsers']);
      const err = await failure(
        again.setIamPolicy({
          resource: name,
          policy: { ...kept, bindings: [...(kept.bindings ?? []), { role: 'roles/run.viewer', members: ['allAuthenticatedUsers'] }] },
        }),
      );
      expect(err?.message).toContain(RUN_MESSAGE);
    } finally {
      await again.close();
      await emu.close();
    }
  });
});
