// Core conformance: request-body checking against the protos, error bodies and enum encoding
// (gcp-api-facts.md §0), with Resource Manager and Service Usage as the subjects.

import { ProjectsClient } from '@google-cloud/resource-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { gaxOptions, rawJson } from './helpers.js';

let emu: RunningEmulator;
let projects: ProjectsClient;
const P = 'core-errors-project';
const setPolicy = (body: unknown) => rawJson(emu, 'POST', `/v3/projects/${P}:setIamPolicy`, body);

beforeAll(async () => {
  emu = await startEmulator();
  projects = new ProjectsClient(gaxOptions(emu));
});
afterAll(async () => {
  await projects.close();
  await emu.close();
});

/** Every One Platform error body: code, message, canonical status, and only typed details. */
function expectGoogleError(body: any, code: number, status: string): void {
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.status).toBe(status);
  expect(typeof body.error.message).toBe('string');
  for (const detail of body.error.details ?? []) {
    expect(detail['@type']).toMatch(/^type\.googleapis\.com\/google\.rpc\.(ErrorInfo|BadRequest|ResourceInfo|RetryInfo|DebugInfo|PreconditionFailure|Help)$/);
  }
}

describe('core: unknown JSON fields', () => {
  it('names the field and its path, with a BadRequest detail', async () => {
    const res = await setPolicy({ policy: { bindings: [], foo: 1 } });
    expect(res.status).toBe(400);
    expectGoogleError(res.body, 400, 'INVALID_ARGUMENT');
    const message = `Invalid JSON payload received. Unknown name "foo" at 'policy': Cannot find field.`;
    expect(res.body.error.message).toBe(message);
    expect(res.body.error.details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'policy', description: message }] },
    ]);
  });

  it('writes nested paths with list indexes and proto (snake_case) field names', async () => {
    const inList = await setPolicy({ policy: { bindings: [{ role: 'roles/viewer', members: [], conditionn: {} }] } });
    expect(inList.body.error.message).toBe(`Invalid JSON payload received. Unknown name "conditionn" at 'policy.bindings[0]': Cannot find field.`);
    const deep = await setPolicy({ policy: { auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ bogus: 1 }] }] } });
    expect(deep.body.error.message).toBe(
      `Invalid JSON payload received. Unknown name "bogus" at 'policy.audit_configs[0].audit_log_configs[0]': Cannot find field.`,
    );
    expect(deep.body.error.details[0].fieldViolations[0].field).toBe('policy.audit_configs[0].audit_log_configs[0]');
  });

  it('has no " at \'...\'" part and no field for an unknown name at the top level', async () => {
    const res = await setPolicy({ policy: { bindings: [] }, foo: 'bar' });
    expect(res.status).toBe(400);
    const message = 'Invalid JSON payload received. Unknown name "foo": Cannot find field.';
    expect(res.body.error.message).toBe(message);
    expect(res.body.error.details).toEqual([{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: message }] }]);
  });

  it('changes nothing when it refuses a body', async () => {
    const [before] = await projects.getIamPolicy({ resource: `projects/${P}` });
    await setPolicy({ policy: { bindings: [{ role: 'roles/viewer', members: ['user:x@example.com'] }], extra: true } });
    const [after] = await projects.getIamPolicy({ resource: `projects/${P}` });
    expect(after).toEqual(before);
  });

  it('refuses a mistyped value and an unknown enum name, naming the type as Google does', async () => {
    const version = await setPolicy({ policy: { version: 'three' } });
    expect(version.status).toBe(400);
    expect(version.body.error.message).toBe(`Invalid value at 'policy.version' (TYPE_INT32), "three"`);
    const logType = await setPolicy({ policy: { auditConfigs: [{ auditLogConfigs: [{ logType: 'EVERYTHING' }] }] } });
    expect(logType.body.error.message).toBe(
      `Invalid value at 'policy.audit_configs[0].audit_log_configs[0].log_type' (type.googleapis.com/google.iam.v1.AuditLogConfig.LogType), "EVERYTHING"`,
    );
  });

  it('answers malformed JSON with 400 INVALID_ARGUMENT', async () => {
    const res = await rawJson(emu, 'POST', `/v3/projects/${P}:setIamPolicy`, '{"policy": {', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expectGoogleError(res.body, 400, 'INVALID_ARGUMENT');
  });
});

describe('core: error bodies', () => {
  it('carry the canonical status the clients read (a 409 reaches the client as a conflict, not a bare code)', async () => {
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    await projects.setIamPolicy({ resource: `projects/${P}`, policy });
    const stale = Buffer.from(policy.etag as Uint8Array).toString('base64');
    const raw = await setPolicy({ policy: { etag: stale, bindings: [] } });
    expectGoogleError(raw.body, 409, 'ABORTED');
    const err = await projects.setIamPolicy({ resource: `projects/${P}`, policy }).catch((e) => e);
    expect(err.code === 409 || err.code === 10).toBe(true);
  });

  it('carry status for routing errors and unknown projects too', async () => {
    const unrouted = await rawJson(emu, 'GET', '/v9/nothing/here');
    expect(unrouted.status).toBe(404);
    expectGoogleError(unrouted.body, 404, 'NOT_FOUND');
    const unknownNumber = await rawJson(emu, 'GET', '/v3/projects/999999999999');
    expect(unknownNumber.status).toBe(403);
    expectGoogleError(unknownNumber.body, 403, 'PERMISSION_DENIED');
  });

  it('carry typed details that the clients can decode', async () => {
    const raw = await rawJson(emu, 'POST', `/v1/projects/${P}/services/nope.googleapis.com:enable`, {});
    expectGoogleError(raw.body, 403, 'PERMISSION_DENIED');
    expect(raw.body.error.details).toHaveLength(1);
  });
});

describe('core: enum encoding', () => {
  it('answers enum names by default and numbers when the client asks for enum-encoding=int', async () => {
    const byName = await rawJson(emu, 'GET', `/v3/projects/${P}`);
    expect(byName.body.state).toBe('ACTIVE');
    const byNumber = await rawJson(emu, 'GET', `/v3/projects/${P}?$alt=json;enum-encoding=int`);
    expect(byNumber.body.state).toBe(1);
    // The official client asks for numbers and hands its caller names.
    const [project] = await projects.getProject({ name: `projects/${P}` });
    expect(project.state).toBe('ACTIVE');
  });

  it('accepts request enums by name, by number and as a numeric string, and refuses unknown ones', async () => {
    const disable = (body: unknown) => rawJson(emu, 'POST', `/v1/projects/${P}/services/run.googleapis.com:disable`, body);
    for (const value of ['SKIP', 1, '2']) expect((await disable({ checkIfServiceHasUsage: value })).status).toBe(200);
    const bad = await disable({ checkIfServiceHasUsage: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      `Invalid value at 'check_if_service_has_usage' (type.googleapis.com/google.api.serviceusage.v1.DisableServiceRequest.CheckIfServiceHasUsage), 7`,
    );
  });
});
