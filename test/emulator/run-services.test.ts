// Conformance of the emulator's Cloud Run v2 services to gcp-api-facts.md §1: create/get/list,
// server defaults, output fields, enums, error bodies. Rollouts with a delay: run-services-rollout.test.ts.

import { protos, v2 } from '@google-cloud/run';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

let emu: RunningEmulator;
let client: InstanceType<typeof v2.ServicesClient>;
let projectNumber: string;

const PROJECT = 'demo-project';
const REGION = 'asia-northeast1';
const PARENT = `projects/${PROJECT}/locations/${REGION}`;
const PATH = `/v2/${PARENT}/services`;
const run = protos.google.cloud.run.v2;
// The client asks for enum-encoding=int, so decoded enums arrive as numbers.
const { INGRESS_TRAFFIC_ALL } = run.IngressTraffic;
const { CONDITION_SUCCEEDED } = run.Condition.State;
const { TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST: LATEST } = run.TrafficTargetAllocationType;
const GA = protos.google.api.LaunchStage.GA;
let n = 0;
const uniqueId = (prefix = 'svc') => `${prefix}-${++n}`;

beforeAll(async () => {
  emu = await startEmulator();
  client = new v2.ServicesClient(gaxOptions(emu));
  projectNumber = emu.emulator.projects.resolve(PROJECT).projectNumber;
});
afterAll(async () => {
  await client.close();
  await emu.close();
});

async function create(id: string, service: Record<string, any> = {}) {
  const [op] = await client.createService({
    parent: PARENT,
    serviceId: id,
    service: { template: { containers: [{ image: 'us-docker.pkg.dev/p/r/app:1' }] }, ...service },
  });
  const [svc] = await op.promise();
  return svc;
}

