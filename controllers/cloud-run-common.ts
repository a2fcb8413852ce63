// What Cloud Run services and jobs share: the container and service-account parts of their
// templates, in spec form and back, and how gax hands over enums and durations.

import type { ControllerContext, ExportIndex, Observed, OutputLookup } from '../src/contract/controller.js';
import { cpuMillis, durationSeconds, mapPath, memoryBytes } from '../src/contract/normalize.js';
import type { Resource } from '../src/manifest/index.js';
import { hasEnabledVersion, readValue, valueHint } from './secret.js';
import { emailOf } from './service-account.js';

type Container = import('@google-cloud/run').protos.google.cloud.run.v2.IContainer;

/** How the spec form writes "no service account set: the Compute Engine default one". */
export const DEFAULT_SERVICE_ACCOUNT = '(Compute Engine default service account)';

export const locationOf = (id: string): string => id.split('/')[3];

export function serviceAccountSpec(email: string | null | undefined, project: string): Record<string, unknown> {
  if (!email || /^\d+-compute@developer\.gserviceaccount\.com$/.test(email)) return { serviceAccount: DEFAULT_SERVICE_ACCOUNT };
  const suffix = `@${project}.iam.gserviceaccount.com`;
  return email.endsWith(suffix) ? { serviceAccountRef: { name: email.slice(0, -suffix.length) } } : { serviceAccount: email };
}

