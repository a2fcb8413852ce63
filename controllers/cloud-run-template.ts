// What a service's revision template and a job's task template share, in spec form and back: the
// runtime account, containers, volumes, VPC egress, CMEK, a GPU. Spec form writes what Google
// leaves out as its default ('' for no key, false) or as none (null: no VPC access, no GPU).
import type { ExportIndex, OutputLookup } from '../src/contract/controller.js';
import { cpuMillis, durationSeconds, mapPath, memoryBytes, sorted } from '../src/contract/normalize.js';
import { noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';
import { canonicalServiceAccount, DEFAULT_SERVICE_ACCOUNT, enumName, resolveEnvOutputs, serviceAccountEmail, serviceAccountSpec } from './cloud-run-common.js';
import { canonicalContainer, containerSpec, containersToApi, ingressIndex } from './cloud-run-containers.js';
import { canonicalVolume, volumeForExport, volumeSpec, volumesToApi } from './cloud-run-volumes.js';
import { emailOf } from './service-account.js';

type Run = import('@google-cloud/run').protos.google.cloud.run.v2.IRevisionTemplate & import('@google-cloud/run').protos.google.cloud.run.v2.ITaskTemplate;

/** Optional settings of a template whose absence is managed: left out of a manifest means none. */
const OPTIONAL = ['vpcAccess', 'nodeSelector'] as const;

function vpcSpec(vpc: Run['vpcAccess']): Record<string, any> | undefined {
  if (!vpc || (!vpc.connector && !vpc.networkInterfaces?.length)) return undefined;
  return {
    ...(vpc.connector ? { connector: vpc.connector } : {}),
    // Google fills in PRIVATE_RANGES_ONLY when egress is left out.
    egress: enumName(vpc.egress) ?? 'PRIVATE_RANGES_ONLY',
    ...(vpc.networkInterfaces?.length
      ? {
          networkInterfaces: vpc.networkInterfaces.map((n) => ({
            ...(n.network ? { network: n.network } : {}),
            ...(n.subnetwork ? { subnetwork: n.subnetwork } : {}),
            tags: n.tags ?? [],
          })),
        }
      : {}),
  };
}

/** The fields both templates have, as observe reads them. */
export function sharedTemplateSpec(t: Run, project: string, job: boolean): Record<string, any> {
  const vpc = vpcSpec(t.vpcAccess);
  return {
    ...serviceAccountSpec(t.serviceAccount, project),
    timeout: t.timeout ?? undefined,
    ...(enumName(t.executionEnvironment) !== undefined ? { executionEnvironment: enumName(t.executionEnvironment) } : {}),
    ...(vpc ? { vpcAccess: vpc } : {}),
    encryptionKey: t.encryptionKey ?? '',
    ...(t.nodeSelector?.accelerator ? { nodeSelector: { accelerator: t.nodeSelector.accelerator } } : {}),
    gpuZonalRedundancyDisabled: Boolean(t.gpuZonalRedundancyDisabled),
    volumes: (t.volumes ?? []).map(volumeSpec),
    containers: (t.containers ?? []).map((c) => containerSpec(c, job)),
  };
}

/**
 * A template of a manifest as it compares with Google's (the desired spec): its account in the
 * form observe reads it, env outputs resolved, references as the names the API takes, what it
 * leaves out as none, and Google's startup probe on the ingress container.
 */
export function canonicalTemplate(t: Record<string, any>, project: string, outputs: OutputLookup, job: boolean): void {
  canonicalServiceAccount(t, project);
  resolveEnvOutputs(t.containers, outputs);
  noneWhereAbsent(t, OPTIONAL);
  for (const v of t.volumes ?? []) canonicalVolume(v);
  const ingress = job ? -1 : ingressIndex(t.containers);
  t.containers.forEach((c: Record<string, any>, i: number) => {
    canonicalContainer(c, { job, ingress: i === ingress });
  });
}

/** The API's fields both templates have, for a template in spec form, onto what Google returned. */
export function sharedTemplateToApi(t: Record<string, any>, project: string, base: Run, job: boolean): Run {
  return {
    serviceAccount: serviceAccountEmail(t, project),
    executionEnvironment: t.executionEnvironment ?? base.executionEnvironment,
    vpcAccess: t.vpcAccess ? withoutNulls(t.vpcAccess) : t.vpcAccess === null ? undefined : base.vpcAccess,
    encryptionKey: t.encryptionKey,
    nodeSelector: t.nodeSelector ?? undefined,
    // Sent with a GPU only: the field means nothing without one.
    gpuZonalRedundancyDisabled: t.nodeSelector || t.gpuZonalRedundancyDisabled ? t.gpuZonalRedundancyDisabled : undefined,
    volumes: volumesToApi(t.volumes ?? []),
    containers: containersToApi(t.containers, base.containers ?? [], job),
  };
}

/** Canonical quantities, durations and unordered lists of a template at `prefix` (template, or template.template for jobs). */
export function normalizeTemplate(spec: Record<string, any>, prefix: string): void {
  mapPath(spec, `${prefix}.timeout`, durationSeconds);
  mapPath(spec, `${prefix}.encryptionKeyShutdownDuration`, durationSeconds);
  mapPath(spec, `${prefix}.containers[].resources.limits.cpu`, cpuMillis);
  mapPath(spec, `${prefix}.containers[].resources.limits.memory`, memoryBytes);
  mapPath(spec, `${prefix}.containers[].dependsOn`, sorted);
  mapPath(spec, `${prefix}.volumes[].emptyDir.sizeLimit`, memoryBytes);
  mapPath(spec, `${prefix}.volumes[].cloudSqlInstance.instances`, sorted);
}

/**
 * A template as export writes it: its timeout as "60s", no service account when it runs as the
 * default one, and an account, secret or bucket by reference only when that one is exported too.
 */
export function templateForExport(t: Record<string, any>, project: string, exported: ExportIndex): void {
  for (const k of ['timeout', 'encryptionKeyShutdownDuration']) {
    if (t[k] === undefined || t[k] === null) continue;
    const seconds = durationSeconds(t[k]) as number;
    t[k] = seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds}s`;
  }
  if (t.serviceAccount === DEFAULT_SERVICE_ACCOUNT) delete t.serviceAccount;
  if (t.serviceAccountRef && !exported.has('ServiceAccount', t.serviceAccountRef.name)) {
    t.serviceAccount = emailOf(t.serviceAccountRef.name, project);
    delete t.serviceAccountRef;
  }
  for (const v of t.volumes ?? []) volumeForExport(v, exported);
}
