import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifestSet } from '../../../src/manifest/index.js';

const FIXTURE = 'test/fixtures/invalid/four-errors.yaml';

function lines(paths: string[], variables: Record<string, string> = {}): string[] {
  return loadManifestSet(paths, { variables, allowPlaceholders: true }).diagnostics.map(formatDiagnostic);
}

/** Writes a manifest to a temporary file and returns its path. */
function manifest(text: string, name = 'm.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'musectl-validate-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const SA = (name: string, extra = '') => `apiVersion: musectl.dev/v1alpha1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n${extra}`;

describe('validation errors', () => {
  it('reports a misspelled field, a wrong type, a missing reference and a duplicate name in one run, each at file:line:col', () => {
    expect(lines([FIXTURE])).toEqual([
      `${FIXTURE}:6:3: ServiceAccount/sa-one: spec.displayNme: unknown field (did you mean "displayName"?)`,
      `${FIXTURE}:16:13: CloudRunService/svc: spec.template.serviceAccountRef: refers to ServiceAccount "sa-missing", which is not in the manifests`,
      `${FIXTURE}:18:25: CloudRunService/svc: spec.template.scaling.maxInstanceCount: must be an integer, not the string "lots"`,
      `${FIXTURE}:25:9: ServiceAccount/sa-one: duplicate ServiceAccount named "sa-one"; the first is at ${FIXTURE}:4:9`,
    ]);
  });

  it('suggests the closest kind for a misspelled kind', () => {
    const f = manifest('apiVersion: musectl.dev/v1alpha1\nkind: Buckt\nmetadata:\n  name: b-one\n');
    expect(lines([f])).toEqual([
      `${f}:2:7: Buckt/b-one: unknown kind "Buckt" (did you mean "Bucket"?); known kinds: ArtifactRegistryRepository, Bucket, CloudRunJob, CloudRunService, CloudSchedulerJob, Environment, IAMPolicyMember, ProjectService, Secret, ServiceAccount, Stack`,
    ]);
  });

  it('points at the key of the object that lacks a required field', () => {
    const f = manifest('apiVersion: musectl.dev/v1alpha1\nkind: CloudRunService\nmetadata:\n  name: svc\nspec:\n  template:\n    containers: [{image: x}]\n');
    expect(lines([f])).toEqual([`${f}:5:1: CloudRunService/svc: spec: missing required field "location"`]);
  });

  it('names the allowed values of an enum and the closest one', () => {
    const f = manifest('apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata:\n  name: bucket-one\nspec:\n  storageClass: COLDLNE\n');
    expect(lines([f])[0]).toBe(
      `${f}:6:17: Bucket/bucket-one: spec.storageClass: "COLDLNE" is not allowed (did you mean "COLDLINE"?); use one of STANDARD, NEARLINE, COLDLINE, ARCHIVE`,
    );
  });

  it('rejects Cloud Run reserved env names and requires value or valueFrom', () => {
    const f = manifest(`apiVersion: musectl.dev/v1alpha1
kind: CloudRunService
metadata: {name: svc}
spec:
  location: asia-northeast1
  template:
    containers:
      - image: x
        env:
          - name: PORT
            value: "1"
          - name: EMPTY
`);
    expect(lines([f])).toEqual([
      `${f}:10:19: CloudRunService/svc: spec.template.containers[0].env[0].name: "PORT" is reserved and cannot be used`,
      `${f}:12:13: CloudRunService/svc: spec.template.containers[0].env[1]: set exactly one of "value" or "valueFrom"`,
    ]);
  });

  it('finds reference cycles through outputs and unknown output names', () => {
    const svc = (name: string, other: string, output = 'uri') => `apiVersion: musectl.dev/v1alpha1
kind: CloudRunService
metadata: {name: ${name}}
spec:
  location: asia-northeast1
  template:
    containers:
      - image: x
        env:
          - name: OTHER
            valueFrom: {outputRef: {kind: CloudRunService, name: ${other}, output: ${output}}}
`;
    const f = manifest(`${svc('svc-a', 'svc-b')}---\n${svc('svc-b', 'svc-a', 'url')}`);
    const out = lines([f]);
    expect(out).toContain(
      `${f}:23:66: CloudRunService/svc-b: reference cycle: CloudRunService/svc-a -> CloudRunService/svc-b -> CloudRunService/svc-a; one of these references must go`,
    );
    expect(out).toContain(
      `${f}:23:81: CloudRunService/svc-b: spec.template.containers[0].env[0].valueFrom.outputRef: CloudRunService has no output "url" (did you mean "uri"?); outputs: uri, name`,
    );
  });

  it('reports YAML syntax errors with their position and keeps checking other files', () => {
    const bad = manifest('kind: [unclosed\n');
    const good = manifest(SA('sa-good'));
    const set = loadManifestSet([bad, good], { variables: {}, allowPlaceholders: true });
    expect(set.diagnostics.map(formatDiagnostic)[0]).toMatch(new RegExp(`^${bad}:2:1: YAML: `));
    expect(set.resources.map((r) => r.key)).toEqual(['ServiceAccount/sa-good']);
  });

  it('refuses duplicate keys and alias bombs without throwing', () => {
    const dup = manifest(`${SA('sa-dup')}metadata:\n  name: again\n`);
    expect(lines([dup])[0]).toMatch(/:5:1: YAML: Map keys must be unique/);
    const bomb = manifest(
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
    );
    expect(lines([bomb])[0]).toMatch(/YAML: .*(alias|Excessive)/i);
  });

  it('says when a path does not exist or holds no manifests', () => {
    expect(lines(['does/not/exist'])).toEqual(['does/not/exist:1:1: no such file or directory']);
    const dir = mkdtempSync(join(tmpdir(), 'musectl-empty-'));
    expect(lines([dir])).toEqual([`${dir}:1:1: no manifest files (*.yaml, *.yml) found`]);
  });
});

describe('defaults', () => {
  it("fills Google's defaults from the schema into the desired spec", () => {
    const f = manifest(
      'apiVersion: musectl.dev/v1alpha1\nkind: CloudRunService\nmetadata: {name: svc}\nspec:\n  location: asia-northeast1\n  template:\n    containers: [{image: x}]\n',
    );
    const [r] = loadManifestSet([f], { variables: {}, allowPlaceholders: true }).resources;
    expect(r.spec.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(r.spec.template.timeout).toBe('300s');
    expect(r.spec.template.scaling).toEqual({ minInstanceCount: 0, maxInstanceCount: 100 });
    expect(r.spec.template.containers[0].resources).toEqual({ limits: { cpu: '1000m', memory: '512Mi' }, cpuIdle: true, startupCpuBoost: false });
    expect(r.spec.template.containers[0].ports).toEqual([{ name: 'http1', containerPort: 8080 }]);
    expect(r.spec.traffic).toEqual([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  });
});

describe('schema map paths', () => {
  it('knows which spec fields are maps (every key managed)', async () => {
    const { schemaRegistry } = await import('../../../src/manifest/schemas.js');
    const paths = [...schemaRegistry().get('CloudRunService')!.mapPaths].sort();
    expect(paths).toEqual(['annotations', 'template.annotations', 'template.labels']);
  });
});

describe('precompiled validators', () => {
  it('are used only when built from the current schemas, and agree with compiling on the fly', async () => {
    const { SchemaRegistry, PRECOMPILED } = await import('../../../src/manifest/schemas.js');
    const { existsSync } = await import('node:fs');
    expect(existsSync(PRECOMPILED)).toBe(true); // npm test builds first
    const stale = join(mkdtempSync(join(tmpdir(), 'musectl-stale-')), 'v.cjs');
    writeFileSync(stale, 'exports.schemasHash = "not-these-schemas"; exports.Bucket = () => { throw new Error("stale validator used"); };');
    const fallback = new SchemaRegistry(undefined, stale);
    const built = new SchemaRegistry(undefined, PRECOMPILED);
    const fresh = new SchemaRegistry(undefined, undefined);
    const doc = {
      apiVersion: 'musectl.dev/v1alpha1',
      kind: 'Bucket',
      metadata: { name: 'b-one' },
      spec: { storageClass: 'COLD', lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] } },
    };
    const results = [fallback, built, fresh].map((r) => r.check(r.get('Bucket')!, doc));
    for (const r of results) {
      expect(r.errors.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(['/spec/storageClass enum']);
      expect((r.withDefaults as any).spec.location).toBe('US');
    }
  });
});
