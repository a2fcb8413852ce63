// The contract between the engine and a kind's controller: a small core every kind fulfils, plus
// capabilities a kind has or has not (labels, an IAM policy, batched writes, export, data it holds),
// each its own interface. The engine asks for a capability with the guards below; it never names an
// API field. Controllers are the only code that knows an API's field names, and they import only
// this directory (src/contract/) and the Google plumbing (src/gcp/).
import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory, ClientName } from '../gcp/clients.js';
import type { QuotaKey } from '../gcp/rate-limit.js';
import type { Logger } from '../log.js';
import type { Resource } from '../manifest/index.js';
import type { Unknown } from './spec.js';

export type Spec = Record<string, any>;

/** A resource as Google has it, in spec form (the manifest's shape), plus what came back raw. */
export interface Observed {
  /** Google's full resource name. */
  id: string;
  spec: Spec;
  labels: Record<string, string>;
  outputs: Record<string, string>;
  /**
   * What tells this resource apart from another of the same name made later (Cloud Run's uid, a
   * service account's uniqueId, a bucket's or secret's creation time). Recorded in the inventory
   * when the stack creates the resource; prune deletes only a resource that still matches it.
   */
  evidence?: Record<string, string>;
  /** The API's own representation, for read-modify-write updates. */
  raw: unknown;
}

/** What a controller may use: the target's clients, the rate-limited caller, logs, the stack. */
export interface ControllerContext {
  project: string;
  /** The project number (fetched once, only if a controller needs it). */
  projectNumber(): Promise<string>;
  stack: string;
  clients: ClientFactory;
  api: ApiCaller;
  log: Logger;
  /** Milliseconds to wait on a new service account until Google shows it consistently. */
  consistencyTimeoutMs: number;
  /** Another manifest of the stack, by kind and name. */
  resource(kind: string, name: string): Resource | undefined;
  /** Container images resolved to digests before planning (see Preparing); undefined: not found. */
  imageDigests: Map<string, string | undefined>;
  /** The controller of another kind. */
  controller(kind: string): AnyController;
  /**
   * A resource of the stack that this manifest set references but does not include (one file of
   * a stack, `-f backend.yaml`), as the inventory recorded it: its Google id and outputs.
   */
  outside?(kind: string, name: string): { id: string; outputs: Record<string, string> } | undefined;
  /** Set while apply runs: whether this apply created the resource of `kind` with Google id `id` (so far). */
  createdHere?(kind: string, id: string): boolean;
  /** Set while observe runs (engine/observe.ts): what the observation knows so far. */
  observing?: Observation;
}

/** What an observation in progress knows, for reads about one resource that need it to exist. */
export interface Observation {
  /**
   * Whether the resource of `kind` with Google id `id` exists: `true` at once when the stack's
   * inventory records it (a read about it can go with the lists, in the same round), otherwise a
   * promise of whether its kind's list shows it; `true` for what is not the stack's (nothing here
   * tells, so the read itself answers).
   */
  exists(kind: string, id: string): true | Promise<boolean>;
  /** The stack's manifests of a kind. */
  resources(kind: string): Resource[];
}

/** Outputs of other resources: known values, or Unknown when they are created in this apply. */
export type OutputLookup = (kind: string, name: string, output: string) => string | Unknown;

