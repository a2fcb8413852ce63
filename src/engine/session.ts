// One run of musectl against a target: manifests loaded and validated with the target's variables,
// the controller context (clients, rate limits, retries, logs), then observe and plan. plan, apply,
// up and watch all start here. The controllers are handed in (the CLI assembles them): the engine
// knows the contract, never a kind.
import { resolve } from 'node:path';
import { type ControllerContext, type ControllerRegistry, controllerFor, isPreparing, kindCatalog } from '../contract/controller.js';
import { UserError } from '../errors.js';
import { ApiCaller, type RetryEvent } from '../gcp/api-call.js';
import { ClientFactory, type ClientName } from '../gcp/clients.js';
import { RateLimiter } from '../gcp/rate-limit.js';
import type { Target } from '../gcp/target.js';
import type { Logger } from '../log.js';
import type { Environment } from '../manifest/environment.js';
import { formatDiagnostic, hasErrors, loadManifestSet, type ManifestSet, type Resource } from '../manifest/index.js';
import { findStack, type StackSettings, stackBeside } from '../manifest/stack.js';
import { BUILTIN_VARIABLES } from '../manifest/variables.js';
import { entryKey, type Inventory, type InventoryEntry, InventoryStore } from '../state/inventory.js';
import { defaultStateDir, openStateStore } from '../state/open.js';
import type { StackIdentity, StateStore } from '../state/store.js';
import { addImplicitDependencies } from './graph.js';
import { type ObservedState, observeAll } from './observe.js';
import { observeOutside, outsideEntries, unresolvedOutside } from './outside.js';
import type { ExecutablePlan } from './plan.js';
import { buildPlan, DEFAULT_PLAN_OPTIONS, type PlanOptions } from './planner.js';
import { fetchProjectNumber, recordedBeforeLoad, recordedNumber } from './project-number.js';
import { checkTargets, selectForPlan, type Targeting } from './targeting.js';

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
  /**
   * The clients of a process that plans again and again (the watcher): kept across sessions, so
   * each plan does not make every client (and parse its protos) anew. The session does not close
   * them; their owner does. Rate limits, retries and the call count stay the session's own.
   * Default: the session makes its own.
   */
  clients?: ClientFactory;
  /** The environment (--env): its variables and overrides, and its own inventory and lease. */
  environment?: Environment;
  /** --target and --exclude: a key that names nothing is refused before any call to Google. */
  targeting?: Targeting;
}

export interface Session {
  set: ManifestSet;
  ctx: ControllerContext;
  controllers: ControllerRegistry;
  store: StateStore;
  inventory: InventoryStore;
  /** Whose state this is: project, stack and environment (keys of the inventory and the lease). */
  who: StackIdentity;
  /** The stack's resources the set references but does not include (one file of a stack), from the inventory. */
  outside: Map<string, InventoryEntry>;
  /** The Stack document taken from beside the files given, when they had none (one file of a stack). */
  stackBeside?: string;
  /**
   * The project's number, when the manifests use ${PROJECT_NUMBER}: read from Resource Manager, or
   * taken from the inventory and checked against Resource Manager while the plan reads (see
   * numberToCheck). Recorded in the inventory on apply.
   */
  projectNumber?: string;
  /** The inventory's number the set was loaded with, not yet confirmed by Resource Manager. */
  numberToCheck?: string;
  /** Loads the set again with another project number (the recorded one was not the project's). */
  renumber(projectNumber: string): void;
  close(): Promise<void>;
}

export class InvalidManifestsError extends Error {
  constructor(readonly set: ManifestSet) {
    super('the manifests are not valid');
  }
}

type BaseContext = Omit<ControllerContext, 'stack' | 'resource' | 'controller' | 'imageDigests'>;

