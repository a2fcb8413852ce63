// Shared by the Cloud Run Admin API v2 modules (services, revisions, jobs, executions, operations,
// IAM): request scope and quota, Google's not-found wording, and spec comparison helpers.
import { randomUUID } from 'node:crypto';
import { codecFor } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { ApiError, aborted, badRequest, notFound } from '../errors.js';
import { type ApiOperations, renderOperation, type StoredOperation } from '../operations.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { CLOUD_RUN_REGIONS } from './run-urls.js';

export const RUN = 'google.cloud.run.v2';

/** Cloud Run's own long-running operations (services, jobs and executions share them). */
export const runOperations = (emu: Emulator): ApiOperations => emu.operations.forApi('run.googleapis.com');

/** The principal the emulator records as creator / lastModifier (the project owner of resource-manager.ts). */
export const CALLER = 'owner@example.com';

export interface RunScope {
  /** The project as the caller wrote it (Google echoes it in error messages). */
  requested: string;
  projectId: string;
  projectNumber: string;
  location: string;
  /** projects/PROJECT_ID/locations/LOCATION: the parent of stored resources and operations. */
  parent: string;
}

/**
 * Resolves the project and region of a request and charges the per-project+region quota. A region
 * Cloud Run does not serve (a typo such as asia-northest1) is refused before anything else. [G]
 * wording, as Google's location-aware APIs answer it ("Location 'us-central' is not a valid
 * location. Use ListLocations to list valid locations.", Cloud Tasks).
 */
export function runScope(req: EmuRequest, metric: 'run.read' | 'run.write'): RunScope {
  const p = req.emu.projects.resolve(req.params.project);
  const location = req.params.location;
  if (!CLOUD_RUN_REGIONS.has(location)) {
    const message = `Location '${location}' is not a valid location. Use ListLocations to list valid locations.`;
    throw new ApiError(400, message, 'INVALID_ARGUMENT', [badRequest('parent', message)]);
  }
  req.emu.quota.charge(metric, `${p.projectId}/${location}`, p.projectNumber);
  return {
    requested: req.params.project,
    projectId: p.projectId,
    projectNumber: p.projectNumber,
    location,
    parent: `projects/${p.projectId}/locations/${location}`,
  };
}

export type RunKind = 'SERVICE' | 'JOB' | 'EXECUTION' | 'REVISION';

/** 404 exactly as Cloud Run words it (gcp-api-facts.md §1). */
export function runNotFound(kind: RunKind, id: string, scope: RunScope): ApiError {
  return notFound(`Resource '${id}' of kind '${kind}' in region '${scope.location}' in project '${scope.requested}' does not exist.`);
}

/** Fields of a message a caller may set: everything but OUTPUT_ONLY fields, the name and the etag. */
export function specFields(typeName: string): string[] {
  return codecFor(typeName)
    .type(typeName)
    .fieldsArray.filter((f) => f.options?.['(google.api.field_behavior)'] !== 'OUTPUT_ONLY' && f.name !== 'name' && f.name !== 'etag')
    .map((f) => f.name);
}

/** Keeps the fields of `obj` that `typeName` declares (drops emulator-internal extras before encoding). */
export function pickFields(
  typeName: string,
  obj: Record<string, any>,
  fields = codecFor(typeName)
    .type(typeName)
    .fieldsArray.map((f) => f.name),
): Record<string, any> {
  const out: Record<string, any> = {};
  for (const f of fields) if (obj[f] !== undefined) out[f] = structuredClone(obj[f]);
  return out;
}

/** JSON with sorted keys, empty containers and default scalars dropped: two specs that encode alike compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(prune(value)) ?? 'null';
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? value.map(prune) : undefined;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => [k, prune((value as Record<string, unknown>)[k])] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  if (value === false || value === '' || value === 0 || value === null) return undefined;
  return value;
}

export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** "1000m" -> 1, "0.5" -> 0.5, "2" -> 2 (Kubernetes CPU quantities). NaN when unparsable. */
export function cpuQuantity(value: string | undefined): number {
  if (value === undefined) return NaN;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(value.trim());
  if (!m) return NaN;
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

/** Seconds of a proto3 JSON Duration ("300s", "1.5s"). */
export function durationSeconds(value: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(value ?? '');
  return m ? Number(m[1]) : NaN;
}

/** Whether a request flag in the query string is on (gax sends `validateOnly=true`). */
export const queryFlag = (req: EmuRequest, name: string): boolean => {
  const v = req.query.get(name);
  return v === 'true' || v === '1';
};

/** AIP-154: an etag that is not the current one aborts the call (409 ABORTED). [G] wording */
export function checkEtag(sent: string | undefined | null, current: string, id: string): void {
  const bare = (e: string) => e.replace(/^W\//, '').replace(/^"|"$/g, '');
  if (sent && bare(sent) !== bare(current)) {
    throw aborted(`The etag "${sent}" does not match the current etag of resource '${id}'. Read the resource again and retry.`);
  }
}

/** The identity and bookkeeping fields of the next generation of a service or job (`previous` is the current resource, or {}). */
export function nextGeneration(previous: Record<string, any>, now: string): Record<string, any> {
  return {
    uid: previous.uid ?? randomUUID(),
    generation: String(Number(previous.generation ?? 0) + 1),
    createTime: previous.createTime ?? now,
    updateTime: now,
    creator: previous.creator ?? CALLER,
    lastModifier: CALLER,
  };
}

/** Answers a long-running operation, Any fields encoded as the client asked. */
export function answerOperation(req: EmuRequest, op: StoredOperation): EmuResponse {
  return { body: renderOperation(op, req.enumInt) };
}

/** The resources of one collection (services, jobs) under a location, in name order. */
export function childrenOf<T>(all: Record<string, T>, parent: string, collection: string): T[] {
  const prefix = `${parent}/${collection}/`;
  return Object.entries(all)
    .filter(([k]) => k.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, v]) => v);
}

/**
 * Delete as Cloud Run does it for services and jobs: etag checked, validateOnly answered with a
 * done operation, else `remove` takes the resource and what hangs off it (revisions or
 * executions, its policy) and a delete operation answers with the deleted resource.
 */
export function deleteRunResource(
  req: EmuRequest,
  opts: { scope: RunScope; resource: Record<string, any>; id: string; typeUrl: string; hook: string; remove: () => void },
): EmuResponse {
  checkEtag(req.query.get('etag'), opts.resource.etag, opts.id);
  const snapshot = { '@type': opts.typeUrl, ...structuredClone(opts.resource), deleteTime: req.emu.clock.iso() };
  if (queryFlag(req, 'validateOnly')) return answerOperation(req, runOperations(req.emu).done(opts.scope.parent, snapshot, snapshot));
  opts.remove();
  return answerOperation(req, runOperations(req.emu).start(opts.scope.parent, { metadata: snapshot, hook: opts.hook, hookArg: snapshot }));
}
