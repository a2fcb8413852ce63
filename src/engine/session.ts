// One run of musectl against a target: manifests loaded and validated with the target's variables,
// the controller context (clients, rate limits, retries, logs), then observe and plan. plan, apply,
// up and watch all start here. The controllers are handed in (the CLI assembles them): the engine
// knows the contract, never a kind.
import { type ControllerContext, type ControllerRegistry, controllerFor, isPreparing, kindCatalog } from '../contract/controller.js';
import { UserError } from '../errors.js';
import { ApiCaller, type RetryEvent } from '../gcp/api-call.js';
import { ClientFactory } from '../gcp/clients.js';
import { RateLimiter } from '../gcp/rate-limit.js';
import type { Target } from '../gcp/target.js';
import type { Logger } from '../log.js';
import { hasErrors, loadManifestSet, type ManifestSet } from '../manifest/index.js';
import { BUILTIN_VARIABLES } from '../manifest/variables.js';
import { type Inventory, InventoryStore } from '../state/inventory.js';
import { defaultStateDir, openStateStore } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import { addImplicitDependencies } from './graph.js';
import { type ObservedState, observeAll } from './observe.js';
import type { ExecutablePlan } from './plan.js';
import { buildPlan, DEFAULT_PLAN_OPTIONS, type PlanOptions } from './planner.js';

export interface SessionOptions {
  /** Every kind's controller (controllers/index.ts allControllers(), or test doubles). */
  controllers: ControllerRegistry;
  paths: string[];
  variables: Record<string, string>;
  target: Target;
  log: Logger;
  onRetry?: (e: RetryEvent) => void;
  /** How long to wait for a new service account to become visible (default 60 s). */
  consistencyTimeoutMs?: number;
  /** Where the inventory and lease live: a directory or gs://BUCKET/PREFIX (default: beside the Stack document). */
  state?: string;
  /** The stack's name when the manifests have no Stack document (--stack); must agree with one if they do. */
  stack?: string;
  /** The command writes (apply, watch, destroy): a stack without a name of its own is refused. */
  writes?: boolean;
  /** Directories outside the stack's tree a Secret's valueFrom.file may read (--allow-secret-path). */
  allowSecretPaths?: string[];
}

export interface Session {
  set: ManifestSet;
  ctx: ControllerContext;
  controllers: ControllerRegistry;
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
  const kinds = kindCatalog(opts.controllers);
  let set = loadManifestSet(opts.paths, { variables, discovered: standIn, allowPlaceholders: false, allowSecretPaths: opts.allowSecretPaths, kinds });
  if (hasErrors(set.diagnostics)) throw new InvalidManifestsError(set);
  if (set.variablesUsed.includes('PROJECT_NUMBER') && !opts.variables.PROJECT_NUMBER) {
    set = loadManifestSet(opts.paths, {
      variables,
      discovered: { PROJECT_NUMBER: await ctxBase.projectNumber() },
      allowPlaceholders: false,
      allowSecretPaths: opts.allowSecretPaths,
      kinds,
    });
    if (hasErrors(set.diagnostics)) throw new InvalidManifestsError(set);
  }
  const { controllers } = opts;
  addImplicitDependencies(set.resources, (kind) => controllers.get(kind)?.facts.requiresApi);
  const byKey = new Map(set.resources.map((r) => [r.key, r]));
  const ctx: ControllerContext = {
    ...ctxBase,
    stack: set.stack.name,
    resource: (kind, name) => byKey.get(`${kind}/${name}`),
    imageDigests: new Map(),
    controller: (kind) => controllerFor(controllers, kind),
  };
  nameTheStack(set, opts);
  const store = openStateStore(opts.state ?? defaultStateDir(set.stack.document?.file, opts.paths), clients, api);
  const inventory = new InventoryStore(store, project, set.stack.name);
  return { set, ctx, controllers, store, inventory, close: () => clients.close() };
}

/**
 * The stack's name: its Stack document's, or --stack. Two unrelated manifest sets must never share
 * one by accident, so a command that writes refuses a set with neither.
 */
function nameTheStack(set: ManifestSet, opts: Pick<SessionOptions, 'stack' | 'writes'>): void {
  const doc = set.stack.document;
  if (opts.stack !== undefined) {
    if (doc && set.stack.name !== opts.stack) {
      throw new UserError(
        `--stack ${opts.stack}, but the Stack document at ${doc.file} names the stack "${set.stack.name}"`,
        'Drop --stack, or give the name the Stack document has.',
      );
    }
    set.stack.name = opts.stack;
    return;
  }
  if (!doc && opts.writes) {
    throw new UserError(
      'these manifests have no stack name: without one, two unrelated manifest sets would both be stack "default" and could delete each other\'s resources',
      'Add a Stack document (apiVersion: musectl.dev/v1alpha1, kind: Stack, metadata: {name: my-stack}) or pass --stack NAME.',
    );
  }
}

async function fetchProjectNumber(clients: ClientFactory, api: ApiCaller, project: string): Promise<string> {
  const [p] = await api.call({ quota: 'resourcemanager.read', scope: project, what: `read project ${project}` }, () =>
    clients.projects().getProject({ name: `projects/${project}` }),
  );
  const number = /^projects\/(\d+)$/.exec(p.name ?? '')?.[1];
  if (!number) throw new Error(`Resource Manager answered project ${project} without a number (name: ${p.name})`);
  return number;
}

/** What planning found: the observed state, the plan with what apply needs, and the inventory it read. */
export interface Planned {
  observed: ObservedState;
  exec: ExecutablePlan;
  inventory: Inventory;
  /**
   * Keys the plan treats as named by the manifests, when not all of the set's resources (destroy:
   * none). An inventory entry outside them whose resource is gone is forgotten after apply.
   */
  named?: Set<string>;
}

export async function observeAndPlan(session: Session, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Promise<Planned> {
  const { set, ctx, controllers } = session;
  const inventory = await session.inventory.load();
  // One round of reads: what controllers prepare (image digests) and what observe lists.
  const [, observed] = await Promise.all([
    Promise.all(
      [...controllers.values()].filter(isPreparing).map((c) =>
        c.prepare(
          ctx,
          set.resources.filter((r) => r.kind === c.kind),
        ),
      ),
    ),
    observeAll(set.resources, controllers, ctx, inventory.entries),
  ]);
  const claims = async () => {
    const found = new Map<string, string>();
    for (const other of await session.inventory.others()) for (const e of other.entries) if (!e.pending) found.set(`${e.kind}|${e.id}`, other.stack);
    return found;
  };
  const exec = await buildPlan({ resources: set.resources, observed, controllers, ctx, inventory, inventoryAt: session.inventory.describe(), claims, options });
  return { observed, exec, inventory };
}
