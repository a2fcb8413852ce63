// Every client sends through node-fetch 2, gaxios's documented fetchImplementation (clients.ts):
// the emulator's auth client, a Google target's own per-client GoogleAuth, and an impersonating
// auth client alike, so what the emulator tests is the transport Google is reached with. Only
// clients are made here: nothing is sent.
import { afterEach, describe, expect, it } from 'vitest';
import { ClientFactory } from '../../../src/gcp/clients.js';
import { googleLibraries } from '../../../src/gcp/libraries.js';

const nodeFetch = () => googleLibraries().nodeFetch;
const made: ClientFactory[] = [];
const factory = (target: ConstructorParameters<typeof ClientFactory>[0]): ClientFactory => {
  const f = new ClientFactory(target);
  made.push(f);
  return f;
};
afterEach(async () => {
  for (const f of made.splice(0)) await f.close();
});

/** The fetch the gaxios behind a gax client's auth uses. */
function fetchOf(client: unknown): unknown {
  const auth = (client as { auth: any }).auth;
  return auth.clientOptions?.transporterOptions?.fetchImplementation ?? auth.transporter?.defaults?.fetchImplementation;
}

describe('the transport of every client', () => {
  it('is node-fetch 2 on the emulator, for gax and for the JSON API clients', () => {
    const f = factory({ kind: 'emulator', project: 'p', url: new URL('http://127.0.0.1:9') });
    expect(fetchOf(f.runServices())).toBe(nodeFetch());
    expect(fetchOf(f.secretManager())).toBe(nodeFetch());
    expect((f.iam() as any).context._options.auth.transporter.defaults.fetchImplementation).toBe(nodeFetch());
  });

  it("is node-fetch 2 for Google, in each gax client's own GoogleAuth", () => {
    const f = factory({ kind: 'google', project: 'p' });
    expect(fetchOf(f.runServices())).toBe(nodeFetch());
    expect(fetchOf(f.serviceUsage())).toBe(nodeFetch());
  });

  it('is node-fetch 2 for Google through an impersonated service account', () => {
    const f = factory({ kind: 'google', project: 'p', impersonateServiceAccount: 'deployer@p.iam.gserviceaccount.com' });
    expect(fetchOf(f.runServices())).toBe(nodeFetch());
    const source = (f.runServices() as any).auth.sourceClient;
    expect(source.clientOptions.transporterOptions.fetchImplementation).toBe(nodeFetch());
  });
});
