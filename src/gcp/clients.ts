// One factory for every official client, against Google or an emulator. Clients are loaded on first
// use (src/gcp/libraries.ts), so commands that need none load none.
import { reachDirectly } from './emulator-proxy.js';
import { type GoogleLibraries, googleLibraries } from './libraries.js';
import { preflight } from './preflight.js';
import type { Target } from './target.js';

type RunModule = typeof import('@google-cloud/run');
type RunServicesClient = InstanceType<RunModule['v2']['ServicesClient']>;
type RunJobsClient = InstanceType<RunModule['v2']['JobsClient']>;
type RunRevisionsClient = InstanceType<RunModule['v2']['RevisionsClient']>;
type StorageClient = import('@google-cloud/storage').Storage;
type IamApi = import('@googleapis/iam').iam_v1.Iam;
type SecretManagerClient = import('@google-cloud/secret-manager').SecretManagerServiceClient;
type ArtifactRegistryClient = import('@google-cloud/artifact-registry').ArtifactRegistryClient;
type ProjectsClient = import('@google-cloud/resource-manager').ProjectsClient;
type ServiceUsageClient = import('@google-cloud/service-usage').ServiceUsageClient;
type CloudSchedulerClient = import('@google-cloud/scheduler').CloudSchedulerClient;

/** The clients a ClientFactory makes, by the name of its getter: one per library it loads but gax. */
export type ClientName = Exclude<keyof GoogleLibraries, 'gax' | 'nodeFetch'>;

export class ClientFactory {
  private readonly cache = new Map<string, unknown>();
  private auth: unknown;
  private checked?: Promise<void>;
  private closed = false;

