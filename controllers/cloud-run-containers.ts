// A Cloud Run container in spec form and back, for services and jobs alike: env, resources, ports,
// volume mounts, probes and start-up order. Spec form writes every managed field, with Google's
// defaults where Google leaves a field out (a probe's timeoutSeconds 0 means its default, 1) and
// null for a setting that is not there (no liveness probe), so that what a manifest leaves out
// compares equal to what Google has, and a setting removed from a manifest is removed from Google.
import { cloneSpec, noneWhereAbsent, withoutNulls } from '../src/contract/spec.js';

type Container = import('@google-cloud/run').protos.google.cloud.run.v2.IContainer;
type Probe = import('@google-cloud/run').protos.google.cloud.run.v2.IProbe;

/** The port Cloud Run routes requests to when a container declares none (and sets as $PORT). */
export const DEFAULT_PORT = 8080;

/** Probes a container may have; jobs take only startup probes. */
const PROBES = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;
const PROBE_TYPES = ['httpGet', 'tcpSocket', 'grpc'] as const;

/**
 * Google's startup probe of the ingress container when none is given: a TCP check of its port,
 * 240 s apart, timing out after 240 s, failing once (../shared/gcp-api-facts.md section 1).
 */
export const defaultStartupProbe = (port: number) => ({
  initialDelaySeconds: 0,
  timeoutSeconds: 240,
  periodSeconds: 240,
  failureThreshold: 1,
  tcpSocket: { port },
});

export const secretName = (secret: string): string => secret.replace(/^projects\/[^/]+\/secrets\//, '');

/** A probe as Google returns it, in spec form: unset numbers (0) are the proto's documented defaults. */
function probeSpec(p: Probe | null | undefined): Record<string, any> | undefined {
  if (!p) return undefined;
  const port = (x: { port?: number | null } | null | undefined) => (x?.port ? { port: x.port } : {});
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    timeoutSeconds: p.timeoutSeconds || 1,
    periodSeconds: p.periodSeconds || 10,
    failureThreshold: p.failureThreshold || 3,
    ...(p.httpGet
      ? {
          httpGet: {
            path: p.httpGet.path || '/',
            ...port(p.httpGet),
            httpHeaders: (p.httpGet.httpHeaders ?? []).map((h) => ({ name: h.name ?? '', value: h.value ?? '' })),
          },
        }
      : {}),
    ...(p.tcpSocket ? { tcpSocket: port(p.tcpSocket) } : {}),
    ...(p.grpc ? { grpc: { ...port(p.grpc), service: p.grpc.service ?? '' } } : {}),
  };
}

/** The API's container in spec form. `job`: a job's container (no ports, probes other than startup, or request-based CPU). */
export function containerSpec(c: Container, job = false): Record<string, any> {
  const limits = { ...(c.resources?.limits ?? {}) };
  const probes = job ? (['startupProbe'] as const) : PROBES;
  return {
    ...(c.name ? { name: c.name } : {}),
    image: c.image ?? '',
    command: c.command ?? [],
    args: c.args ?? [],
    workingDir: c.workingDir ?? '',
    env: (c.env ?? []).map((e) =>
      e.valueSource?.secretKeyRef
        ? {
            name: e.name,
            valueFrom: { secretKeyRef: { name: secretName(e.valueSource.secretKeyRef.secret ?? ''), version: e.valueSource.secretKeyRef.version || 'latest' } },
          }
        : { name: e.name, value: e.value ?? '' },
    ),
    resources: job ? { limits } : { limits, cpuIdle: Boolean(c.resources?.cpuIdle), startupCpuBoost: Boolean(c.resources?.startupCpuBoost) },
    ...(job ? {} : { ports: (c.ports ?? []).map((p) => ({ name: p.name || 'http1', containerPort: p.containerPort ?? DEFAULT_PORT })) }),
    volumeMounts: (c.volumeMounts ?? []).map((m) => ({ name: m.name ?? '', mountPath: m.mountPath ?? '', subPath: m.subPath ?? '' })),
    ...Object.fromEntries(probes.flatMap((k) => (c[k] ? [[k, probeSpec(c[k])]] : []))),
    dependsOn: c.dependsOn ?? [],
    ...(job ? {} : { baseImageUri: c.baseImageUri ?? '' }),
  };
}