describe('Cloud Run services: create and defaults', () => {
  it('fills the server defaults the facts sheet lists', async () => {
    const svc = await create(uniqueId());
    const t = svc.template!;
    const c = t.containers![0];
    expect(t.maxInstanceRequestConcurrency).toBe(80);
    expect(t.scaling!.maxInstanceCount).toBe(100);
    expect(svc.ingress).toBe(INGRESS_TRAFFIC_ALL);
    expect(svc.launchStage).toBe(GA);
    expect(svc.traffic).toEqual([expect.objectContaining({ type: LATEST, percent: 100 })]);
    expect(c.ports).toEqual([expect.objectContaining({ name: 'http1', containerPort: 8080 })]);
    expect(String(t.timeout!.seconds)).toBe('300');
    expect(c.startupProbe).toMatchObject({ timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port: 8080 } });
    expect(c.resources!.limits).toEqual({ cpu: '1000m', memory: '512Mi' });
    expect(c.resources!.cpuIdle).toBe(true);
    expect(t.serviceAccount).toBe(`${projectNumber}-compute@developer.gserviceaccount.com`);
  });

  it('echoes the values the caller set as sent, and derives concurrency from cpu', async () => {
    // The runtime service account must exist (Google refuses to act as one that does not).
    expect((await rawJson(emu, 'POST', '/v1/projects/demo-project/serviceAccounts', { accountId: 'app-runtime' })).status).toBe(200);
    const svc = await create(uniqueId(), {
      template: {
        serviceAccount: 'app-runtime@demo-project.iam.gserviceaccount.com',
        containers: [{ image: 'img', resources: { limits: { cpu: '1', memory: '2Gi' } }, ports: [{ containerPort: 3000 }] }],
      },
    });
    const c = svc.template!.containers![0];
    expect(c.resources!.limits).toEqual({ cpu: '1', memory: '2Gi' });
    // resources given without cpuIdle: the caller must set it to keep the default (proto comment).
    expect(c.resources!.cpuIdle).toBeFalsy();
    expect(c.ports).toEqual([expect.objectContaining({ name: 'http1', containerPort: 3000 })]);
    expect(c.startupProbe!.tcpSocket!.port).toBe(3000);
    expect(svc.template!.serviceAccount).toBe('app-runtime@demo-project.iam.gserviceaccount.com');
    expect(svc.template!.maxInstanceRequestConcurrency).toBe(80);

    const small = await create(uniqueId(), { template: { containers: [{ image: 'img', resources: { limits: { cpu: '500m', memory: '256Mi' } } }] } });
    expect(small.template!.maxInstanceRequestConcurrency).toBe(1);
    const memoryOnly = await create(uniqueId(), { template: { containers: [{ image: 'img', resources: { limits: { memory: '1Gi' } } }] } });
    expect(memoryOnly.template!.containers![0].resources!.limits).toEqual({ cpu: '1000m', memory: '1Gi' });
  });

  it('sets the output-only fields and answers a settled service', async () => {
    const id = uniqueId('out');
    const svc = await create(id);
    expect(svc.name).toBe(`${PARENT}/services/${id}`);
    expect(svc.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(svc.generation)).toBe('1');
    expect(String(svc.observedGeneration)).toBe('1');
    expect(svc.reconciling).toBeFalsy();
    expect(svc.createTime).toBeTruthy();
    expect(svc.updateTime).toBeTruthy();
    expect(svc.creator).toContain('@');
    expect(svc.lastModifier).toContain('@');
    expect(svc.terminalCondition).toMatchObject({ type: 'Ready', state: CONDITION_SUCCEEDED });
    expect(svc.conditions!.map((c) => [c.type, c.state])).toEqual([
      ['RoutesReady', CONDITION_SUCCEEDED],
      ['ConfigurationsReady', CONDITION_SUCCEEDED],
    ]);
    expect(svc.latestCreatedRevision).toMatch(new RegExp(`^${PARENT}/services/${id}/revisions/${id}-00001-[a-z0-9]{3}$`));
    expect(svc.latestReadyRevision).toBe(svc.latestCreatedRevision);
    expect(svc.trafficStatuses).toEqual([expect.objectContaining({ type: LATEST, percent: 100 })]);
    expect(svc.uri).toMatch(new RegExp(`^https://${id}-[a-z2-7]{9}[aq]-an\\.a\\.run\\.app$`));
    expect(svc.urls).toEqual([`https://${id}-${projectNumber}.${REGION}.run.app`, svc.uri]);
    expect(svc.etag).toMatch(/^".+"$/);

    const [got] = await client.getService({ name: svc.name! });
    expect(got.etag).toBe(svc.etag);
    expect(got.latestReadyRevision).toBe(svc.latestReadyRevision);
    // The hash part is per project: another service of the project shares it.
    const other = await create(uniqueId('out'));
    expect(other.uri!.split('-').at(-2)).toBe(svc.uri!.split('-').at(-2));
  });

  it('answers enums as numbers with enum-encoding=int and as names without', async () => {
    const id = uniqueId();
    await create(id);
    const asInt = await rawJson(emu, 'GET', `${PATH}/${id}?$alt=json;enum-encoding=int`);
    expect(asInt.body.ingress).toBe(1);
    expect(asInt.body.launchStage).toBe(4);
    expect(asInt.body.traffic[0].type).toBe(1);
    expect(asInt.body.terminalCondition.state).toBe(4);
    expect(asInt.body.generation).toBe('1');
    const asNames = await rawJson(emu, 'GET', `${PATH}/${id}`);
    expect(asNames.body.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(asNames.body.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
    expect(asNames.body.template.timeout).toBe('300s');
    expect('reconciling' in asNames.body).toBe(false); // proto3 omits false
  });

  it('accepts ingress and secret env given by number and name, and keeps secret refs as sent', async () => {
    const id = uniqueId();
    const env = [
      { name: 'KEY', valueSource: { secretKeyRef: { secret: 'gemini-key', version: 'latest' } } },
      { name: 'FULL', valueSource: { secretKeyRef: { secret: 'projects/demo-project/secrets/other', version: '3' } } },
    ];
    const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${id}`, { ingress: 2, template: { containers: [{ image: 'img', env }] } });
    expect(res.status).toBe(200);
    const got = await rawJson(emu, 'GET', `${PATH}/${id}`);
    expect(got.body.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(got.body.template.containers[0].env).toEqual(env);
  });

  it('answers a create operation with the Service as metadata and response', async () => {
    const id = uniqueId();
    const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${id}`, { template: { containers: [{ image: 'img' }] } });
    expect(res.body.name).toMatch(new RegExp(`^${PARENT}/operations/[0-9a-f-]{36}$`));
    expect(res.body.done).toBe(true);
    expect(res.body.metadata['@type']).toBe('type.googleapis.com/google.cloud.run.v2.Service');
    expect(res.body.response['@type']).toBe('type.googleapis.com/google.cloud.run.v2.Service');
    expect(res.body.response.name).toBe(`${PARENT}/services/${id}`);
  });

  it('creates nothing when validateOnly is set', async () => {
    const id = uniqueId();
    const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${id}&validateOnly=true`, { template: { containers: [{ image: 'img' }] } });
    expect(res.status).toBe(200);
    expect(res.body.response.template.maxInstanceRequestConcurrency).toBe(80);
    expect((await rawJson(emu, 'GET', `${PATH}/${id}`)).status).toBe(404);
  });
});

describe('Cloud Run services: errors', () => {
  it("answers a missing service with Google's exact 404", async () => {
    const res = await rawJson(emu, 'GET', `${PATH}/nope`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 404,
      status: 'NOT_FOUND',
      message: `Resource 'nope' of kind 'SERVICE' in region '${REGION}' in project '${PROJECT}' does not exist.`,
    });
    const err = await client.getService({ name: `${PARENT}/services/nope` }).catch((e) => e);
    expect(err.code === 404 || err.code === 5).toBe(true);
    const del = await rawJson(emu, 'DELETE', `${PATH}/nope`);
    expect(del.status).toBe(404);
  });

  it('refuses a duplicate create with 409 ALREADY_EXISTS', async () => {
    const id = uniqueId();
    await create(id);
    const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${id}`, { template: { containers: [{ image: 'img' }] } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ status: 'ALREADY_EXISTS', message: `Resource '${id}' already exists.` });
    const err = await client.createService({ parent: PARENT, serviceId: id, service: { template: { containers: [{ image: 'img' }] } } }).catch((e) => e);
    expect(err.code === 409 || err.code === 6).toBe(true);
  });

  it('validates serviceId: a letter first, no trailing hyphen, under 50 characters', async () => {
    const description = 'only lowercase, digits, and hyphens; must begin with letter, and cannot end with hyphen; must be less than 50 characters.';
    for (const bad of ['1svc', 'svc-', 'Svc', 'a'.repeat(50), 'svc_x']) {
      const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${bad}`, { template: { containers: [{ image: 'img' }] } });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.status).toBe('INVALID_ARGUMENT');
      expect(res.body.error.message).toBe(`Violation in CreateServiceRequest.service_id: ${description}`);
      expect(res.body.error.details[0]).toEqual({
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'Violation in CreateServiceRequest.service_id', description }],
      });
    }
    const ok = await rawJson(emu, 'POST', `${PATH}?serviceId=${'a'.repeat(49)}`, { template: { containers: [{ image: 'img' }] } });
    expect(ok.status).toBe(200);
  });

  it("rejects an unknown field with Google's message at service.template", async () => {
    const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, { template: { foo: 1, containers: [{ image: 'img' }] } });
    expect(res.status).toBe(400);
    expect(res.body.error.status).toBe('INVALID_ARGUMENT');
    expect(res.body.error.message).toBe(`Invalid JSON payload received. Unknown name "foo" at 'service.template': Cannot find field.`);
    expect(res.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
  });

  it('rejects reserved env names', async () => {
    const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, {
      template: {
        containers: [
          {
            image: 'img',
            env: [
              { name: 'OK', value: '1' },
              { name: 'PORT', value: '8080' },
              { name: 'K_SERVICE', value: 'x' },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'template.containers[0].env: The following reserved env names were provided: PORT, K_SERVICE. These values are automatically set by the system.',
    );
    for (const name of ['K_REVISION', 'K_CONFIGURATION']) {
      const r = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, { template: { containers: [{ image: 'img', env: [{ name, value: 'x' }] }] } });
      expect(r.status, name).toBe(400);
    }
  });

  it('rejects platform-owned labels and annotations on the service and its template', async () => {
    const cases: Array<[Record<string, any>, string]> = [
      [{ labels: { 'run.googleapis.com/x': 'y' } }, 'CreateServiceRequest.service.labels[run.googleapis.com/x]'],
      [{ annotations: { 'autoscaling.knative.dev/maxScale': '3' } }, 'CreateServiceRequest.service.annotations[autoscaling.knative.dev/maxScale]'],
      [
        { template: { annotations: { 'run.googleapis.com/cpu-throttling': 'false' }, containers: [{ image: 'img' }] } },
        'CreateServiceRequest.service.template.annotations[run.googleapis.com/cpu-throttling]',
      ],
      [
        { template: { labels: { 'serving.knative.dev/x': 'y' }, containers: [{ image: 'img' }] } },
        'CreateServiceRequest.service.template.labels[serving.knative.dev/x]',
      ],
      [{ annotations: { 'cloud.googleapis.com/location': 'x' } }, 'CreateServiceRequest.service.annotations[cloud.googleapis.com/location]'],
    ];
    for (const [patch, field] of cases) {
      const res = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, { template: { containers: [{ image: 'img' }] }, ...patch });
      expect(res.status, field).toBe(400);
      expect(res.body.error.message).toMatch(
        new RegExp(`^Violation in ${field.replace(/[[\].]/g, '\\$&')}: system (labels|annotations) are not supported in Cloud Run API v2\\.$`),
      );
    }
    const fine = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, {
      labels: { team: 'a' },
      annotations: { 'example.com/owner': 'me' },
      template: { containers: [{ image: 'img' }] },
    });
    expect(fine.status).toBe(200);
  });

  it('refuses more than one port and unknown port names', async () => {
    const two = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, {
      template: { containers: [{ image: 'img', ports: [{ containerPort: 1 }, { containerPort: 2 }] }] },
    });
    expect(two.status).toBe(400);
    const name = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, {
      template: { containers: [{ image: 'img', ports: [{ name: 'http2', containerPort: 1 }] }] },
    });
    expect(name.status).toBe(400);
    const h2c = await rawJson(emu, 'POST', `${PATH}?serviceId=${uniqueId()}`, {
      template: { containers: [{ image: 'img', ports: [{ name: 'h2c', containerPort: 9000 }] }] },
    });
    expect(h2c.status).toBe(200);
  });
});

describe('Cloud Run services: list and delete', () => {
  it('pages through a location with pageSize and nextPageToken', async () => {
    const parent = `projects/list-project/locations/us-central1`;
    for (const id of ['a-svc', 'b-svc', 'c-svc']) {
      const [op] = await client.createService({ parent, serviceId: id, service: { template: { containers: [{ image: 'img' }] } } });
      await op.promise();
    }
    const first = await rawJson(emu, 'GET', `/v2/${parent}/services?pageSize=2`);
    expect(first.body.services.map((s: any) => s.name.split('/').at(-1))).toEqual(['a-svc', 'b-svc']);
    expect(first.body.nextPageToken).toBeTruthy();
    const second = await rawJson(emu, 'GET', `/v2/${parent}/services?pageSize=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body.services.map((s: any) => s.name.split('/').at(-1))).toEqual(['c-svc']);
    expect(second.body.nextPageToken).toBeUndefined();
    const all: string[] = [];
    for await (const s of client.listServicesAsync({ parent, pageSize: 1 })) all.push(s.name!);
    expect(all).toHaveLength(3);
    const empty = await rawJson(emu, 'GET', `/v2/projects/list-project/locations/europe-west1/services`);
    expect(empty.body).toEqual({});
  });

  it('deletes through an operation whose response is the Service, checking the etag', async () => {
    const id = uniqueId();
    const svc = await create(id);
    const stale = await rawJson(emu, 'DELETE', `${PATH}/${id}?etag=${encodeURIComponent('"stale"')}`);
    expect(stale.status).toBe(409);
    expect(stale.body.error.status).toBe('ABORTED');
    const dry = await rawJson(emu, 'DELETE', `${PATH}/${id}?validateOnly=true`);
    expect(dry.status).toBe(200);
    expect((await rawJson(emu, 'GET', `${PATH}/${id}`)).status).toBe(200);
    const [op] = await client.deleteService({ name: svc.name!, etag: svc.etag! });
    const [deleted] = await op.promise();
    expect(deleted.name).toBe(svc.name);
    expect(deleted.deleteTime).toBeTruthy();
    expect((await rawJson(emu, 'GET', `${PATH}/${id}`)).status).toBe(404);
    // The name is free again.
    expect((await create(id)).name).toBe(svc.name);
  });
});

describe('Cloud Run revisions', () => {
  it('serves the revisions a service created', async () => {
    const id = uniqueId('rev');
    const svc = await create(id);
    const revisions = new v2.RevisionsClient(gaxOptions(emu));
    try {
      const [rev] = await revisions.getRevision({ name: svc.latestReadyRevision! });
      expect(rev.service).toBe(id);
      expect(rev.containers![0].image).toBe('us-docker.pkg.dev/p/r/app:1');
      // Unary calls decode enums to names; operation results (an Any) keep numbers.
      expect(rev.conditions![0]).toMatchObject({ type: 'Ready', state: 'CONDITION_SUCCEEDED' });
      const [list] = await revisions.listRevisions({ parent: svc.name! });
      expect(list.map((r) => r.name)).toEqual([svc.latestReadyRevision]);
    } finally {
      await revisions.close();
    }
  });
});
