// The lazy message set-up (src/gcp/protobuf-coders.cjs) against protobufjs's own, in a child
// process of its own (the set-up it replaces is global to the protobufjs it is given): the same
// objects, JSON and bytes from every function, and encode, decode and verify made only when called.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../src/paths.js';

const script = `
const { protobuf } = require('google-gax');
const { lazyCoders } = require(${JSON.stringify(join(PACKAGE_ROOT, 'src', 'gcp', 'protobuf-coders.cjs'))});
const json = require('@google-cloud/run/build/protos/protos.json');
const service = {
  name: 'projects/p/locations/asia-northeast1/services/web', uid: 'u-1', generation: '7',
  labels: { app: 'web', 'musectl-stack': 's' }, ingress: 'INGRESS_TRAFFIC_ALL',
  createTime: { seconds: '1700000000', nanos: 5 },
  template: { scaling: { minInstanceCount: 0, maxInstanceCount: 3 }, timeout: { seconds: '300' }, maxInstanceRequestConcurrency: 80,
    containers: [{ image: 'asia-northeast1-docker.pkg.dev/p/r/web@sha256:abc', env: [{ name: 'A', value: 'b' }, { name: 'S', valueSource: { secretKeyRef: { secret: 's', version: 'latest' } } }],
      resources: { limits: { cpu: '1', memory: '512Mi' }, cpuIdle: true }, ports: [{ containerPort: 8080 }] }] },
  traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
};
function exercise(root) {
  const Service = root.lookupType('google.cloud.run.v2.Service');
  const Operation = root.lookupType('google.longrunning.Operation');
  const before = { encode: Service.encode.name, decode: Service.decode.name, verify: Service.verify.name };
  const message = Service.fromObject(service);
  const object = Service.toObject(message, { longs: String, enums: String, defaults: true });
  const afterObjects = { encode: Service.encode.name, decode: Service.decode.name, verify: Service.verify.name };
  const bytes = Buffer.from(Service.encode(message).finish()).toString('base64');
  const decoded = Service.toObject(Service.decode(Buffer.from(bytes, 'base64')), { longs: String, enums: String });
  const verified = [Service.verify(service), Service.verify({ generation: 'x' })];
  // An operation's result packed in an Any, as a REST client reads it: the Any wrapper encodes it.
  const op = Operation.fromObject({ name: 'operations/1', done: true, response: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...service } });
  const opObject = Operation.toObject(op, { json: true });
  const unpacked = Service.toObject(Service.decode(op.response.value), { longs: String });
  return { before, afterObjects, object, bytes, decoded, verified, opObject, unpacked, after: { encode: Service.encode.name, decode: Service.decode.name, verify: Service.verify.name } };
}
const upstream = exercise(protobuf.Root.fromJSON(json));
lazyCoders(protobuf);
lazyCoders(protobuf); // a second call changes nothing
const lazy = exercise(protobuf.Root.fromJSON(json));
process.stdout.write(JSON.stringify({ upstream, lazy }));
`;

describe('the lazy message set-up', () => {
  const { upstream, lazy } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: PACKAGE_ROOT, encoding: 'utf8' }));

  it('gives what protobufjs gives: objects, bytes, checks, and an Any packed and unpacked', () => {
    for (const key of ['object', 'bytes', 'decoded', 'verified', 'opObject', 'unpacked']) expect(lazy[key], key).toEqual(upstream[key]);
    expect(upstream.bytes.length).toBeGreaterThan(100);
    expect(lazy.unpacked.name).toBe('projects/p/locations/asia-northeast1/services/web');
  });

  it('makes encode, decode and verify only when they are first called', () => {
    // protobufjs's own set-up makes all five at the first use of any.
    expect(upstream.afterObjects).toEqual({ encode: 'Service$encode', decode: 'Service$decode', verify: 'Service$verify' });
    expect(lazy.afterObjects).toEqual({ encode: '', decode: '', verify: '' });
    expect(lazy.after).toEqual(upstream.after);
  });
});