  constructor(readonly target: Target) {
    if (target.kind === 'emulator') reachDirectly(target.url);
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /**
   * The auth client handed to gax clients. It must come from google-gax's own google-auth-library
   * (a second copy fails with "auth.fetch is not a function").
   */
  private authClient(): any {
    if (this.auth) return this.auth;
    const { googleAuthLibrary } = googleLibraries().gax;
    const clientOptions = { transporterOptions: transporterOptions() };
    if (this.target.kind === 'emulator') {
      const client = new googleAuthLibrary.OAuth2Client(clientOptions);
      client.setCredentials({ access_token: 'emulator' });
      this.auth = client;
    } else if (this.target.impersonateServiceAccount) {
      const source = new googleAuthLibrary.GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'], clientOptions });
      this.auth = new googleAuthLibrary.Impersonated({
        ...clientOptions,
        sourceClient: source as any,
        targetPrincipal: this.target.impersonateServiceAccount,
        targetScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        lifetime: 3600,
      });
    } else {
      this.auth = new googleAuthLibrary.GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'], clientOptions });
    }
    return this.auth;
  }

  /**
   * Resolves once the target is usable: the emulator accepts connections, or credentials were
   * found. Checked once, before the first call (ApiCaller waits on it).
   */
  ready(): Promise<void> {
    this.checked ??= preflight(this.target, () => this.authClient());
    return this.checked;
  }

  /** Options every gax client (REST mode) gets. */
  private gaxOptions(): any {
    const t = this.target;
    if (t.kind === 'emulator') {
      return {
        fallback: true,
        protocol: 'http',
        apiEndpoint: t.url.hostname,
        port: Number(t.url.port || 80),
        authClient: this.authClient(),
        projectId: t.project,
      };
    }
    // Without impersonation each client makes its own GoogleAuth from these options: the same
    // transport as the auth client's.
    const auth = t.impersonateServiceAccount ? { authClient: this.authClient() } : { clientOptions: { transporterOptions: transporterOptions() } };
    return { fallback: true, projectId: t.project, ...auth };
  }

  runServices(): RunServicesClient {
    return this.memo('run.services', () => new (googleLibraries().runServices.ServicesClient)(this.gaxOptions()));
  }

  runRevisions(): RunRevisionsClient {
    return this.memo('run.revisions', () => new (googleLibraries().runRevisions.RevisionsClient)(this.gaxOptions()));
  }

  runJobs(): RunJobsClient {
    return this.memo('run.jobs', () => new (googleLibraries().runJobs.JobsClient)(this.gaxOptions()));
  }

  secretManager(): SecretManagerClient {
    return this.memo('secretmanager', () => {
      const { SecretManagerServiceClient } = googleLibraries().secretManager;
      return new SecretManagerServiceClient(this.gaxOptions());
    });
  }

  artifactRegistry(): ArtifactRegistryClient {
    return this.memo('artifactregistry', () => {
      const { ArtifactRegistryClient } = googleLibraries().artifactRegistry;
      return new ArtifactRegistryClient(this.gaxOptions());
    });
  }

  projects(): ProjectsClient {
    return this.memo('resourcemanager.projects', () => {
      const { ProjectsClient } = googleLibraries().projects;
      return new ProjectsClient(this.gaxOptions());
    });
  }

  serviceUsage(): ServiceUsageClient {
    return this.memo('serviceusage', () => {
      const { ServiceUsageClient } = googleLibraries().serviceUsage;
      return new ServiceUsageClient(this.gaxOptions());
    });
  }

  cloudScheduler(): CloudSchedulerClient {
    return this.memo('cloudscheduler', () => {
      const { CloudSchedulerClient } = googleLibraries().cloudScheduler;
      return new CloudSchedulerClient(this.gaxOptions());
    });
  }

  storage(): StorageClient {
    return this.memo('storage', () => {
      const { Storage } = googleLibraries().storage;
      const t = this.target;
      // Against a custom endpoint the storage client sends no credentials unless asked to.
      const base = { projectId: t.project, retryOptions: { autoRetry: false } };
      return t.kind === 'emulator' ? new Storage({ ...base, apiEndpoint: t.url.origin }) : new Storage(base);
    });
  }

  iam(): IamApi {
    return this.memo('iam', () => {
      const { iam } = googleLibraries().iam;
      const t = this.target;
      // Retries are ours (src/gcp/retry.ts), so the client's own are off.
      const common = { auth: this.authClient(), retry: false };
      return (t.kind === 'emulator' ? iam({ version: 'v1', rootUrl: `${t.url.origin}/`, ...common }) : iam({ version: 'v1', ...common })) as IamApi;
    });
  }

  /** An OAuth access token for calls no client library makes (the Docker registry API). */
  async accessToken(): Promise<string> {
    await this.ready();
    const auth = this.authClient() as { getAccessToken(): Promise<string | { token?: string | null } | null> };
    const t = await auth.getAccessToken();
    const token = typeof t === 'string' ? t : t?.token;
    if (!token) throw new Error('no access token from Application Default Credentials');
    return token;
  }

  /**
   * Makes these clients (and their stubs, otherwise made on the first call) in the background: work
   * for the CPU while it would wait anyway, on a round trip whose answer the next step needs (the
   * project number before the manifests can be loaded with it). One client per turn of the event
   * loop, so the call in flight is sent and its answer read in between; none after close().
   */
  async preload(names: ClientName[]): Promise<void> {
    for (const name of names) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.closed) return;
      const client = this[name]() as { initialize?: () => Promise<unknown> };
      client.initialize?.().catch(() => undefined); // a failure shows on the first call
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.cache.values()) {
      const closable = c as { close?: () => Promise<void> };
      if (typeof closable.close === 'function') await closable.close().catch(() => undefined);
    }
    this.cache.clear();
  }
}

/**
 * How the auth client's gaxios sends every request of the clients (google-gax's REST calls, the
 * JSON APIs of Cloud Storage and IAM) and of the auth itself: through node-fetch 2, gaxios's
 * documented `fetchImplementation`, instead of its default node-fetch 3, which wraps each answer's
 * body in a stream pipeline whose end builds an AbortController and a DOMException (with its stack)
 * and keeps each header set behind a Proxy: ~70 ms less CPU for the 549 calls of a no-op plan of
 * 1000 resources (bench, alternating runs). The same fetch API: a Response with ok, status, headers,
 * body, arrayBuffer(), text() and json().
 */
function transporterOptions(): { fetchImplementation: typeof fetch } {
  return { fetchImplementation: googleLibraries().nodeFetch };
}