export const secretName = (secret: string): string => secret.replace(/^projects\/[^/]+\/secrets\//, '');

export function containerSpec(c: Container): Record<string, any> {
  const limits = { ...(c.resources?.limits ?? {}) };
  return {
    ...(c.name ? { name: c.name } : {}),
    image: c.image ?? '',
    command: c.command ?? [],
    args: c.args ?? [],
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    env: (c.env ?? []).map((e) =>
      e.valueSource?.secretKeyRef
        ? {
            name: e.name,
            valueFrom: { secretKeyRef: { name: secretName(e.valueSource.secretKeyRef.secret ?? ''), version: e.valueSource.secretKeyRef.version || 'latest' } },
          }
        : { name: e.name, value: e.value ?? '' },
    ),
    resources: { limits, cpuIdle: Boolean(c.resources?.cpuIdle), startupCpuBoost: Boolean(c.resources?.startupCpuBoost) },
    ports: (c.ports ?? []).map((p) => ({ name: p.name || 'http1', containerPort: p.containerPort ?? 8080 })),
  };
}

export const protoDuration = (seconds: number) => ({ seconds: String(Math.floor(seconds)), nanos: Math.round((seconds % 1) * 1e9) });

/** gax decodes enums to names; an unset one reads as *_UNSPECIFIED. */
export function enumName(v: unknown): string | undefined {
  if (v === undefined || v === null || v === 0) return undefined;
  const s = String(v);
  return /_UNSPECIFIED$/.test(s) || s === 'LAUNCH_STAGE_UNSPECIFIED' ? undefined : s;
}

/**
 * The template's account in the form observe() reads it back, whichever spelling the manifest uses
 * (serviceAccountRef, this project's email, the Compute Engine default's email, or none), so any
 * accepted spelling compares equal to Google's.
 */
export function canonicalServiceAccount(t: Record<string, any>, project: string): void {
  if (t.serviceAccountRef) return;
  const spec = serviceAccountSpec(t.serviceAccount, project);
  delete t.serviceAccount;
  Object.assign(t, spec);
}

/**
 * A template as export writes it: its timeout as "60s", no service account when it runs as the
 * default one, and an account by reference only when that account is exported too.
 */
export function templateForExport(t: Record<string, any>, project: string, exported: ExportIndex): void {
  if (t.timeout !== undefined) {
    const seconds = durationSeconds(t.timeout) as number;
    t.timeout = seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds}s`;
  }
  if (t.serviceAccount === DEFAULT_SERVICE_ACCOUNT) delete t.serviceAccount;
  if (t.serviceAccountRef && !exported.has('ServiceAccount', t.serviceAccountRef.name)) {
    t.serviceAccount = emailOf(t.serviceAccountRef.name, project);
    delete t.serviceAccountRef;
  }
}

/** The API's serviceAccount for a template in spec form ('' for the default account). */
export function serviceAccountEmail(t: Record<string, any>, project: string): string {
  if (t.serviceAccountRef) return emailOf(t.serviceAccountRef.name, project);
  return t.serviceAccount === DEFAULT_SERVICE_ACCOUNT ? '' : t.serviceAccount;
}

/** The API's containers for containers in spec form, onto what Google returned (probes, volumes stay). */
export function containersToApi(containers: Array<Record<string, any>>, base: Container[] = []): Container[] {
  return containers.map((c, i) => ({
    ...(base[i] ?? {}),
    ...(c.name !== undefined ? { name: c.name } : {}),
    image: c.image,
    command: c.command,
    args: c.args,
    ...(c.workingDir !== undefined ? { workingDir: c.workingDir } : {}),
    env: c.env.map((e: Record<string, any>) =>
      e.valueFrom?.secretKeyRef
        ? { name: e.name, valueSource: { secretKeyRef: { secret: e.valueFrom.secretKeyRef.name, version: e.valueFrom.secretKeyRef.version } } }
        : { name: e.name, value: e.value },
    ),
    resources: {
      limits: { ...c.resources.limits, cpu: String(c.resources.limits.cpu) },
      ...(c.resources.cpuIdle !== undefined ? { cpuIdle: c.resources.cpuIdle } : {}),
      ...(c.resources.startupCpuBoost !== undefined ? { startupCpuBoost: c.resources.startupCpuBoost } : {}),
    },
    ...(c.ports ? { ports: c.ports } : {}),
  }));
}

/** A template duration for the API ("60s", 60 or "1m" in a manifest). */
export const apiDuration = (v: unknown) => protoDuration(durationSeconds(v) as number);

/** Env values taken from other resources' outputs become plain values (or Unknown until known). */
export function resolveEnvOutputs(containers: Array<Record<string, any>>, outputs: OutputLookup): void {
  for (const c of containers) {
    c.env = c.env.map((e: Record<string, any>) => {
      const ref = e.valueFrom?.outputRef;
      return ref ? { name: e.name, value: outputs(ref.kind, ref.name, ref.output) } : e;
    });
  }
}

/** Canonical timeout and container limits of a template at `prefix` (template, or template.template for jobs). */
export function normalizeTemplate(spec: Record<string, any>, prefix: string): void {
  mapPath(spec, `${prefix}.timeout`, durationSeconds);
  mapPath(spec, `${prefix}.containers[].resources.limits.cpu`, cpuMillis);
  mapPath(spec, `${prefix}.containers[].resources.limits.memory`, memoryBytes);
}

/**
 * Cloud Run checks every secret a revision reads when it deploys it, and fails the deploy when one
 * has no version ("All secrets used ... are checked ... If any check fails, the service deployment
 * fails", https://cloud.google.com/run/docs/configuring/services/secrets). So a service or job whose
 * env reads a Secret of the stack that has no value, and no version in Secret Manager yet, is not
 * created: the plan says which variable or file to set.
 */
export async function secretWithoutValue(
  ctx: ControllerContext,
  containers: Array<Record<string, any>>,
  observedOf: (key: string) => Observed | undefined,
): Promise<string | undefined> {
  for (const c of containers) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef as { name: string; version?: string } | undefined;
      if (!ref) continue;
      const secret: Resource | undefined = ctx.resource('Secret', ref.name);
      if (!secret || readValue(secret).value) continue;
      const existing = observedOf(`Secret/${ref.name}`);
      if (existing && (await hasEnabledVersion(ctx, existing.id, ref.version ?? 'latest'))) continue;
      const why = readValue(secret).missing ?? 'it has no valueFrom';
      return `its env var ${e.name} reads Secret/${ref.name}, which has no value (${why}) and no version in Secret Manager, so Cloud Run would fail the deploy; ${valueHint(secret)} and plan again`;
    }
  }
  return undefined;
}
