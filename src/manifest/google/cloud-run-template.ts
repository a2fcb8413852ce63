// Cloud Run's rules for the parts of a template that relate several fields: volumes and their
// mounts, probes, the start-up order of containers, a GPU's minimum size, customer-managed
// encryption, service-level scaling and Binary Authorization. Each cites where Google states it:
// the proto comments (google.cloud.run.v2, k8s.min.proto and vendor_settings.proto in
// node_modules/@google-cloud/run) or the page named at the rule.
import { cpuMillis, durationSeconds, memoryBytes } from '../../contract/normalize.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { showPath as show } from '../humanize.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';

const PROTO = 'google.cloud.run.v2 in node_modules/@google-cloud/run/build/protos';
const GPU_DOC = 'https://cloud.google.com/run/docs/configuring/services/gpu';
const VOLUME_DOC = 'https://cloud.google.com/run/docs/configuring/services/cloud-storage-volume-mounts';
const PROBES = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;
const PROBE_TYPES = ['httpGet', 'tcpSocket', 'grpc'] as const;

type Error = (path: Path, message: string) => void;

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** The rules of one template: a service's spec.template, a job's spec.template.template. */
export function templatePartRules(r: Resource, t: Record<string, any>, at: Path, job: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error: Error = (path, message) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  const volumes = volumeNames(t, at, error);
  const containers = list(t.containers);
  const names = containers.map((c) => (isObject(c) && typeof c.name === 'string' ? c.name : undefined));
  const ingress = job ? -1 : ingressContainer(r, at, containers.length);
  containers.forEach((c, i) => {
    if (!isObject(c)) return;
    const cp: Path = [...at, 'containers', i];
    checkMounts(c, cp, volumes, error);
    checkProbes(c, cp, i === ingress, error);
    list(c.dependsOn).forEach((d, j) => {
      if (d === c.name || !names.includes(d)) {
        error(
          [...cp, 'dependsOn', j],
          `${show([...cp, 'dependsOn', j])}: ${quote(d)} is not another container of this template (${
            names
              .filter(Boolean)
              .map((n) => quote(n))
              .join(', ') || 'none is named'
          }); dependsOn names the containers that start first`,
        );
      }
    });
  });
  checkStartOrder(containers, at, error);
  checkGpu(t, at, error);
  if (t.executionEnvironment === 'EXECUTION_ENVIRONMENT_GEN1') {
    list(t.volumes).forEach((v, i) => {
      if (isObject(v) && (v.gcs || v.nfs)) {
        const p: Path = [...at, 'volumes', i];
        error(
          p,
          `${show(p)}: a ${v.gcs ? 'Cloud Storage' : 'NFS'} volume needs the second generation execution environment, and executionEnvironment is EXECUTION_ENVIRONMENT_GEN1 (${VOLUME_DOC})`,
        );
      }
    });
  }
  if (!job) checkEncryption(t, at, error);
  return out;
}

/**
 * The container that serves requests: the one whose manifest writes ports, else the first (the
 * schema's default port fills in every container, but Cloud Run gives a port to one only).
 */
function ingressContainer(r: Resource, at: Path, count: number): number {
  const written = at.reduce<any>((o, k) => o?.[k], r.doc.value)?.containers;
  const i = list(written).findIndex((c) => isObject(c) && list(c.ports).length > 0);
  return count === 0 ? -1 : Math.max(i, 0);
}

/** Volume names, each once. */
function volumeNames(t: Record<string, any>, at: Path, error: Error): Set<string> {
  const seen = new Set<string>();
  list(t.volumes).forEach((v, i) => {
    if (!isObject(v) || typeof v.name !== 'string') return;
    const p: Path = [...at, 'volumes', i, 'name'];
    if (seen.has(v.name)) error(p, `${show(p)}: volume name ${quote(v.name)} is used twice; names must be unique`);
    seen.add(v.name);
  });
  return seen;
}