/** Facts about a kind that the engine, reports, export and the benchmarks read; declared once, here. */
export interface KindFacts {
  /** The Google API this kind needs enabled; resources wait for a ProjectService of it. */
  requiresApi?: string;
  /** What prune and replacement do by default: kinds that hold data are abandoned. */
  deletionPolicy: 'delete' | 'abandon';
  /**
   * A grant or an enabled API is shared state rather than a thing with one owner: one that exists
   * already needs no adoption, and only one this stack created is removed when its manifest goes.
   */
  sharedIdentity?: boolean;
  /**
   * Removing it affects the whole project, not only this stack (disabling run.googleapis.com takes
   * down every Cloud Run service in the project): `musectl destroy` leaves it in place, whatever
   * its deletion policy, unless asked with --disable-apis.
   */
  projectWide?: boolean;
  /**
   * The quotas its calls count against: its list (read), its updates (write), and its creates and
   * deletes where Google limits them apart (Cloud Storage buckets). Undefined for a kind that is
   * not an API of its own (a grant is written through its resource's API).
   */
  quotas?: { read: QuotaKey; write: QuotaKey; createDelete?: QuotaKey };
  /**
   * A resource of this kind that was just created has no IAM policy set: Google's getIamPolicy
   * "Returns an empty policy if the resource exists and does not have a policy set" (e.g.
   * https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/getIamPolicy),
   * and creating one sets none. So the first policy write after this apply's create starts from
   * the empty policy without reading it. Not so for a bucket: Google fills a new bucket's policy
   * with the project's convenience bindings.
   */
  newPolicyEmpty?: boolean;
  /**
   * The clients its reads use (ClientFactory getters): made ahead, while the first plan of a stack
   * waits for the project number (ClientFactory.preload). One left out is made on first use.
   */
  clients?: ClientName[];
  /** Items per page of its list call (observe): the benchmarks' ideal call count reads this. */
  pageSize?: number;
  /** Create, update and delete are long-running operations (waited on). */
  longRunning?: boolean;
  /** How the kind says a resource of it is absent, where "missing" would mislead (an API is "disabled"). */
  absentAs?: string;
  /**
   * Where export lists the kind: project-wide, per region, or in the resources export writes (a
   * grant, in their IAM policies: Exportable.exportScopes); undefined: not exported.
   */
  exportScope?: 'project' | 'region' | 'exported';
  /**
   * The outputs (of Observed.outputs, declared in the schema's x-musectl-outputs) a person needs
   * after an apply: a service's URL, an account's email. The Outputs: block, `musectl output` and
   * `musectl status` show these; the JSON forms carry every output.
   */
  shownOutputs?: string[];
}

/**
 * The core every kind fulfils (after Crossplane's ExternalClient and Config Connector's direct
 * adapters): how a manifest names a Google resource, what it wants, and four calls.
 */
export interface Controller {
  readonly kind: string;
  readonly facts: KindFacts;

  /**
   * Google's full resource name of a manifest (its identity: when it changes, the resource is
   * replaced) and the scope it is listed in (projects/P, projects/P/locations/L). No calls.
   */
  identify(r: Resource, ctx: ControllerContext): { id: string; scope: string };

  /**
   * The desired state in spec form, as written (not normalized), as it will compare with
   * observe()'s: references resolved (outputs may still be Unknown) and Google's computed defaults
   * filled in. create and update receive this. No calls.
   */
  desired(r: Resource, ctx: ControllerContext, outputs: OutputLookup): Spec;

  /**
   * Promise: reads every resource of this kind in `scope` (by list where the API allows, one call
   * per page), keyed by Google id, in spec form. Never writes.
   */
  observe(ctx: ControllerContext, scope: string): Promise<Map<string, Observed>>;

  /**
   * Promise: the resource exists as `desired` with `labels` when it resolves, operations waited
   * on, and the answer is what Google now holds. When it exists already, rejects with Google's
   * already-exists error (409) untouched: the engine decides whether it may take it over.
   */
  create(ctx: ControllerContext, r: Resource, desired: Spec, labels: Record<string, string>): Promise<Observed>;

  /**
   * Promise: `actual` now matches `desired` and `labels`, written as a read-modify-write on what
   * Google returned (fields musectl does not manage survive), guarded by its etag or generation
   * where the API has one. Resolves with what Google now holds.
   */
  update(ctx: ControllerContext, r: Resource, desired: Spec, labels: Record<string, string>, actual: Observed): Promise<Observed>;

  /**
   * Promise: the resource is gone when it resolves (operations waited on); one already missing is
   * deleted. With `force`, what it holds goes too (a bucket's objects); without, Google's refusal
   * of a non-empty resource is passed on.
   */
  delete(ctx: ControllerContext, actual: Observed, opts?: { force?: boolean }): Promise<void>;

  /** Outputs known before the resource exists (a service account's email). Default: none. */
  predictOutputs?(r: Resource, ctx: ControllerContext): Record<string, string>;

  /** Brings a copy of a spec into canonical form, only for comparison ("1" = "1000m"). Default: as is. */
  normalize?(spec: Spec): Spec;
}

// --- capabilities -------------------------------------------------------------------------------

