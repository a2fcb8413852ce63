import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { protobuf } from 'google-gax';
import { describe, expect, it } from 'vitest';
import { LIBRARY_ENTRY } from '../../../src/gcp/libraries.js';
import { checkPrunedImporters, protoRootsOf, protosToPrune, pruneProtos } from '../../../src/gcp/protos-pruning.js';
import { PACKAGE_ROOT } from '../../../src/paths.js';

const pruned = protosToPrune(LIBRARY_ENTRY);
const files = [...pruned.byFile.keys()].sort();
const packageOf = (file: string) => relative(join(PACKAGE_ROOT, 'node_modules'), file).split('/build/')[0];

/** Every message and enum of a root, by full name. */
function typesOf(ns: protobuf.NamespaceBase, out = new Map<string, protobuf.Type | protobuf.Enum>()) {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type || o instanceof protobuf.Enum) out.set(o.fullName, o);
    if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) typesOf(o, out);
  }
  return out;
}

describe('the protos.json files the bundle reduces', () => {
  it('are those of every gax client the bundle entry names, with what each looks up', () => {
    expect(files.map(packageOf)).toEqual([
      '@google-cloud/artifact-registry',
      '@google-cloud/resource-manager',
      '@google-cloud/run',
      '@google-cloud/scheduler',
      '@google-cloud/secret-manager',
      '@google-cloud/service-usage',
    ]);
    const run = pruned.byFile.get(files.find((f) => packageOf(f) === '@google-cloud/run')!)!;
    // Three clients share Cloud Run's file: each one's service is kept.
    expect(run.services).toEqual([
      'google.cloud.run.v2.Jobs',
      'google.cloud.run.v2.Revisions',
      'google.cloud.run.v2.Services',
      'google.longrunning.Operations',
    ]);
    expect(run.types).toContain('google.cloud.run.v2.Service');
    expect(run.types).toContain('google.cloud.run.v2.Execution'); // a job run's operation result
  });

  it.each(files.map((f) => [packageOf(f), f]))('%s: what is kept is the original, whole, and the rest is gone', (_pkg, file) => {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const roots = pruned.byFile.get(file)!;
    const original = protobuf.Root.fromJSON(json);
    const reduced = protobuf.Root.fromJSON(pruneProtos(json, roots)); // resolves every field's type, or throws
    for (const name of roots.services) {
      expect(JSON.stringify(reduced.lookupService(name).toJSON())).toBe(JSON.stringify(original.lookupService(name).toJSON()));
    }
    for (const name of roots.types) expect(reduced.lookup(name)).not.toBeNull();
    const before = typesOf(original);
    const after = typesOf(reduced);
    for (const [name, type] of after) {
      const was = before.get(name)!;
      expect(JSON.stringify(type.toJSON()), name).toBe(JSON.stringify(was.toJSON()));
      // A field's type name resolves relative to its package: it must find the type it found before.
      if (type instanceof protobuf.Type) {
        for (const f of type.fieldsArray)
          expect(f.resolvedType?.fullName, `${name}.${f.name}`).toBe((was as protobuf.Type).fields[f.name]!.resolvedType?.fullName);
      }
    }
    for (const name of roots.services) {
      for (const m of reduced.lookupService(name).methodsArray) {
        expect(after.has(m.resolvedRequestType!.fullName)).toBe(true);
        expect(after.has(m.resolvedResponseType!.fullName)).toBe(true);
      }
    }
    // A failed operation's error details may be any of google.rpc's messages.
    const rpc = (names: Map<string, unknown>) => [...names.keys()].filter((n) => n.startsWith('.google.rpc.'));
    expect(rpc(after)).toEqual(rpc(before));
    expect(after.size).toBeLessThan(before.size);
  });

  it('drops the services no client looks up, and what only they use', () => {
    const file = files.find((f) => packageOf(f) === '@google-cloud/run')!;
    const reduced = protobuf.Root.fromJSON(pruneProtos(JSON.parse(readFileSync(file, 'utf8')), pruned.byFile.get(file)!));
    expect(reduced.lookup('google.cloud.run.v2.Builds')).toBeNull();
    expect(reduced.lookup('google.cloud.run.v2.SubmitBuildRequest')).toBeNull();
    expect(reduced.lookup('google.cloud.run.v2.WorkerPools')).toBeNull();
    expect(reduced.lookup('google.protobuf.FileDescriptorProto')).toBeNull();
  });
});