/** VolumeMount.name "must match the Name of a Volume"; a path holds one mount. */
function checkMounts(c: Record<string, any>, cp: Path, volumes: Set<string>, error: Error): void {
  const paths = new Set<string>();
  list(c.volumeMounts).forEach((m, j) => {
    if (!isObject(m)) return;
    const mp: Path = [...cp, 'volumeMounts', j];
    if (typeof m.name === 'string' && !volumes.has(m.name)) {
      error(
        [...mp, 'name'],
        `${show([...mp, 'name'])}: ${quote(m.name)} is not a volume of this template (${[...volumes].map((v) => quote(v)).join(', ') || 'it has none'}); add it to volumes`,
      );
    }
    if (typeof m.mountPath === 'string') {
      if (paths.has(m.mountPath)) error([...mp, 'mountPath'], `${show([...mp, 'mountPath'])}: ${quote(m.mountPath)} is mounted twice in this container`);
      paths.add(m.mountPath);
    }
  });
}

/**
 * Probe limits (Probe in k8s.min.proto): the timeout "Must be smaller than period_seconds"; a
 * startup probe's initial delay and period are at most 240; a port left out is the container's
 * port, so a container without one (a sidecar, any job container) must name it.
 */
function checkProbes(c: Record<string, any>, cp: Path, served: boolean, error: Error): void {
  for (const kind of PROBES) {
    const p = c[kind];
    if (!isObject(p)) continue;
    const pp: Path = [...cp, kind];
    if (typeof p.timeoutSeconds === 'number' && typeof p.periodSeconds === 'number' && p.timeoutSeconds > p.periodSeconds) {
      error(
        [...pp, 'timeoutSeconds'],
        `${show([...pp, 'timeoutSeconds'])}: ${p.timeoutSeconds} is more than periodSeconds ${p.periodSeconds}; a probe's timeout must not exceed its period (${PROTO})`,
      );
    }
    if (kind === 'startupProbe') {
      for (const f of ['initialDelaySeconds', 'periodSeconds'] as const) {
        if (typeof p[f] === 'number' && p[f] > 240)
          error([...pp, f], `${show([...pp, f])}: ${p[f]} is more than 240, the most a startup probe takes (${PROTO})`);
      }
    }
    for (const type of PROBE_TYPES) {
      if (isObject(p[type]) && p[type].port === undefined && !served) {
        error(
          [...pp, type],
          `${show([...pp, type])}: no port, and this container serves none (a probe's port defaults to the container's ports[0].containerPort); give ${type}.port`,
        );
      }
    }
  }
}

/** Containers may not wait for each other in a circle. */
function checkStartOrder(containers: any[], at: Path, error: Error): void {
  const deps = new Map<string, string[]>();
  for (const c of containers)
    if (isObject(c) && typeof c.name === 'string')
      deps.set(
        c.name,
        list(c.dependsOn).filter((d) => typeof d === 'string'),
      );
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): boolean => {
    if (state.get(name) === 'done') return false;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const i = containers.findIndex((c) => c?.name === name);
      error(
        [...at, 'containers', i, 'dependsOn'],
        `${show([...at, 'containers', i, 'dependsOn'])}: the containers wait for each other in a circle (${cycle.join(' -> ')}); none of them could start`,
      );
      return true;
    }
    state.set(name, 'visiting');
    const found = (deps.get(name) ?? []).some((d) => deps.has(d) && visit(d, [...trail, name]));
    state.set(name, 'done');
    return found;
  };
  for (const name of deps.keys()) if (visit(name, [])) return;
}

