// What Cloud Run refuses when a revision is deployed, through the official client: the call is
// accepted and the operation fails (images, secrets), or the call itself is refused (runtime
// service account, CPU and memory, concurrency, timeouts, regions). emulator/FACTS.md has the sources.
import { v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

const PROJECT = 'refusal-project';
const REGION = 'us-central1';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const REGISTRY = `${REGION}-docker.pkg.dev/${PROJECT}/apps`;
const HELLO = 'us-docker.pkg.dev/cloudrun/container/hello';
let emu: RunningEmulator;
let services: InstanceType<typeof v2.ServicesClient>;
let jobs: InstanceType<typeof v2.JobsClient>;
let projectNumber: string;
let n = 0;
const uniqueId = () => `refused-${++n}`;

beforeAll(async () => {
  emu = await startEmulator();
  services = new v2.ServicesClient(gaxOptions(emu));
  jobs = new v2.JobsClient(gaxOptions(emu));
  projectNumber = emu.emulator.projects.resolve(PROJECT).projectNumber;
  const repo = await rawJson(emu, 'POST', `/v1/${PARENT}/repositories?repositoryId=apps`, { format: 'DOCKER' });
  expect(repo.status).toBe(200);
  const seeded = await rawJson(emu, 'POST', '/_emulator/images', { images: [`${REGISTRY}/app:1`] });
  expect(seeded.body).toEqual({ pushed: [`${REGISTRY}/app:1`], pending: [], invalid: [] });
});
afterAll(async () => {
  await services.close();
  await jobs.close();
  await emu.close();
});

async function deploy(template: Record<string, any>, id = uniqueId()) {
  const [op] = await services.createService({ parent: PARENT, serviceId: id, service: { template } });
  const error = await op.promise().then(
    () => undefined,
    (e) => e,
  );
  const service = (await rawJson(emu, 'GET', `/v2/${PARENT}/services/${id}`)).body;
  return { id, error, service };
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e) => e,
  );

describe('Cloud Run refuses at deploy time, the operation failing', () => {
  it('an image of a held project that was never pushed, or a tag that does not exist', async () => {
    for (const image of [`${REGISTRY}/never-pushed:1`, `${REGISTRY}/app:2`, `asia-northeast1-docker.pkg.dev/${PROJECT}/no-repo/app:1`]) {
      const { id, error, service } = await deploy({ containers: [{ image }] });
      expect(error.code).toBe(9);
      expect(error.message).toMatch(new RegExp(`^Revision '${id}-00001-[a-z0-9]{3}' is not ready and cannot serve traffic\\. Image '${image}' not found\\.$`));
      expect(service.terminalCondition).toMatchObject({ state: 'CONDITION_FAILED', message: error.message });
      expect(service.latestCreatedRevision).toMatch(/-00001-[a-z0-9]{3}$/);
      expect(service.latestReadyRevision).toBeUndefined();
    }
  });

  it('accepts pushed tags and digests, public sample images and images the emulator does not hold', async () => {
    const tag = await fetch(`${emu.url}/v2/${PROJECT}/apps/app/manifests/1`, { method: 'HEAD' });
    const digest = tag.headers.get('docker-content-digest');
    for (const image of [
      `${REGISTRY}/app:1`,
      `${REGISTRY}/app@${digest}`,
      `${REGISTRY}/app:1@${digest}`,
      HELLO,
      'docker.io/library/nginx:1',
      'us-docker.pkg.dev/someone-else/r/app:1',
    ]) {
      const { error, service } = await deploy({ containers: [{ image }] });
      expect(error).toBeUndefined();
      expect(service.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
    }
  });

  it('keeps serving the last ready revision when an update names a missing image', async () => {
    const { id, service: ok } = await deploy({ containers: [{ image: `${REGISTRY}/app:1` }] });
    const [op] = await services.updateService({ service: { name: ok.name, template: { containers: [{ image: `${REGISTRY}/app:missing` }] } } });
    expect((await op.promise().catch((e) => e)).message).toContain(`Image '${REGISTRY}/app:missing' not found.`);
    const after = (await rawJson(emu, 'GET', `/v2/${PARENT}/services/${id}`)).body;
    expect(after.latestReadyRevision).toBe(ok.latestReadyRevision);
    expect(after.latestCreatedRevision).not.toBe(after.latestReadyRevision);
  });

  it('a secret or version that does not exist, or a secret the runtime account cannot access', async () => {
    const sa = `${projectNumber}-compute@developer.gserviceaccount.com`;
    const env = (secret: string, version = 'latest') => [{ name: 'S', valueSource: { secretKeyRef: { secret, version } } }];
    const missing = await deploy({ containers: [{ image: HELLO, env: env('nope') }] });
    expect(missing.error.code).toBe(13);
    expect(missing.error.message).toContain(
      `spec.template.spec.containers[0].env[0].value_from.secret_key_ref.name: Secret projects/${projectNumber}/secrets/nope/versions/latest was not found`,
    );

    await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=token`, { replication: { automatic: {} } });
    await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets/token:addVersion`, { payload: { data: Buffer.from('v').toString('base64') } });
    const noVersion = await deploy({ containers: [{ image: HELLO, env: env('token', '7') }] });
    expect(noVersion.error.message).toContain(`Secret projects/${projectNumber}/secrets/token/versions/7 was not found`);

    const denied = await deploy({ containers: [{ image: HELLO, env: env(`projects/${PROJECT}/secrets/token`) }] });
    expect(denied.error.code).toBe(13);
    expect(denied.error.message).toBe(
      `Revision '${denied.id}-00001-${denied.service.latestCreatedRevision.slice(-3)}' is not ready and cannot serve traffic. ` +
        `spec.template.spec.containers[0].env[0].value_from.secret_key_ref.name: Permission denied on secret: projects/${projectNumber}/secrets/token/versions/latest ` +
        `for Revision service account ${sa}. The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level.`,
    );

    // Granted on the secret, the same template deploys.
    const granted = await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets/token:setIamPolicy`, {
      policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${sa}`] }] },
    });
    expect(granted.status).toBe(200);
    expect((await deploy({ containers: [{ image: HELLO, env: env('token') }] })).error).toBeUndefined();
    const volume = await deploy({
      containers: [{ image: HELLO, volumeMounts: [{ name: 'v', mountPath: '/s' }] }],
      volumes: [{ name: 'v', secret: { secret: 'nope', items: [{ path: 'x', version: '1' }] } }],
    });
    expect(volume.error.message).toContain(
      `spec.template.spec.volumes[0].secret.secret_name: Secret projects/${projectNumber}/secrets/nope/versions/1 was not found`,
    );
  });
});