const small: protobuf.INamespace = JSON.parse(
  JSON.stringify({
    nested: {
      demo: {
        options: { go_package: 'demo' },
        nested: {
          Things: {
            methods: {
              Make: {
                requestType: 'MakeRequest',
                responseType: 'google.longrunning.Operation',
                parsedOptions: [{ '(google.longrunning.operation_info)': { responseType: 'Thing', metadataType: 'Progress' } }],
              },
            },
          },
          Other: { methods: { Drop: { requestType: 'Dropped', responseType: 'Dropped' } } },
          MakeRequest: { fields: { part: { type: 'Outer.Inner', id: 1 } } },
          Outer: { fields: { kind: { type: 'Kind', id: 1 } }, nested: { Inner: { fields: { n: { type: 'int32', id: 1 } } } } },
          Kind: { values: { KIND_UNSPECIFIED: 0 } },
          Thing: { fields: { name: { type: 'string', id: 1 } } },
          Progress: { fields: { percent: { type: 'int32', id: 1 } } },
          Dropped: { fields: { x: { type: 'string', id: 1 } } },
        },
      },
      google: {
        nested: {
          longrunning: { nested: { Operation: { fields: { name: { type: 'string', id: 1 } } } } },
          rpc: { nested: { Status: { fields: { code: { type: 'int32', id: 1 } } }, ErrorInfo: { fields: { reason: { type: 'string', id: 1 } } } } },
          protobuf: { nested: { MethodOptions: { fields: {} } } },
          api: { nested: { http: { type: 'string', id: 72295728, extend: 'google.protobuf.MethodOptions' } } },
        },
      },
    },
  }),
);

describe('pruneProtos', () => {
  it("keeps a service's messages, an operation's result types, the outer message of a nested one, and google.rpc", () => {
    const out = protobuf.Root.fromJSON(pruneProtos(structuredClone(small), { services: ['demo.Things'], types: [] }));
    const names = [...typesOf(out).keys()].sort();
    expect(names).toEqual([
      '.demo.Kind',
      '.demo.MakeRequest',
      '.demo.Outer',
      '.demo.Outer.Inner',
      '.demo.Progress',
      '.demo.Thing',
      '.google.longrunning.Operation',
      '.google.rpc.ErrorInfo',
      '.google.rpc.Status',
    ]);
    expect(out.lookup('demo.Other')).toBeNull();
    expect(out.lookup('google.api.http')).toBeNull(); // an option's declaration: the options are data
    expect((out.lookup('demo') as protobuf.Namespace).options).toEqual({ go_package: 'demo' });
  });

  it('fails for a name the file does not have, as the client would', () => {
    expect(() => pruneProtos(structuredClone(small), { services: ['demo.Missing'], types: [] })).toThrow(/protos.json has no demo.Missing/);
    expect(() => pruneProtos(structuredClone(small), { services: [], types: ['demo.Nope'] })).toThrow(/demo.Nope/);
  });
});

describe('protoRootsOf', () => {
  it("reads a client's lookups, and its operations client's service", () => {
    const source = `this._protos.lookupService('a.v1.Svc'); root.lookup('.a.v1.Res'); root.lookup(".a.v1.Meta"); root.lookup('.a.v1.Res');
      if (opts.fallback) { lroOptions.protoJson = protoFilesRoot; }`;
    expect(protoRootsOf(source)).toEqual({ services: ['a.v1.Svc', 'google.longrunning.Operations'], types: ['a.v1.Meta', 'a.v1.Res'] });
    expect(protoRootsOf("this._protos.lookupService('b.Svc')")).toEqual({ services: ['b.Svc'], types: [] });
  });
});

describe('checkPrunedImporters', () => {
  const file = files[0]!;
  const input = relative(PACKAGE_ROOT, file);
  const meta = (importer: string): Metafile => ({
    inputs: { [importer]: { bytes: 1, imports: [{ path: input, kind: 'require-call', original: '../../protos/protos.json' }] } },
    outputs: {},
  });
  it('accepts the clients the file was reduced for, and refuses any other module that requires it', () => {
    const client = relative(PACKAGE_ROOT, [...pruned.clients].find((c) => c.startsWith(file.split('/build/')[0]!))!);
    expect(() => checkPrunedImporters(meta(client), PACKAGE_ROOT, pruned)).not.toThrow();
    const other = join(file.split('/build/')[0]!, 'build/src/v1beta2/other_client.js');
    expect(() => checkPrunedImporters(meta(relative(PACKAGE_ROOT, other)), PACKAGE_ROOT, pruned)).toThrow(/reduces for other clients only/);
  });
});
