// What Cloud Run services and jobs share: the service-account part of their templates, env
// outputs, the secrets a deploy needs, and how gax hands over enums and durations. Containers,
// volumes and the rest of a template are in cloud-run-containers.ts, cloud-run-volumes.ts and
// cloud-run-template.ts.

import type { ControllerContext, Observed, OutputLookup } from '../src/contract/controller.js';
import type { Resource } from '../src/manifest/index.js';
import { hasEnabledVersion, readValue, valueHint } from './secret.js';
import { emailOf } from './service-account.js';

/** How the spec form writes "no service account set: the Compute Engine default one". */
export const DEFAULT_SERVICE_ACCOUNT = '(Compute Engine default service account)';

export const locationOf = (id: string): string => id.split('/')[3];

export function serviceAccountSpec(email: string | null | undefined, project: string): Record<string, unknown> {
  if (!email || /^\d+-compute@developer\.gserviceaccount\.com$/.test(email)) return { serviceAccount: DEFAULT_SERVICE_ACCOUNT };
  const suffix = `@${project}.iam.gserviceaccount.com`;
  return email.endsWith(suffix) ? { serviceAccountRef: { name: email.slice(0, -suffix.length) } } : { serviceAccount: email };
}

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

/** The API's serviceAccount for a template in spec form ('' for the default account). */
export function serviceAccountEmail(t: Record<string, any>, project: string): string {
  if (t.serviceAccountRef) return emailOf(t.serviceAccountRef.name, project);
  return t.serviceAccount === DEFAULT_SERVICE_ACCOUNT ? '' : t.serviceAccount;
}

/** Env values taken from other resources' outputs become plain values (or Unknown until known). */
export function resolveEnvOutputs(containers: Array<Record<string, any>>, outputs: OutputLookup): void {
  for (const c of containers) {
    c.env = c.env.map((e: Record<string, any>) => {
      const ref = e.valueFrom?.outputRef;
      return ref ? { name: e.name, value: outputs(ref.kind, ref.name, ref.output) } : e;
    });
  }
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
  template: { containers: Array<Record<string, any>>; volumes?: Array<Record<string, any>> },
  observedOf: (key: string) => Observed | undefined,
): Promise<string | undefined> {
  const uses: Array<{ what: string; name: string; version: string }> = [];
  for (const c of template.containers) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef as { name: string; version?: string } | undefined;
      if (ref) uses.push({ what: `its env var ${e.name}`, name: ref.name, version: ref.version ?? 'latest' });
    }
  }
  for (const v of template.volumes ?? []) {
    const name = v.secret?.secretRef?.name as string | undefined;
    if (!name) continue;
    const items: Array<{ version?: string }> = v.secret.items?.length ? v.secret.items : [{ version: 'latest' }];
    for (const item of items) uses.push({ what: `its volume ${v.name}`, name, version: item.version ?? 'latest' });
  }
  for (const use of uses) {
    const secret: Resource | undefined = ctx.resource('Secret', use.name);
    if (!secret || readValue(secret).value) continue;
    const existing = observedOf(`Secret/${use.name}`);
    if (existing && (await hasEnabledVersion(ctx, existing.id, use.version))) continue;
    const why = readValue(secret).missing ?? 'it has no valueFrom';
    return `${use.what} reads Secret/${use.name}, which has no value (${why}) and no version in Secret Manager, so Cloud Run would fail the deploy; ${valueHint(secret)} and plan again`;
  }
  return undefined;
}