/** Kinds whose resources carry labels: ownership is marked on them too. */
export interface Labelled {
  /** Replaces the labels of an existing resource (to drop ownership when abandoning it). */
  setLabels(ctx: ControllerContext, actual: Observed, labels: Record<string, string>): Promise<void>;
}

/** An IAM policy as every API returns it (etag kept opaque). */
export interface IamPolicy {
  version?: number;
  etag?: unknown;
  bindings: Array<{ role: string; members: string[]; condition?: unknown }>;
}

/** Kinds whose resources have an IAM policy: IAMPolicyMember can name them as its resource. */
export interface IamPolicyHolder {
  iamPolicy: {
    /** The policy of the resource with this Google id; an empty policy when it does not exist yet. */
    get(ctx: ControllerContext, id: string): Promise<IamPolicy>;
    /** Writes it back; rejects with a concurrent-change error (409 ABORTED / 412) when the etag is stale. */
    set(ctx: ControllerContext, id: string, policy: IamPolicy): Promise<IamPolicy>;
    /**
     * Whether Google puts this grant in every new resource's policy by itself (a bucket's project
     * convenience values): not the stack's to write, so export leaves it out. Default: none is.
     */
    isInitialGrant?(role: string, member: string): boolean;
  };
}
export type IamPolicyAccess = IamPolicyHolder['iamPolicy'];

/** One member of a batched write. */
export interface BatchItem {
  action: 'create' | 'update' | 'delete';
  resource?: Resource;
  desired?: Spec;
  observed?: Observed;
  /** For a create that replaces another resource (a grant whose member changed): the old one, removed in the same write. */
  replaces?: Observed;
}

/**
 * Kinds whose changes are written together (IAM members of one policy: one read-modify-write).
 * Apply groups their actions by key and runs each group once all its actions are ready.
 */
export interface Batched {
  batchKey(r: Resource | undefined, observed: Observed | undefined, ctx: ControllerContext): string;
  /** Promise: every item is done when it resolves; the map holds what Google now has (undefined: deleted). */
  applyBatch(ctx: ControllerContext, items: BatchItem[]): Promise<Map<BatchItem, Observed | undefined>>;
}

/** What export knows of the resources it writes, for references between them. */
export interface ExportIndex {
  /** Whether the resource of this kind and manifest name is exported too (so a reference may name it). */
  has(kind: string, name: string): boolean;
  /** The manifest name of the exported resource of this kind with this Google id. */
  nameOf(kind: string, id: string): string | undefined;
  /** The manifest name of the exported resource of this kind with this output (a service account's member). */
  withOutput(kind: string, output: string, value: string): string | undefined;
}

/** Kinds export can write manifests for (with KindFacts.exportScope). */
export interface Exportable {
  /**
   * The observed spec as a person writes it (durations as "60s", references by name to resources
   * that are exported too, computed defaults left out).
   */
  toManifestSpec(observed: Observed, ctx: ControllerContext, exported: ExportIndex): Spec;
  /** The manifest name of an observed resource, when it is not the last segment of its id. */
  nameOf?(observed: Observed, exported: ExportIndex): string;
  /**
   * Whether export writes it: not what Google made by itself or holds for everyone (an API every
   * new project has on, a grant of the project to an account export does not write). Default: yes.
   */
  exportable?(observed: Observed, ctx: ControllerContext, exported: ExportIndex): boolean;
  /** For exportScope 'exported': the scopes to observe, given the resources export writes (their kinds and ids). */
  exportScopes?(ctx: ControllerContext, exported: Array<{ kind: string; id: string }>): string[];
}

/** Kinds whose resources hold data (a bucket's objects): shown before deleting or replacing. */
export interface HoldsData {
  dataHeld(ctx: ControllerContext, actual: Observed): Promise<{ count: number; more: boolean; noun: string } | undefined>;
}

/** Kinds that read something beyond the manifests before planning (a tag's current digest). */
export interface Preparing {
  prepare(ctx: ControllerContext, resources: Resource[]): Promise<void>;
}

/** Kinds that have things a reviewer should know about a resource, found while planning. */
export interface Warns {
  /** `observed`: what Google has now, when the resource exists (a degraded Cloud Run service). */
  planWarnings(r: Resource, ctx: ControllerContext, observed?: Observed): string[];
}