/** Clients, rate limits, retries and logs for a target, before any manifest is known. */
export function baseContext(opts: Pick<SessionOptions, 'target' | 'log' | 'onRetry' | 'consistencyTimeoutMs' | 'clients'>): BaseContext {
  const clients = opts.clients ?? new ClientFactory(opts.target);
  const api = new ApiCaller(
    new RateLimiter(),
    (e) => {
      opts.log.info({ call: e.what, attempt: e.attempt, delayMs: Math.round(e.delayMs), error: e.error }, 'retrying a call');
      opts.onRetry?.(e);
    },
    () => clients.ready(),
    // --log-level debug: one line per call to Google (the first thing to look at when a plan is slow or wrong).
    (c) => opts.log.debug({ call: c.what, attempt: c.attempt, ms: c.ms, ...(c.error !== undefined ? { error: c.error } : {}) }, 'api call'),
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

  // ${PROJECT_NUMBER} is read from Resource Manager, and only when a manifest uses it. Without a
  // number recorded in a local inventory, the whole set is validated first with a stand-in number,
  // so nothing is sent for invalid manifests; only a set that uses the number is loaded again with
  // the real one.
  const variables = { ...opts.variables, PROJECT_ID: project };
  const standIn = { PROJECT_NUMBER: BUILTIN_VARIABLES.PROJECT_NUMBER.placeholder };
  const kinds = kindCatalog(opts.controllers);
  let paths = opts.paths;
  const load = (discovered: Record<string, string>) =>
    loadManifestSet(paths, {
      variables,
      discovered,
      allowPlaceholders: false,
      allowSecretPaths: opts.allowSecretPaths,
      kinds,
      deferMissingRefs: true,
      ...(opts.environment ? { environment: opts.environment } : {}),
    });
  // One file of a stack (-f manifests/backend.yaml) takes its name and variables from the Stack
  // document beside it; the run is then partial (it prunes nothing it does not include).
  const beside = opts.stack === undefined ? stackBeside(paths) : undefined;
  if (beside && !findStack(paths).document) paths = [...paths, beside];
  const stateOf = (stack: StackSettings) => opts.state ?? defaultStateDir(stack.document?.file, opts.paths);
  // A stack whose inventory is on this machine is loaded once, with the project number that
  // inventory recorded, read before the manifests (it is checked later, as below). Otherwise, or
  // when the set is not valid with that number (its errors may be the number's), or names another
  // stack than its Stack document said, it is loaded with the stand-in first.
  const early = await recordedBeforeLoad(findStack(paths), stateOf, opts, project);
  const loadedEarly = early ? load({ PROJECT_NUMBER: early.number }) : undefined;
  const validEarly = loadedEarly && !hasErrors(loadedEarly.diagnostics) ? loadedEarly : undefined;
  if (validEarly) nameTheStack(validEarly, opts);
  // The early load stands when it names the stack and state the number was read under.
  const kept = validEarly && early && validEarly.stack.name === early.stack && resolve(stateOf(validEarly.stack)) === early.state ? early : undefined;
  const loadedWith = kept?.number;
  let set = kept && validEarly ? validEarly : load(standIn);
  if (!kept) {
    if (hasErrors(set.diagnostics)) throw new InvalidManifestsError(set);
    nameTheStack(set, opts);
  }
  const store = openStateStore(stateOf(set.stack), clients, api);
  const who: StackIdentity = { project, stack: set.stack.name, ...(opts.environment ? { env: opts.environment.name } : {}) };
  const inventory = new InventoryStore(store, project, set.stack.name, who.env);
  // Read at most once here, whoever asks first (with a gs:// state each read is a call).
  let stored: Promise<Inventory> | undefined = kept ? Promise.resolve(kept.inventory) : undefined;
  const storedInventory = () => (stored ??= inventory.load());
  // References to resources the set does not include must be the stack's: in its inventory.
  const known = set.outside.length > 0 ? await storedInventory() : undefined;
  const checkOutside = () => {
    if (!known) return;
    set.diagnostics.push(...unresolvedOutside(set, known, inventory.describe()));
    if (hasErrors(set.diagnostics)) throw new InvalidManifestsError(set);
  };
  checkOutside();
  await checkTargetsFirst(set, storedInventory, opts.targeting);
  const withNumber = (number: string): void => {
    const again = load({ PROJECT_NUMBER: number });
    if (hasErrors(again.diagnostics)) throw new InvalidManifestsError(again);
    nameTheStack(again, opts);
    set = again;
    checkOutside();
  };
  // A project's number never changes, and its id is never used again: the number the inventory
  // recorded at the last apply is the project's. It is still checked, but in the same round as the
  // plan's reads (observeAndPlan) rather than one round before them.
  // https://cloud.google.com/resource-manager/docs/creating-managing-projects#identifying_projects
  let projectNumber: string | undefined;
  let numberToCheck: string | undefined;
  if (set.variablesUsed.includes('PROJECT_NUMBER') && !opts.variables.PROJECT_NUMBER) {
    numberToCheck = loadedWith ?? recordedNumber(await storedInventory());
    if (loadedWith) {
      projectNumber = loadedWith;
    } else if (numberToCheck) {
      try {
        withNumber(numberToCheck);
        projectNumber = numberToCheck;
      } catch (err) {
        // Invalid with the recorded number, perhaps for it: Resource Manager's decides.
        if (!(err instanceof InvalidManifestsError)) throw err;
        opts.log.warn(
          `the inventory ${inventory.describe()} records project number ${numberToCheck}, with which the manifests are not valid: asking Resource Manager`,
        );
        numberToCheck = undefined;
      }
    }
    if (!projectNumber) {
      const asked = ctxBase.projectNumber();
      // While Resource Manager answers: the clients the plan's reads need next.
      clients.preload(clientsOf(set.resources, opts.controllers)).catch(() => undefined);
      projectNumber = await asked;
      withNumber(projectNumber);
    }
  }
  const { controllers } = opts;
  const assemble = () => {
    const outside = known ? outsideEntries(set, known) : new Map<string, InventoryEntry>();
    addImplicitDependencies(set.resources, (kind) => controllers.get(kind)?.facts.requiresApi);
    const byKey = new Map(set.resources.map((r) => [r.key, r]));
    nameTheStack(set, opts); // before anything reads the stack's name (labels, the plan, the state's keys)
    const ctx: ControllerContext = {
      ...ctxBase,
      stack: set.stack.name,
      resource: (kind, name) => byKey.get(`${kind}/${name}`),
      imageDigests: new Map(),
      controller: (kind) => controllerFor(controllers, kind),
      outside: (kind, name) => {
        const e = outside.get(`${kind}/${name}`);
        return e ? { id: e.id, outputs: e.outputs ?? {} } : undefined;
      },
    };
    return { set, ctx, outside };
  };
  const session: Session = {
    ...assemble(),
    controllers,
    store,
    inventory,
    who,
    ...(paths !== opts.paths ? { stackBeside: beside } : {}),
    ...(projectNumber ? { projectNumber } : {}),
    ...(numberToCheck ? { numberToCheck } : {}),
    renumber: (number) => {
      withNumber(number);
      Object.assign(session, assemble(), { projectNumber: number, numberToCheck: undefined });
    },
    close: async () => (opts.clients ? undefined : clients.close()),
  };
  return session;
}

/**
 * A --target or --exclude that names nothing is an error before the first call to Google (the
 * project number, then the observation). The manifests' keys are final here unless a resource's
 * name uses ${PROJECT_NUMBER} (loaded with a stand-in so far): then observeAndPlan checks later. The
 * inventory is read only for a key the manifests do not have (an orphan may be targeted).
 */
async function checkTargetsFirst(set: ManifestSet, storedInventory: () => Promise<Inventory>, t: Targeting | undefined): Promise<void> {
  if (!t || t.targets.length + t.excludes.length === 0) return;
  if (set.resources.some((r) => r.nameTemplate?.includes('PROJECT_NUMBER'))) return;
  const named = set.resources.map((r) => r.key);
  if ([...t.targets, ...t.excludes].every((k) => named.includes(k))) return;
  const entries = (await storedInventory()).entries.map(entryKey);
  checkTargets(t, [...new Set([...named, ...entries])].sort());
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

/** The clients the kinds of these resources call (KindFacts.clients), for ClientFactory.preload. */
function clientsOf(resources: Resource[], controllers: ControllerRegistry): ClientName[] {
  return [...new Set(resources.flatMap((r) => controllers.get(r.kind)?.facts.clients ?? []))];
}

/**
 * The inventory's number is not the project's (the inventory was edited, or copied from another
 * project's state): the manifests are loaded again with Resource Manager's, to be read again.
 */
function renumberWith(session: Session, projectNumber: string): void {
  session.ctx.log.warn(
    `the inventory ${session.inventory.describe()} records project number ${session.numberToCheck}, but Resource Manager says ${projectNumber}: planned with ${projectNumber} (the next apply records it; warnings above name resources with the recorded number)`,
  );
  try {
    session.renumber(projectNumber);
  } catch (err) {
    if (!(err instanceof InvalidManifestsError)) throw err;
    // Valid with the recorded number, not with the project's: known only now, after the reads.
    const errors = err.set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    throw new UserError(
      `with the project's number ${projectNumber} (the inventory recorded ${session.numberToCheck}), the manifests are not valid:\n${errors.join('\n')}`,
      'Fix the manifests and run again: only reads were sent to Google Cloud, nothing was written.',
    );
  }
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
  const targeting = { targets: options.targets ?? [], excludes: options.excludes ?? [] };
  let selection: ReturnType<typeof selectForPlan>;
  try {
    selection = selectForPlan(set.resources, targeting, inventory, {
      hasStackDocument: Boolean(set.stack.document),
      outside: [...session.outside.keys()],
      stackBeside: session.stackBeside,
    });
  } catch (err) {
    // The set was loaded with the inventory's number, not yet checked: a --target or --exclude
    // may name a resource as the project's real number names it. That number decides (one call)
    // before the key is refused.
    if (!(err instanceof UserError) || !session.numberToCheck) throw err;
    const real = await ctx.projectNumber();
    if (real === session.numberToCheck) throw err;
    renumberWith(session, real);
    return observeAndPlan(session, options);
  }
  // One round of reads: what controllers prepare (image digests) and what observe lists.
  const [, observed, projectNumber] = await Promise.all([
    Promise.all(
      [...controllers.values()].filter(isPreparing).map((c) =>
        c.prepare(
          ctx,
          selection.resources.filter((r) => r.kind === c.kind),
        ),
      ),
    ),
    observeAll(set.resources, controllers, ctx, inventory.entries),
    session.numberToCheck ? ctx.projectNumber() : undefined,
  ]);
  if (projectNumber !== undefined && projectNumber !== session.numberToCheck) {
    renumberWith(session, projectNumber);
    return observeAndPlan(session, options);
  }
  session.numberToCheck = undefined;
  const gone = observeOutside(observed, session.outside);
  if (gone.length > 0) {
    throw new UserError(
      `${gone.join(', ')}: referenced by these manifests, recorded in the stack's inventory, but no longer in Google Cloud`,
      'Include their manifests in -f, so that apply creates them again.',
    );
  }
  const claims = async () => {
    const found = new Map<string, string>();
    for (const other of await session.inventory.others())
      for (const e of other.entries)
        if (!e.pending) found.set(`${e.kind}|${e.id}`, other.environment ? `${other.stack} (environment ${other.environment})` : other.stack);
    return found;
  };
  const partial = selection.partial ? { named: selection.named, orphanScope: selection.orphanScope, run: selection.partial } : undefined;
  const exec = await buildPlan({
    resources: selection.resources,
    observed,
    controllers,
    ctx,
    inventory,
    inventoryAt: session.inventory.describe(),
    claims,
    options,
    ...(partial ? { partial } : {}),
  });
  return { observed, exec, inventory };
}