describe('Cloud Run refuses the call', () => {
  it('a runtime service account that does not exist, 403 as Google words it', async () => {
    const sa = `ghost-runner@${PROJECT}.iam.gserviceaccount.com`;
    const err = await failure(
      services.createService({ parent: PARENT, serviceId: uniqueId(), service: { template: { serviceAccount: sa, containers: [{ image: HELLO }] } } }),
    );
    expect(err.code).toBe(403);
    expect(err.message).toContain(`Permission 'iam.serviceaccounts.actAs' denied on service account ${sa} (or it may not exist).`);
  });

  it('CPU and memory outside the table, concurrency and timeout out of range', async () => {
    const cases: Array<[Record<string, any>, string]> = [
      [
        { containers: [{ image: HELLO, resources: { limits: { cpu: '4', memory: '512Mi' } } }] },
        'template.containers.resources.limits.memory: Invalid value specified for memory. For 4.0 CPU, memory must be between 2Gi and 16Gi inclusive.',
      ],
      [
        { containers: [{ image: HELLO, resources: { limits: { cpu: '1', memory: '200Gi' } } }] },
        'template.containers.resources.limits.memory: Invalid value specified for memory. For 1.0 CPU, memory must be between 128Mi and 4Gi inclusive.',
      ],
      [
        { executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2', containers: [{ image: HELLO, resources: { limits: { cpu: '1', memory: '256Mi' } } }] },
        'template.containers.resources.limits.memory: Invalid value specified for memory with gen2 execution environment. For 1.0 CPU, memory must be between 512Mi and 4Gi inclusive.',
      ],
      [{ containers: [{ image: HELLO, resources: { limits: { cpu: '3' } } }] }, 'template.containers.resources.limits.cpu: Invalid value specified for cpu.'],
      [
        { maxInstanceRequestConcurrency: 10, containers: [{ image: HELLO, resources: { limits: { cpu: '0.5', memory: '512Mi' } } }] },
        'Total cpu < 1 is not supported with concurrency > 1.',
      ],
      [{ maxInstanceRequestConcurrency: 1001, containers: [{ image: HELLO }] }, 'Container concurrency must be between 0 and 1000.'],
      [
        { timeout: { seconds: 3601 }, containers: [{ image: HELLO }] },
        'template.timeout: Invalid value specified for timeout. The timeout must be between 1 and 3600 seconds.',
      ],
    ];
    for (const [template, message] of cases) {
      const err = await failure(services.createService({ parent: PARENT, serviceId: uniqueId(), service: { template } }));
      expect(err.code, message).toBe(400);
      expect(err.message).toContain(message);
    }
    // The edges of the table are allowed.
    const edge = await deploy({
      maxInstanceRequestConcurrency: 1000,
      timeout: { seconds: 3600 },
      containers: [{ image: HELLO, resources: { limits: { cpu: '8', memory: '32Gi' } } }],
    });
    expect(edge.error).toBeUndefined();
  });

  it('an unknown region, on every Cloud Run call', async () => {
    const typo = 'projects/refusal-project/locations/asia-northest1';
    const err = await failure(services.createService({ parent: typo, serviceId: uniqueId(), service: { template: { containers: [{ image: HELLO }] } } }));
    expect(err.code).toBe(400);
    expect(err.message).toContain("Location 'asia-northest1' is not a valid location. Use ListLocations to list valid locations.");
    expect((await rawJson(emu, 'GET', `/v2/${typo}/services`)).status).toBe(400);
  });
});

describe('Cloud Run jobs and executions follow the same rules', () => {
  it('refuses a task timeout above 168 hours and takes 168 hours', async () => {
    const err = await failure(
      jobs.createJob({
        parent: PARENT,
        jobId: uniqueId(),
        job: { template: { template: { timeout: { seconds: 168 * 3600 + 1 }, containers: [{ image: HELLO }] } } },
      }),
    );
    expect(err.code).toBe(400);
    expect(err.message).toContain('template.template.timeout: Invalid value specified for timeout. The timeout must be between 1 and 604800 seconds.');
    const [op] = await jobs.createJob({
      parent: PARENT,
      jobId: uniqueId(),
      job: { template: { template: { timeout: { seconds: 168 * 3600 }, containers: [{ image: HELLO }] } } },
    });
    await op.promise();
  });

  it('fails a job whose image was never pushed, and will not run it', async () => {
    const id = uniqueId();
    const image = `${REGISTRY}/batch:1`;
    const [op] = await jobs.createJob({ parent: PARENT, jobId: id, job: { template: { template: { containers: [{ image }] } } } });
    const err = await op.promise().catch((e) => e);
    expect(err.code).toBe(9);
    expect(err.message).toBe(`Image '${image}' not found.`);
    const job = (await rawJson(emu, 'GET', `/v2/${PARENT}/jobs/${id}`)).body;
    expect(job.terminalCondition).toMatchObject({ state: 'CONDITION_FAILED', message: err.message });
    const run = await rawJson(emu, 'POST', `/v2/${PARENT}/jobs/${id}:run`, {});
    expect(run.status).toBe(400);
    expect(run.body.error).toMatchObject({ status: 'FAILED_PRECONDITION', message: `Job '${id}' is not ready: Image '${image}' not found.` });
  });

  it('fails an execution whose secret went away after the job was deployed', async () => {
    const id = uniqueId();
    await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets?secretId=short-lived`, { replication: { automatic: {} } });
    await rawJson(emu, 'POST', `/v1/projects/${PROJECT}/secrets/short-lived:addVersion`, { payload: { data: 'dg==' } });
    await rawJson(emu, 'POST', `/v1/projects/${PROJECT}:setIamPolicy`, {
      policy: {
        bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${projectNumber}-compute@developer.gserviceaccount.com`] }],
      },
    });
    const env = [{ name: 'S', valueSource: { secretKeyRef: { secret: 'short-lived', version: 'latest' } } }];
    const [op] = await jobs.createJob({ parent: PARENT, jobId: id, job: { template: { template: { containers: [{ image: HELLO, env }] } } } });
    await op.promise();
    await rawJson(emu, 'DELETE', `/v1/projects/${PROJECT}/secrets/short-lived`);
    const [runOp] = await jobs.runJob({ name: `${PARENT}/jobs/${id}` });
    const err = await runOp.promise().catch((e) => e);
    expect(err.code).toBe(13);
    expect(err.message).toContain(`Secret projects/${projectNumber}/secrets/short-lived/versions/latest was not found`);
    const job = (await rawJson(emu, 'GET', `/v2/${PARENT}/jobs/${id}`)).body;
    expect(job.latestCreatedExecution.completionStatus).toBe('EXECUTION_FAILED');
  });
});
