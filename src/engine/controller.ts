// The contract every kind's controller fulfils (after Crossplane's ExternalClient): observe never
// changes anything; create, update and delete are idempotent (a create that finds the resource
// already there is not an error, a delete of a missing resource is done). Controllers are the only
// code that knows an API's field names.

import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory } from '../gcp/clients.js';
import type { Logger } from '../log.js';
import type { Resource } from '../manifest/index.js';

/** A value only known once another resource exists, e.g. a new service's URL. */
export interface Unknown {
  $unknown: string;
}
export const unknown = (what: string): Unknown => ({ $unknown: what });
export const isUnknown = (v: unknown): v is Unknown => typeof v === 'object' && v !== null && '$unknown' in v;

/**
 * A secret value in a spec. The value itself stays in `reveal()` (a closure, so neither
 * JSON.stringify nor a logger can print it); plans and reports only ever say it is sensitive.
 */
export interface Sensitive {
  $sensitive: true;
  /** Compares without revealing; used by the diff. */
  equals(other: Sensitive): boolean;
  reveal(): Buffer;
  toJSON(): string;
}

export const SENSITIVE_TEXT = '(sensitive value)';

export function sensitive(value: Buffer): Sensitive {
  const copy = Buffer.from(value);
  return {
    $sensitive: true,
    equals: (other) => other.reveal().equals(copy),
    reveal: () => Buffer.from(copy),
    toJSON: () => SENSITIVE_TEXT,
  };
}

export const isSensitive = (v: unknown): v is Sensitive => typeof v === 'object' && v !== null && (v as { $sensitive?: unknown }).$sensitive === true;

/** An IAM policy as every API returns it (etag kept opaque). */
export interface IamPolicy {
  version?: number;
  etag?: unknown;
  bindings: Array<{ role: string; members: string[]; condition?: unknown }>;
}

/** Read and write the IAM policy of a kind's resources (for IAMPolicyMember). */
export interface IamPolicyAccess {
  /** The policy of the resource with this Google id; an empty policy when the resource does not exist yet. */
  get(ctx: ControllerContext, id: string): Promise<IamPolicy>;
  /** Writes it back; rejects with a concurrent-change error (409 ABORTED / 412) when the etag is stale. */
  set(ctx: ControllerContext, id: string, policy: IamPolicy): Promise<IamPolicy>;
}

/** One member of a batched write (see Controller.applyBatch). */
export interface BatchItem {
  action: 'create' | 'update' | 'delete';
  resource?: Resource;
  desired?: Record<string, any>;
  observed?: Observed;
}

/** A resource as Google has it, in spec form (the manifest's shape), plus what came back raw. */
export interface Observed {
  /** Google's full resource name. */
  id: string;
  spec: Record<string, any>;
  labels: Record<string, string>;
  outputs: Record<string, string>;
  /** The API's own representation, for read-modify-write updates. */
  raw: unknown;
}

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
  /** Container images resolved to digests before planning (see Controller.prepare); undefined: not found. */
  imageDigests: Map<string, string | undefined>;
  /** The controller of a kind. */
  controller(kind: string): Controller;
}

/** Outputs of other resources: known values, or Unknown when they are created in this apply. */
export type OutputLookup = (kind: string, name: string, output: string) => string | Unknown;

export interface Controller {
  kind: string;
  /** Reads what desired() needs beyond the manifests, before planning (a tag's current digest). */
  prepare?(ctx: ControllerContext, resources: Resource[]): Promise<void>;
  /** Where the kind is listed: one list call per scope (e.g. projects/P/locations/L). */
  scope(r: Resource, ctx: ControllerContext): string;
  /** Google's full resource name. */
  id(r: Resource, ctx: ControllerContext): string;
  /** Reads every resource of this kind in `scope` (by list where the API allows), keyed by id. */
  observe(ctx: ControllerContext, scope: string): Promise<Map<string, Observed>>;
  /**
   * The desired state in spec form, as written (not normalized), as it will compare with
   * observe()'s: references resolved (outputs may still be Unknown) and Google's computed
   * defaults filled in. create/update receive this.
   */
  desired(r: Resource, ctx: ControllerContext, outputs: OutputLookup): Record<string, any>;
  /** Outputs known before the resource exists (a service account's email), if any. */
  predictOutputs(r: Resource, ctx: ControllerContext): Record<string, string>;
  /** Brings a copy of a spec into canonical form, only for comparison ("1" = "1000m", "60s" = 60). */
  normalize(spec: Record<string, any>): Record<string, any>;
  create(ctx: ControllerContext, r: Resource, desired: Record<string, any>, labels: Record<string, string>): Promise<Observed>;
  update(ctx: ControllerContext, r: Resource, desired: Record<string, any>, labels: Record<string, string>, actual: Observed): Promise<Observed>;
  /** Deletes; with `force`, also what the resource holds (a bucket's objects). */
  delete(ctx: ControllerContext, actual: Observed, opts?: { force?: boolean }): Promise<void>;
  /** Whether the kind carries labels (ownership is marked by labels where it can be). */
  hasLabels: boolean;
  /** Replaces the labels of an existing resource (to drop ownership when abandoning it). */
  setLabels?(ctx: ControllerContext, actual: Observed, labels: Record<string, string>): Promise<void>;
  /**
   * A grant or an enabled API is shared state rather than a thing with one owner: one that exists
   * already needs no adoption, and only one this stack created is removed when its manifest goes.
   */
  sharedIdentity?: boolean;
  /** What prune and replacement do by default: Buckets and Secrets hold data and are abandoned. */
  defaultDeletionPolicy?: 'delete' | 'abandon';
  /** The manifest name of an observed resource, when it is not the last segment of its id. */
  nameOf?(observed: Observed): string;
  /**
   * For export: the observed spec as a person writes it (durations as "60s", references by name
   * to resources that are exported too, computed defaults left out).
   */
  toManifestSpec?(observed: Observed, ctx: ControllerContext, exported: (kind: string, name: string) => boolean): Record<string, any>;
  /** How much data the resource holds (a bucket's objects), shown before deleting or replacing it. */
  dataHeld?(ctx: ControllerContext, actual: Observed): Promise<{ count: number; more: boolean; noun: string } | undefined>;
  /** The Google API this kind needs enabled; resources wait for a ProjectService of it. */
  requiresApi?: string;
  /** How the kind's resources' IAM policies are read and written, if they have one. */
  iamPolicy?: IamPolicyAccess;
  /** Things a reviewer should know about this resource, found while planning (observed: what Google has now). */
  planWarnings?(r: Resource, ctx: ControllerContext, observed?: Observed): string[];
  /**
   * Why creating or updating this resource must wait (a Cloud Run service reading a secret that has
   * no value): the plan marks the action blocked, so nothing is half-applied. Asked only for actions
   * that change something.
   */
  planBlocker?(r: Resource, ctx: ControllerContext, observedOf: (key: string) => Observed | undefined): Promise<string | undefined>;
  /**
   * Kinds whose changes are written together (IAM members of one policy: one read-modify-write)
   * group their actions by this key; apply runs each group once all its actions are ready.
   */
  batchKey?(r: Resource | undefined, observed: Observed | undefined, ctx: ControllerContext): string;
  applyBatch?(ctx: ControllerContext, items: BatchItem[]): Promise<Map<BatchItem, Observed | undefined>>;
}