/** With a GPU: "a minimum of 4 CPU and 16 GiB of memory" for the container that has it. */
function checkGpu(t: Record<string, any>, at: Path, error: Error): void {
  if (!isObject(t.nodeSelector)) return;
  const containers = list(t.containers);
  const withGpu = containers.findIndex((c) => isObject(c) && c.resources?.limits?.['nvidia.com/gpu'] !== undefined);
  const i = Math.max(withGpu, 0);
  const limits = containers[i]?.resources?.limits ?? {};
  const cpu = cpuMillis(limits.cpu);
  const memory = memoryBytes(limits.memory);
  const lp: Path = [...at, 'containers', i, 'resources', 'limits'];
  if (typeof cpu === 'number' && cpu < 4000)
    error([...lp, 'cpu'], `${show([...lp, 'cpu'])}: ${quote(limits.cpu)} with a GPU (nodeSelector); Cloud Run needs at least 4 CPU with a GPU (${GPU_DOC})`);
  if (typeof memory === 'number' && memory < 16 * 1024 ** 3) {
    error(
      [...lp, 'memory'],
      `${show([...lp, 'memory'])}: ${quote(limits.memory)} with a GPU (nodeSelector); Cloud Run needs at least 16Gi with a GPU (${GPU_DOC})`,
    );
  }
}

/** The revocation action's shutdown duration: only with SHUTDOWN and a key, in whole hours ("The minimum increment is 1 hour"). */
function checkEncryption(t: Record<string, any>, at: Path, error: Error): void {
  const p: Path = [...at, 'encryptionKeyShutdownDuration'];
  if (t.encryptionKeyRevocationAction === 'SHUTDOWN' && !t.encryptionKey) {
    error(
      [...at, 'encryptionKeyRevocationAction'],
      `${show([...at, 'encryptionKeyRevocationAction'])}: SHUTDOWN without an encryptionKey; it says what to do when that key is revoked`,
    );
  }
  if (t.encryptionKeyShutdownDuration === undefined) return;
  if (t.encryptionKeyRevocationAction !== 'SHUTDOWN') {
    error(
      p,
      `${show(p)}: set, but encryptionKeyRevocationAction is ${quote(t.encryptionKeyRevocationAction)}; the duration applies only to SHUTDOWN (${PROTO})`,
    );
  }
  const seconds = durationSeconds(t.encryptionKeyShutdownDuration);
  if (typeof seconds === 'number' && (seconds < 3600 || seconds % 3600 !== 0)) {
    error(p, `${show(p)}: ${quote(t.encryptionKeyShutdownDuration)} is not a whole number of hours; the minimum increment is 1 hour (${PROTO})`);
  }
}

/** Service-level scaling and Binary Authorization (ServiceScaling, BinaryAuthorization in vendor_settings.proto). */
export function serviceSettingRules(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error: Error = (path, message) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  const s = isObject(r.spec.scaling) ? r.spec.scaling : {};
  if (s.manualInstanceCount !== undefined && s.scalingMode !== 'MANUAL') {
    const p: Path = ['spec', 'scaling', 'manualInstanceCount'];
    error(p, `${show(p)}: set, but scalingMode is ${quote(s.scalingMode)}; a manual instance count applies only to scalingMode MANUAL (${PROTO})`);
  }
  if (typeof s.minInstanceCount === 'number' && typeof s.maxInstanceCount === 'number' && s.maxInstanceCount > 0 && s.minInstanceCount > s.maxInstanceCount) {
    const p: Path = ['spec', 'scaling', 'minInstanceCount'];
    error(p, `${show(p)}: ${s.minInstanceCount} is more than maxInstanceCount ${s.maxInstanceCount}; the minimum cannot exceed the maximum`);
  }
  out.push(...binaryAuthorizationRules(r));
  return out;
}

/** "If use_default is False, then it must be empty" (BinaryAuthorization.breakglass_justification). */
export function binaryAuthorizationRules(r: Resource): Diagnostic[] {
  const b = r.spec.binaryAuthorization;
  if (!isObject(b) || b.useDefault !== false || !b.breakglassJustification) return [];
  const p: Path = ['spec', 'binaryAuthorization', 'breakglassJustification'];
  return [
    {
      ...locateField(r, p),
      severity: 'error',
      subject: r.key,
      message: `${show(p)}: set while useDefault is false (no policy is enforced, so nothing can be broken through); leave it empty (${PROTO})`,
    },
  ];
}