/**
 * A container of a manifest as it compares with Google's: every probe it does not have is none,
 * except the ingress container's startup probe, which is Google's default; a probe's port, left
 * out, is the container's port, as Google fills it in; a probe has none of the other two checks.
 */
export function canonicalContainer(c: Record<string, any>, opts: { job: boolean; ingress: boolean }): void {
  const port: number | undefined = c.ports?.[0]?.containerPort;
  const probes = opts.job ? (['startupProbe'] as const) : PROBES;
  if (opts.ingress && c.startupProbe === undefined) c.startupProbe = defaultStartupProbe(port ?? DEFAULT_PORT);
  noneWhereAbsent(c, probes);
  for (const k of probes) {
    const probe = c[k];
    if (!probe) continue;
    for (const type of PROBE_TYPES) if (probe[type] && probe[type].port === undefined && port !== undefined) probe[type].port = port;
    noneWhereAbsent(probe, PROBE_TYPES);
  }
}

/** A probe for the API: the check it has, none of the others. */
const probeToApi = (p: Record<string, any> | null | undefined): Probe | undefined => (p ? withoutNulls(cloneSpec(p)) : undefined);

/**
 * The API's containers for containers in spec form. What musectl does not manage (a source
 * deployment's sourceCode; for jobs, the service-only fields) stays as Google had it, matched by
 * name (else position); every managed field is written, so one the manifest dropped goes.
 */
export function containersToApi(containers: Array<Record<string, any>>, base: Container[] = [], job = false): Container[] {
  return containers.map((c, i) => {
    const before = (c.name ? base.find((b) => b.name === c.name) : undefined) ?? base[i] ?? {};
    const probes = job ? (['startupProbe'] as const) : PROBES;
    const out: Container = {
      ...before,
      name: c.name,
      image: c.image,
      command: c.command,
      args: c.args,
      workingDir: c.workingDir,
      env: c.env.map((e: Record<string, any>) =>
        e.valueFrom?.secretKeyRef
          ? { name: e.name, valueSource: { secretKeyRef: { secret: e.valueFrom.secretKeyRef.name, version: e.valueFrom.secretKeyRef.version } } }
          : { name: e.name, value: e.value },
      ),
      resources: {
        ...(before.resources ?? {}),
        limits: { ...c.resources.limits, cpu: String(c.resources.limits.cpu) },
        ...(c.resources.cpuIdle !== undefined ? { cpuIdle: c.resources.cpuIdle } : {}),
        ...(c.resources.startupCpuBoost !== undefined ? { startupCpuBoost: c.resources.startupCpuBoost } : {}),
      },
      ...(c.ports ? { ports: c.ports } : {}),
      volumeMounts: (c.volumeMounts ?? []).map((m: Record<string, any>) => ({
        name: m.name,
        mountPath: m.mountPath,
        ...(m.subPath ? { subPath: m.subPath } : {}),
      })),
      dependsOn: c.dependsOn ?? [],
      ...(c.baseImageUri !== undefined ? { baseImageUri: c.baseImageUri } : {}),
    };
    for (const k of probes) {
      const probe = probeToApi(c[k]);
      if (probe) out[k] = probe;
      else delete out[k];
    }
    return out;
  });
}

/** The container that receives requests: the one with ports (one at most, after the desired spec's rule). */
export const ingressIndex = (containers: Array<Record<string, any>>): number => {
  const i = containers.findIndex((c) => Array.isArray(c.ports) && c.ports.length > 0);
  return i >= 0 ? i : containers.length === 1 ? 0 : -1;
};
