// IAM on Cloud Run services and jobs (gcp-api-facts.md §1, §4): getIamPolicy is a GET with
// options.requestedPolicyVersion in the query, setIamPolicy a POST {policy, updateMask}. A resource
// that never had a policy answers {"etag": "ACAB"}; a stale etag is 409 ABORTED (policies in iam-policy.ts).

import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest } from '../router.js';
import { wire } from './common.js';
import { RUN, type RunKind, type RunScope, runNotFound, runScope } from './run-common.js';

/** The key a run resource's policy is stored under (deleted with the resource). */
export const runPolicyKey = (resourceName: string): string => `run.googleapis.com/${resourceName}`;

/**
 * Registers the three IAM methods for a collection ('services' or 'jobs'). `exists` tells whether
 * the named resource (projects/P/locations/L/<collection>/ID) is there; a missing one is a 404.
 */
export function registerRunIam(emu: Emulator, collection: 'services' | 'jobs', kind: RunKind, exists: (name: string) => boolean): void {
  const param = collection === 'services' ? 'service' : 'job';

  const target = (req: EmuRequest, metric: 'run.read' | 'run.write'): { scope: RunScope; key: string } => {
    const scope = runScope(req, metric);
    const id = req.params[param];
    const name = `${scope.parent}/${collection}/${id}`;
    if (!exists(name)) throw runNotFound(kind, id, scope);
    return { scope, key: runPolicyKey(name) };
  };

  const getPolicy = (req: EmuRequest) => {
    const { key } = target(req, 'run.read');
    // requestedPolicyVersion only matters for conditional bindings, which are returned as stored.
    return wire(req, 'google.iam.v1.Policy', emu.policies.get(key));
  };

  const setPolicy = (req: EmuRequest) => {
    const { key } = target(req, 'run.write');
    const body = decode('google.iam.v1.SetIamPolicyRequest', withoutResource(req.body), '');
    const current = emu.policies.get(key);
    const incoming = body.policy ?? {};
    // Without an update mask only bindings and etag change (google.iam.v1.SetIamPolicyRequest).
    const paths = typeof body.updateMask === 'string' && body.updateMask ? body.updateMask.split(',') : ['bindings', 'etag'];
    const merged = {
      etag: paths.includes('etag') ? incoming.etag : undefined,
      version: paths.includes('version') ? incoming.version : (incoming.version ?? current.version),
      bindings: paths.includes('bindings') ? incoming.bindings : current.bindings,
    };
    return wire(req, 'google.iam.v1.Policy', emu.policies.set(key, merged, { dialect: 'google' }));
  };

  const testPermissions = (req: EmuRequest) => {
    target(req, 'run.read');
    const body = decode('google.iam.v1.TestIamPermissionsRequest', withoutResource(req.body), '');
    // The emulator's caller owns the project: every permission asked about is held.
    return wire(req, 'google.iam.v1.TestIamPermissionsResponse', { permissions: body.permissions ?? [] });
  };

  registerRpcs(emu, '@google-cloud/run', `${RUN}.${collection === 'services' ? 'Services' : 'Jobs'}`, {
    GetIamPolicy: getPolicy,
    SetIamPolicy: setPolicy,
    TestIamPermissions: [testPermissions, { mutates: false }],
  });
}

/** The clients also send `resource` in the body (body: "*"); it is the path's, so ignore it there. */
function withoutResource(body: any): any {
  if (!body || typeof body !== 'object') return {};
  const { resource: _resource, ...rest } = body;
  return rest;
}
