// One run of musectl against a target: manifests loaded and validated with the target's variables,
// the controller context (clients, rate limits, retries, logs), then observe and plan. plan, apply,
// up and watch all start here.
import { allControllers } from '../../controllers/index.js';
import { ApiCaller, type RetryEvent } from '../gcp/api-call.js';
import { ClientFactory } from '../gcp/clients.js';
import { RateLimiter } from '../gcp/rate-limit.js';
import type { Target } from '../gcp/target.js';
import type { Logger } from '../log.js';
import { hasErrors, loadManifestSet, type ManifestSet } from '../manifest/index.js';
import { BUILTIN_VARIABLES } from '../manifest/variables.js';
import { type Inventory, InventoryStore } from '../state/inventory.js';
import { openStateStore } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import type { Controller, ControllerContext } from './controller.js';
import { addImplicitDependencies } from './graph.js';
import { controllerFor, type ObservedState, observeAll } from './observe.js';
import type { ExecutablePlan } from './plan.js';
import { buildPlan, DEFAULT_PLAN_OPTIONS, type PlanOptions } from './planner.js';

export interface SessionOptions {
  paths: string[];
  variables: Record<string, string>;
  target: Target;
  log: Logger;
  onRetry?: (e: RetryEvent) => void;
  /** How long to wait for a new service account to become visible (default 60 s). */
  consistencyTimeoutMs?: number;
  /** Where the inventory and lease live: a directory or gs://BUCKET/PREFIX (default .musectl/state). */
  state?: string;
  /** Directories outside the stack's tree a Secret's valueFrom.file may read (--allow-secret-path). */
  allowSecretPaths?: string[];
}

export interface Session {
  set: ManifestSet;
  ctx: ControllerContext;
  controllers: Map<string, Controller>;
  store: StateStore;
  inventory: InventoryStore;
  close(): Promise<void>;
}

export class InvalidManifestsError extends Error {
  constructor(readonly set: ManifestSet) {
    super('the manifests are not valid');
  }
}

type BaseContext = Omit<ControllerContext, 'stack' | 'resource' | 'controller' | 'imageDigests'>;

/** Clients, rate limits, retries and logs for a target, before any manifest is known. */
export function baseContext(opts: Pick<SessionOptions, 'target' | 'log' | 'onRetry' | 'consistencyTimeoutMs'>): BaseContext {
  const clients = new ClientFactory(opts.target);
  const api = new ApiCaller(
    new RateLimiter(),
    (e) => {
      opts.log.info({ call: e.what, attempt: e.attempt, delayMs: Math.round(e.delayMs), error: e.error }, 'retrying a call');
      opts.onRetry?.(e);
    },
    {},
    () => clients.ready(),
  );
  const project = opts.target.project;
  let projectNumber: Promise<string> | undefined;
  return {
    project,
    clients,
    api,
    log: opts.log,
    consistencyTimeoutMs: opts.consistencyTimeoutMs ?? 60_000,
    projectNumber: () => (projectNumber ??= fetchProjectNumber(clients, api, project)),
  };
}

/** Validates the manifests (before any API call but the project number, when used) and builds the context. */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const ctxBase = baseContext(opts);
  const { clients, api, project } = ctxBase;

  // ${PROJECT_NUMBER} is read from Resource Manager, and only when a manifest uses it. The whole
  // set is validated first with a stand-in number, so nothing is sent for invalid manifests; only a
  // set that uses the number is loaded again with the real one.
  const variables = { ...opts.variables, PROJECT_ID: project };
  const standIn = { PROJECT_NUMBER: BUILTIN_VARIABLES.PROJECT_NUMBER.placeholder };
  let set = loadManifestSet(opts.paths, { variables, discovered: standIn, allowPlaceholders: false, allowSecretPaths: opts.allowSecretPaths });
  if (hasErrors(set.diagnostics)) throw new InvalidManifestsError(set);
  if (set.variablesUsed.includes('PROJECT_NUMBER') && !opts.variables.PROJECT_NUMBER) {
    set = loadManifestSet(opts.paths, {
      variables,
      discovered: { PROJECT_NUMBER: await ctxBase.projectNumber() },
      allowPlaceholders: false,
      allowSecretPaths: opts.allowSecretPaths,
    });
    if (hasErrors(set.diagnostics)) throw new InvalidManifestsError(set);
  }
  const controllers = allControllers();
  addImplicitDependencies(set.resources, (kind) => controllers.get(kind)?.requiresApi);
  const byKey = new Map(set.resources.map((r) => [r.key, r]));
  const ctx: ControllerContext = {
    ...ctxBase,
    stack: set.stack.name,
    resource: (kind, name) => byKey.get(`${kind}/${name}`),
    imageDigests: new Map(),
    controller: (kind) => controllerFor(controllers, kind),
  };
  const store = openStateStore(opts.state, clients, api);
  const inventory = new InventoryStore(store, project, set.stack.name);
  return { set, ctx, controllers, store, inventory, close: () => clients.close() };
}

async function fetchProjectNumber(clients: ClientFactory, api: ApiCaller, project: string): Promise<string> {
  const [p] = await api.call({ quota: 'resourcemanager.read', scope: project, what: `read project ${project}` }, () =>
    clients.projects().getProject({ name: `projects/${project}` }),
  );
  const number = /^projects\/(\d+)$/.exec(p.name ?? '')?.[1];
  if (!number) throw new Error(`Resource Manager answered project ${project} without a number (name: ${p.name})`);
  return number;
}

export async function observeAndPlan(
  session: Session,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): Promise<{ observed: ObservedState; exec: ExecutablePlan; inventory: Inventory }> {
  const { set, ctx, controllers } = session;
  const inventory = await session.inventory.load();
  // One round of reads: what controllers prepare (image digests) and what observe lists.
  const [, observed] = await Promise.all([
    Promise.all(
      [...controllers.values()]
        .filter((c) => c.prepare)
        .map((c) =>
          c.prepare!(
            ctx,
            set.resources.filter((r) => r.kind === c.kind),
          ),
        ),
    ),
    observeAll(set.resources, controllers, ctx, inventory.entries),
  ]);
  const exec = await buildPlan({ resources: set.resources, observed, controllers, ctx, inventory, options });
  return { observed, exec, inventory };
}
