// Build time only (src/build-bundles.ts): each Google client package ships one protos.json with
// every service of every API version it has (Cloud Run's: eight services; Secret Manager's: v1 and
// v1beta2; Resource Manager's: projects, folders, organizations and tags), and each client, in
// REST mode, builds protobufjs reflection for all of it when it is made (Root.fromJSON, which also
// resolves every field's type). The bundle keeps of each file only what the clients musectl loads
// can reach: their services, the messages and enums those services' methods send and receive (and
// everything those contain), the types an operation's result may be packed as, and google.rpc (a
// failed operation's error details). Making SessionMUSE's clients then builds ~20 ms of reflection instead of ~50.
//
// What a client reaches is read from its own source, where it names what it looks up:
// `lookupService('google.cloud.run.v2.Services')` and `.lookup('.google.cloud.run.v2.Service')`
// (an operation's result and metadata), and `lroOptions.protoJson` when its operations client
// reads google.longrunning.Operations from the same file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative as relativePath } from 'node:path';
import type { Metafile } from 'esbuild';
import { protobuf } from 'google-gax';

/** What a client looks up by name in its package's protos.json. */
export interface ProtoRoots {
  services: string[];
  types: string[];
}

const LOOKUP_SERVICE = /\.lookupService\(\s*['"]([\w.]+)['"]\s*\)/g;
const LOOKUP_TYPE = /\.lookup\(\s*['"]\.?([\w.]+)['"]\s*\)/g;
const OPERATIONS_SERVICE = 'google.longrunning.Operations';

/** Each protos.json to reduce, with what its clients reach, and those clients' files. */
export interface PrunedProtos {
  byFile: Map<string, ProtoRoots>;
  clients: Set<string>;
}

/** The names a client's compiled source looks up in its protos.json. */
export function protoRootsOf(source: string): ProtoRoots {
  const services = [...source.matchAll(LOOKUP_SERVICE)].map((m) => m[1]!);
  if (source.includes('lroOptions.protoJson')) services.push(OPERATIONS_SERVICE);
  const types = [...source.matchAll(LOOKUP_TYPE)].map((m) => m[1]!);
  return { services: [...new Set(services)].sort(), types: [...new Set(types)].sort() };
}

/** Several clients of one package (Cloud Run's services, revisions and jobs) share its file. */
export function mergeRoots(a: ProtoRoots, b: ProtoRoots): ProtoRoots {
  return { services: [...new Set([...a.services, ...b.services])].sort(), types: [...new Set([...a.types, ...b.types])].sort() };
}

interface JsonNamespace {
  options?: unknown;
  nested?: Record<string, JsonNode>;
}
type JsonNode = JsonNamespace & { fields?: unknown; values?: unknown; methods?: unknown; extend?: string };

type Reflection = protobuf.ReflectionObject;

/**
 * protos.json reduced to what `roots` reach. A root that is not in the file throws: the client
 * would fail on it at run time, so the build must fail instead.
 */
export function pruneProtos(json: protobuf.INamespace, roots: ProtoRoots): protobuf.INamespace {
  const root = protobuf.Root.fromJSON(json);
  const kept = new Set<Reflection>();
  const queue: Reflection[] = [];
  const keep = (o: Reflection | null | undefined): void => {
    if (!o || kept.has(o)) return;
    kept.add(o);
    queue.push(o);
    // A message nested in another is written out with it: the outer one is kept whole.
    if (o.parent instanceof protobuf.Type) keep(o.parent);
  };
  for (const name of roots.services) keep(found(root.lookup(name, [protobuf.Service]), name));
  for (const name of roots.types) keep(found(root.lookup(name), name));
  // A failed operation's error (google.rpc.Status) carries details in Any values, which the
  // client decodes by type name with its own file. (A failed call's error is decoded by gax with
  // protos of its own.)
  const rpc = root.lookup('google.rpc');
  if (rpc instanceof protobuf.Namespace) for (const o of rpc.nestedArray) keep(o);
  while (queue.length > 0) {
    const o = queue.pop()!;
    if (o instanceof protobuf.Service) {
      for (const m of o.methodsArray) {
        m.resolve();
        keep(m.resolvedRequestType);
        keep(m.resolvedResponseType);
        // A long-running method's result and metadata come packed in Any: decoded by type name.
        for (const name of operationTypes(m)) keep(found(o.lookup(name), name));
      }
    } else if (o instanceof protobuf.Type) {
      for (const f of o.fieldsArray) keep(f.resolve().resolvedType);
      for (const n of o.nestedArray) if (n instanceof protobuf.Type || n instanceof protobuf.Enum) keep(n);
    }
  }
  const names = new Set([...kept].map((o) => o.fullName));
  const nested = keptIn(json as JsonNamespace, '', names) as protobuf.INamespace['nested'];
  return { ...(json.options ? { options: json.options } : {}), ...(nested ? { nested } : {}) };
}

function found<T>(o: T | null, name: string): T {
  if (!o) throw new Error(`protos.json has no ${name}, which a client looks up`);
  return o;
}

/** The types google.longrunning.operation_info names for a method (none for most). */
function operationTypes(method: protobuf.Method): string[] {
  const info = (method.parsedOptions as Array<Record<string, { responseType?: string; metadataType?: string }>> | undefined)?.find(
    (o) => o['(google.longrunning.operation_info)'],
  )?.['(google.longrunning.operation_info)'];
  return [info?.responseType, info?.metadataType].filter((n): n is string => Boolean(n));
}

/**
 * The kept part of a namespace: a kept message, enum or service whole (its nested types were kept
 * with it), a namespace with anything kept inside. Extensions declared at namespace level (the
 * google.api options' fields on google.protobuf's descriptors) go: a method's options are data in
 * the file, read without them.
 */
function keptIn(node: JsonNamespace, path: string, names: Set<string>): Record<string, JsonNode> {
  const out: Record<string, JsonNode> = {};
  for (const [name, child] of Object.entries(node.nested ?? {})) {
    const full = `${path}.${name}`;
    if (names.has(full)) out[name] = child;
    else if (child.nested && !child.fields && !child.values && !child.methods && !child.extend) {
      const inner = keptIn(child, full, names);
      if (Object.keys(inner).length > 0) out[name] = { ...(child.options ? { options: child.options } : {}), nested: inner };
    }
  }
  return out;
}

const PROTOS_REQUIRE = /require\(\s*["'](\.\.\/\.\.\/protos\/protos\.json)["']\s*\)/;

/**
 * The protos.json files of the client files `entryFile` (src/gcp/google-libraries.cjs) requires, each
 * with what those clients look up in it.
 */
export function protosToPrune(entryFile: string): PrunedProtos {
  const entry = readFileSync(entryFile, 'utf8');
  const resolve = createRequire(entryFile).resolve;
  const byFile = new Map<string, ProtoRoots>();
  const clients = new Set<string>();
  for (const [, name] of entry.matchAll(/require\('([^']+\/build\/src\/[^']+_client\.js)'\)/g)) {
    const client = resolve(name!);
    clients.add(client);
    const source = readFileSync(client, 'utf8');
    const protos = PROTOS_REQUIRE.exec(source)?.[1];
    if (!protos) throw new Error(`${client}: no require of ../../protos/protos.json`);
    const file = join(dirname(client), protos);
    const roots = protoRootsOf(source);
    const known = byFile.get(file);
    byFile.set(file, known ? mergeRoots(known, roots) : roots);
  }
  return { byFile, clients };
}

/**
 * Every module of the bundle that requires a reduced protos.json must be one of the clients whose
 * lookups it was reduced for: another (a client of the same package reached some other way) would
 * find its service missing at run time.
 */
export function checkPrunedImporters(meta: Metafile, workingDir: string, pruned: PrunedProtos): void {
  const relative = new Set([...pruned.byFile.keys()].map((f) => relativePath(workingDir, f)));
  for (const [input, { imports }] of Object.entries(meta.inputs)) {
    for (const i of imports) {
      if (relative.has(i.path) && !pruned.clients.has(join(workingDir, input))) {
        throw new Error(`${input} requires ${i.path}, which the bundle reduces for other clients only: require that client by its file in the bundle's entry`);
      }
    }
  }
}
