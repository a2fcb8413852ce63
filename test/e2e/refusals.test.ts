// What Google refuses at deploy time makes `musectl apply` exit 1 with Google's message, against the
// emulator in strict project mode (emulator/FACTS.md lists each refusal and its source).
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { PROJECT, type Stage, stage } from './harness.js';

const FILE = 'stack.yaml';
const ORIGINAL = 'us-docker.pkg.dev/cloudrun/container/hello';

describe('musectl apply against what Cloud Run refuses', () => {
  let s: Stage;
  let original: string;
  beforeAll(async () => {
    s = await stage({}, 'test/fixtures/refusals');
    s.edit(FILE, (t) => {
      original = t;
      return t;
    });
  });
  afterAll(async () => s.close());

  /** Applies the stack with one edit and expects exit 1 naming Google's message. */
  async function refused(edit: (t: string) => string, message: string, args: string[] = []): Promise<void> {
    s.edit(FILE, () => edit(original));
    const r = await s.cli(['apply', '-f', s.dir, '--yes', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(message);
  }

  // What musectl can know from the manifests alone (Cloud Run's CPU and memory table, its regions,
  // a job's longest task) it refuses before the first call, located, with Google's rule and source;
  // the emulator refuses the same deploys itself (test/emulator/run-deploy-refusals.test.ts).
  async function refusedBeforeAnyCall(edit: (t: string) => string, message: RegExp, args: string[] = []): Promise<void> {
    s.edit(FILE, () => edit(original));
    const before = await s.stats();
    const r = await s.cli(['apply', '-f', s.dir, '--yes', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('nothing was sent to Google Cloud');
    expect((await s.stats()).total).toBe(before.total);
  }

  it('refuses CPU and memory outside the table', async () => {
    await refusedBeforeAnyCall(
      (t) => t.replace('cpu: "1", memory: 512Mi', 'cpu: "4", memory: 512Mi'),
      /stack\.yaml:\d+:\d+: CloudRunService\/web: spec\.template\.containers\[0\]\.resources\.limits\.memory: "512Mi" is less than the 2Gi that 4 CPUs need/,
    );
    await refusedBeforeAnyCall(
      (t) => t.replace('memory: 512Mi', 'memory: 200Gi'),
      /stack\.yaml:\d+:\d+: CloudRunService\/web: spec\.template\.containers\[0\]\.resources\.limits\.memory: "200Gi"/,
    );
  });

  it('refuses an unknown region', async () => {
    await refusedBeforeAnyCall(
      (t) => t,
      /stack\.yaml:\d+:\d+: CloudRunService\/web: spec\.location: "asia-northest1" is not a known Cloud Run region \(did you mean "asia-northeast1"\?\)/,
      ['--region', 'asia-northest1'],
    );
  });

  it('refuses an image of the project that was never pushed', async () => {
    const image = `us-central1-docker.pkg.dev/${PROJECT}/apps/web:1`;
    await refused((t) => t.replace(ORIGINAL, image), `Image '${image}' not found.`);
  });

  it('refuses a runtime service account that does not exist', async () => {
    await refused(
      (t) => t.replace('    containers:', `    serviceAccount: ghost-runner@${PROJECT}.iam.gserviceaccount.com\n    containers:`),
      `Permission 'iam.serviceaccounts.actAs' denied on service account ghost-runner@${PROJECT}.iam.gserviceaccount.com (or it may not exist).`,
    );
  });

  it('refuses a secret the runtime account may not read', async () => {
    const withSecret = (t: string) =>
      `${t.replace(
        `resources: { limits: { cpu: "1", memory: 512Mi } }`,
        `resources: { limits: { cpu: "1", memory: 512Mi } }\n        env:\n          - name: TOKEN\n            valueFrom:\n              secretKeyRef: { name: token, version: latest }`,
      )}---\napiVersion: musectl.dev/v1alpha1\nkind: Secret\nmetadata: { name: token }\nspec:\n  valueFrom: { env: TOKEN_VALUE }\n`;
    s.edit(FILE, () => withSecret(original));
    const r = await s.cli(['apply', '-f', s.dir, '--yes'], { env: { TOKEN_VALUE: 'refusal-canary-value' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('Permission denied on secret: projects/');
    expect(r.stderr).toContain("The service account used must be granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor)");
    expect(r.stderr + r.stdout).not.toContain('refusal-canary-value');
  });

  it('refuses allUsers on a bucket whose public access prevention is enforced', async () => {
    s.edit(
      FILE,
      () =>
        `${original}---\napiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: { name: refusals-pap-${PROJECT} }\nspec:\n  location: US\n  iamConfiguration:\n    uniformBucketLevelAccess: { enabled: true }\n    publicAccessPrevention: enforced\n---\napiVersion: musectl.dev/v1alpha1\nkind: IAMPolicyMember\nmetadata: { name: public-read }\nspec:\n  role: roles/storage.objectViewer\n  member: allUsers\n  resourceRef: { kind: Bucket, name: refusals-pap-${PROJECT} }\n`,
    );
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('The member bindings allUsers and allAuthenticatedUsers are not allowed since public access prevention is enforced.');
  });

  it('refuses a job task timeout above 168 hours', async () => {
    s.edit(
      FILE,
      () =>
        `${original}---\napiVersion: musectl.dev/v1alpha1\nkind: CloudRunJob\nmetadata: { name: batch }\nspec:\n  location: \${REGION}\n  template:\n    template:\n      timeout: 169h\n      containers:\n        - image: us-docker.pkg.dev/cloudrun/container/job\n`,
    );
    const before = await s.stats();
    const r = await s.cli(['apply', '-f', s.dir, '--yes']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stack\.yaml:\d+:\d+: CloudRunJob\/batch: spec\.template\.template\.timeout: "169h" is out of range: Cloud Run takes 1s to 168h/);
    expect((await s.stats()).total).toBe(before.total);
  });

  it('names an image of a project the credentials cannot see: exit 1, what to check, no internal error', async () => {
    s.edit(FILE, () => original.replace(ORIGINAL, 'asia-northeast1-docker.pkg.dev/someone-elses-project/apps/web:1'));
    const r = await s.cli(['plan', '-f', s.dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('cannot resolve asia-northeast1-docker.pkg.dev/someone-elses-project/apps/web:1 to a digest: the registry answered 403');
    expect(r.stderr).toContain('roles/artifactregistry.reader');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('names a registry redirect it cannot follow: exit 1, the Location it sent, no internal error, no retries', async () => {
    s.edit(FILE, () => original);
    // In front of the emulator: the registry's HEAD answers 302 to a Location that is no URL.
    let heads = 0;
    const proxy = createServer((req, res) => {
      if (req.method === 'HEAD' && /\/manifests\//.test(req.url ?? '')) {
        heads++;
        res.writeHead(302, { location: 'http://[::1' }).end();
        return;
      }
      const upstream = new URL(s.emu.url);
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(out);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const r = await runCli(['plan', '-f', s.dir, '--emulator', url, '--project', PROJECT, '--state', join(s.dir, '.state')]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /cannot resolve \S+ to a digest: http:\/\/127\.0\.0\.1:\d+ answered 302 with Location "http:\/\/\[::1", which is no http\(s\) URL/,
      );
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(heads).toBe(1);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('fails a typo of the project, as Google does (the emulator runs in strict project mode)', async () => {
    s.edit(FILE, () => original);
    const r = await runCli(['plan', '-f', s.dir, '--emulator', s.emu.url, '--project', 'e2e-projekt', '--state', join(s.dir, '.state')]);
    // A user's mistake, said in one line with what to check: exit 1, never an internal error (70).
    expect(r.code, r.stderr).toBe(1);
    // Which call Google refused comes first (the reads go at once: any of them may be the one).
    expect(r.stderr).toMatch(
      /Error: (list|read) [^:\n]*e2e-projekt[^:\n]*: Google Cloud answered 403 PERMISSION_DENIED: Permission denied on resource project e2e-projekt\./,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});