/**
 * Kinds whose create or update must wait for something that is not there yet (a Cloud Run service
 * reading a secret that has no value): the plan marks that action blocked, so nothing is
 * half-applied. Asked only for actions that change something; may read (a secret's versions).
 */
export interface Blocks {
  planBlocker(r: Resource, ctx: ControllerContext, observedOf: (key: string) => Observed | undefined): Promise<string | undefined>;
}

/**
 * Kinds whose resources live inside other resources (a grant lives in a policy of one resource and
 * names another as its member): when one of those is replaced, this one is gone too and is created
 * again in the same plan.
 */
export interface Contained {
  /** Keys ("Kind/name") of the stack's resources whose replacement takes this one with it. */
  containedIn(r: Resource, ctx: ControllerContext): string[];
}

/** What `musectl status` shows of a live resource beyond its drift. */
export interface ResourceHealth {
  /** ready: serving as asked; degraded: Google says it is not (a revision that failed); progressing: a change is rolling out. */
  state: 'ready' | 'degraded' | 'progressing';
  /** Why it is degraded or what is in progress, in Google's words. */
  message?: string;
  /** The revision that serves (Cloud Run: the latest ready revision, by its short id). */
  revision?: string;
  /** Where requests go (Cloud Run's traffic statuses): revision short ids and percents. */
  traffic?: Array<{ revision: string; percent: number; tag?: string }>;
  /** When it last changed (ISO 8601) and by whom, where the API says. */
  changedAt?: string;
  changedBy?: string;
}

/** Kinds that can tell from what observe returned (no call) how a resource is doing. */
export interface ReportsHealth {
  health(actual: Observed): ResourceHealth;
}

/** Kinds whose resources are IAM grants: reports show who gets which role on what. */
export interface Grants {
  /** The grant a Google id of this kind stands for. */
  grantOf(id: string): { role: string; member: string; resourceKind: string; resource: string };
}

export type AnyController = Controller &
  Partial<Labelled & IamPolicyHolder & Batched & Exportable & HoldsData & Preparing & Warns & Blocks & Contained & Grants & ReportsHealth>;

export const isLabelled = (c: AnyController): c is Controller & Labelled => typeof c.setLabels === 'function';
export const holdsIamPolicy = (c: AnyController): c is Controller & IamPolicyHolder => c.iamPolicy !== undefined;
export const isBatched = (c: AnyController): c is Controller & Batched => typeof c.applyBatch === 'function' && typeof c.batchKey === 'function';
export const isExportable = (c: AnyController): c is Controller & Exportable => typeof c.toManifestSpec === 'function';
export const holdsData = (c: AnyController): c is Controller & HoldsData => typeof c.dataHeld === 'function';
export const isPreparing = (c: AnyController): c is Controller & Preparing => typeof c.prepare === 'function';
export const isGrant = (c: AnyController): c is Controller & Grants => typeof c.grantOf === 'function';
export const isContained = (c: AnyController): c is Controller & Contained => typeof c.containedIn === 'function';
export const reportsHealth = (c: AnyController): c is Controller & ReportsHealth => typeof c.health === 'function';

/** The registered controllers, by kind: what the CLI assembles and hands to the engine. */
export type ControllerRegistry = ReadonlyMap<string, AnyController>;

export function controllerFor(controllers: ControllerRegistry, kind: string): AnyController {
  const c = controllers.get(kind);
  if (!c) throw new Error(`no controller for kind ${kind}`);
  return c;
}

export const idOf = (c: Controller, r: Resource, ctx: ControllerContext): string => c.identify(r, ctx).id;
export const scopeOf = (c: Controller, r: Resource, ctx: ControllerContext): string => c.identify(r, ctx).scope;
export const normalized = (c: Controller, spec: Spec): Spec => (c.normalize ? c.normalize(spec) : spec);
export const predictedOutputs = (c: Controller, r: Resource, ctx: ControllerContext): Record<string, string> => c.predictOutputs?.(r, ctx) ?? {};

/** Which kinds have which capability, for the manifest checks of fields whose value is a kind. */
export function kindCatalog(controllers: ControllerRegistry): Record<string, string[]> {
  return { iamPolicy: [...controllers.values()].filter(holdsIamPolicy).map((c) => c.kind) };
}
