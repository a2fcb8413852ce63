// Which official package's protos describe which proto package, so any part of the emulator can
// encode a message (including those nested in an Operation's Any fields) by its full type name.
import { ProtoCodec } from './proto.js';

const PACKAGES: Array<[prefix: string, npmPackage: string]> = [
  ['google.cloud.run.v2.', '@google-cloud/run'],
  ['google.cloud.secretmanager.v1.', '@google-cloud/secret-manager'],
  ['google.devtools.artifactregistry.v1.', '@google-cloud/artifact-registry'],
  ['google.cloud.resourcemanager.v3.', '@google-cloud/resource-manager'],
  ['google.api.serviceusage.v1.', '@google-cloud/service-usage'],
  ['google.cloud.scheduler.v1.', '@google-cloud/scheduler'],
  // Shared types: any package that bundles them will do.
  ['google.iam.v1.', '@google-cloud/run'],
  ['google.longrunning.', '@google-cloud/run'],
  ['google.protobuf.', '@google-cloud/run'],
  ['google.rpc.', '@google-cloud/run'],
];

export function codecFor(typeName: string): ProtoCodec {
  const entry = PACKAGES.find(([prefix]) => typeName.startsWith(prefix));
  if (!entry) throw new Error(`emulator: no proto package known for ${typeName}`);
  return ProtoCodec.forPackage(entry[1]);
}

/** Encodes a message for the wire, as the client asked (enum numbers or names). */
export function encode(typeName: string, obj: unknown, enumInt: boolean): any {
  return codecFor(typeName).encode(typeName, obj, { enumInt });
}

/** Decodes and checks a request body; `path` is the request field it binds to. */
export function decode(typeName: string, body: unknown, path = ''): any {
  return codecFor(typeName).decode(typeName, body ?? {}, path);
}

/** Encodes an `Any` value by its @type. */
export function encodeAny(value: Record<string, unknown> | undefined, enumInt: boolean): unknown {
  if (!value || typeof value['@type'] !== 'string') return value;
  const typeName = (value['@type'] as string).replace(/^type\.googleapis\.com\//, '');
  if (typeName === 'google.protobuf.Empty') return { '@type': value['@type'] };
  return { ...encode(typeName, value, enumInt), '@type': value['@type'] };
}
