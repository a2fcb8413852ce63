// What Cloud Run v2 refuses synchronously (400 INVALID_ARGUMENT) about the parts of a revision or
// task template beyond its containers' basics: volumes and their mounts, probes, and the start-up
// order of the containers (dependsOn). The rules are the proto's (k8s.min.proto comments) and the
// volume pages (cloud.google.com/run/docs/configuring/services/*-volume-mounts); the messages
// follow Cloud Run's "field: problem" form by analogy [G].
import { ApiError, badRequest } from '../errors.js';

const VOLUME_FORMS = ['secret', 'cloudSqlInstance', 'emptyDir', 'nfs', 'gcs'] as const;
const PROBE_TYPES = ['httpGet', 'tcpSocket', 'grpc'] as const;

function invalid(field: string, message: string): ApiError {
  return new ApiError(400, `${field}: ${message}`, 'INVALID_ARGUMENT', [badRequest(field, message)]);
}

export interface TemplateRules {
  /** Where the template sits, for messages: "template" or "template.template". */
  path: string;
  /** Jobs take startup probes only (https://cloud.google.com/run/docs/configuring/jobs/healthchecks). */
  job: boolean;
}

/** Volumes, volume mounts, probes and dependsOn of a template (canonical: camelCase, enum names). */
export function checkTemplateParts(t: Record<string, any>, rules: TemplateRules): void {
  const volumes: any[] = t.volumes ?? [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const at = `${rules.path}.volumes[${i}]`;
    if (!v.name) throw invalid(`${at}.name`, 'Required field is not set.');
    if (names.has(v.name)) throw invalid(`${at}.name`, `Volume name '${v.name}' is used more than once.`);
    names.add(v.name);
    const forms = VOLUME_FORMS.filter((f) => v[f] !== undefined);
    if (forms.length !== 1) throw invalid(at, 'Exactly one volume type must be specified.');
    if (v.secret && !v.secret.secret) throw invalid(`${at}.secret.secret`, 'Required field is not set.');
    if (v.gcs && !v.gcs.bucket) throw invalid(`${at}.gcs.bucket`, 'Required field is not set.');
    if (v.nfs && (!v.nfs.server || !v.nfs.path)) throw invalid(`${at}.nfs`, 'server and path are required.');
    // Cloud Storage and NFS volume mounts run in the second generation execution environment.
    if ((v.gcs || v.nfs) && t.executionEnvironment === 'EXECUTION_ENVIRONMENT_GEN1') {
      throw invalid(`${rules.path}.execution_environment`, 'Cloud Storage and NFS volumes are only supported in the second generation execution environment.');
    }
    const mode = v.secret?.defaultMode;
    if (mode !== undefined && (mode < 0 || mode > 0o777)) throw invalid(`${at}.secret.default_mode`, 'must be between 0000 and 0777 (octal).');
  });
  const containers: any[] = t.containers ?? [];
  const containerNames = new Set(containers.map((c) => c.name).filter(Boolean));
  containers.forEach((c, i) => {
    const at = `${rules.path}.containers[${i}]`;
    const paths = new Set<string>();
    (c.volumeMounts ?? []).forEach((m: any, j: number) => {
      const mat = `${at}.volume_mounts[${j}]`;
      if (!names.has(m.name)) throw invalid(`${mat}.name`, `Volume '${m.name}' not found in the template's volumes.`);
      if (!m.mountPath || String(m.mountPath).includes(':')) throw invalid(`${mat}.mount_path`, "must be an absolute path and must not contain ':'.");
      if (paths.has(m.mountPath)) throw invalid(`${mat}.mount_path`, `'${m.mountPath}' is mounted more than once.`);
      paths.add(m.mountPath);
    });
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      const probe = c[kind];
      if (!probe) continue;
      const pat = `${at}.${kind.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)}`;
      if (rules.job && kind !== 'startupProbe') throw invalid(pat, 'Only startup probes are supported for jobs.');
      checkProbe(probe, pat, kind === 'startupProbe');
    }
    for (const dep of c.dependsOn ?? []) {
      if (dep === c.name || !containerNames.has(dep)) throw invalid(`${at}.depends_on`, `Container '${dep}' not found among the other containers.`);
    }
  });
  checkStartOrder(containers, rules.path);
}

/** The proto's probe limits: one check; timeout at most the period; a startup probe's delay and period at most 240 s. */
function checkProbe(p: Record<string, any>, at: string, startup: boolean): void {
  if (PROBE_TYPES.filter((k) => p[k] !== undefined).length !== 1) throw invalid(at, 'Exactly one of httpGet, tcpSocket or grpc must be specified.');
  const max = startup ? 240 : 3600;
  if ((p.initialDelaySeconds ?? 0) > max) throw invalid(`${at}.initial_delay_seconds`, `must be at most ${max}.`);
  if ((p.periodSeconds ?? 10) > max) throw invalid(`${at}.period_seconds`, `must be at most ${max}.`);
  if ((p.timeoutSeconds ?? 1) > (p.periodSeconds ?? 10)) throw invalid(`${at}.timeout_seconds`, 'must not be greater than period_seconds.');
}

/** dependsOn may not go round in a circle. */
function checkStartOrder(containers: any[], path: string): void {
  const deps = new Map<string, string[]>(containers.filter((c) => c.name).map((c) => [c.name, c.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw invalid(`${path}.containers`, `dependsOn forms a cycle through container '${name}'.`);
    state.set(name, 'visiting');
    for (const d of deps.get(name) ?? []) visit(d);
    state.set(name, 'done');
  };
  for (const name of deps.keys()) visit(name);
}

/**
 * The proto's probe defaults, filled where a caller left them out: timeout 1 s, period 10 s, three
 * failures, the HTTP path '/', and the port of the container that serves requests. [G] that Google
 * writes them into the resource rather than applying them silently.
 */
export function fillProbeDefaults(c: Record<string, any>, servingPort: number | undefined): void {
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const p = c[kind];
    if (!p) continue;
    p.timeoutSeconds ||= 1;
    p.periodSeconds ||= 10;
    p.failureThreshold ||= 3;
    if (p.httpGet) p.httpGet.path ||= '/';
    for (const type of PROBE_TYPES) if (p[type] && !p[type].port && servingPort) p[type].port = servingPort;
  }
}
