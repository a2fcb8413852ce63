// Routes from the protos' google.api.http annotations: the template a rule path becomes, and the
// refusal to register an RPC the protos give no rule for.
import { describe, expect, it } from 'vitest';
import { Emulator } from '../../emulator/emulator.js';
import { registerRpcs, routerTemplate } from '../../emulator/proto-routes.js';

describe('proto http rules as routes', () => {
  it('names each collection/* by the collection', () => {
    expect(routerTemplate('/v2/{name=projects/*/locations/*/services/*}:getIamPolicy')).toBe(
      '/v2/projects/{project}/locations/{location}/services/{service}:getIamPolicy',
    );
    expect(routerTemplate('/v1/{parent=projects/*/locations/*/repositories/*}/dockerImages')).toBe(
      '/v1/projects/{project}/locations/{location}/repositories/{repository}/dockerImages',
    );
    expect(() => routerTemplate('/v1/{name=operations/**}')).toThrow(/not collection/);
  });

  it('routes an RPC where its rule says, and refuses one without a rule', () => {
    const emu = new Emulator();
    registerRpcs(emu, '@google-cloud/run', 'google.cloud.run.v2.Services', { GetService: () => ({ body: { ok: true } }) });
    expect(emu.router.match('GET', '/v2/projects/p/locations/l/services/s')?.params).toEqual({ project: 'p', location: 'l', service: 's' });
    expect(() => registerRpcs(emu, '@google-cloud/run', 'google.cloud.run.v2.Services', { NoSuchRpc: () => ({}) })).toThrow(/no google.api.http rule/);
  });
});
