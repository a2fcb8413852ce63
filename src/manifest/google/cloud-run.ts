// Cloud Run's create-time rules that a schema keyword cannot say (they relate two fields, or need a
// quantity parsed): CPU and memory per Cloud Run's table, what a fraction of a CPU requires,
// timeouts, min <= max instances, traffic that adds up, and names that must be unique in a list.
// Each rule cites the page that states it.
import { cpuMillis, durationSeconds, memoryBytes } from '../../contract/normalize.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { showPath as show } from '../humanize.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';
import { binaryAuthorizationRules, serviceSettingRules, templatePartRules } from './cloud-run-template.js';
import { imageProblem } from './image.js';

const CPU_DOC = 'https://cloud.google.com/run/docs/configuring/services/cpu';
const JOB_CPU_DOC = 'https://cloud.google.com/run/docs/configuring/jobs/cpu';
const MEMORY_DOC = 'https://cloud.google.com/run/docs/configuring/services/memory-limits';
const JOB_MEMORY_DOC = 'https://cloud.google.com/run/docs/configuring/jobs/memory-limits';
const TIMEOUT_DOC = 'https://cloud.google.com/run/docs/configuring/request-timeout';
const TASK_TIMEOUT_DOC = 'https://cloud.google.com/run/docs/configuring/task-timeout';
const ENV_DOC = 'https://cloud.google.com/run/docs/configuring/services/overview-environment-variables';
const TRAFFIC_DOC = 'https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

type Error = (path: Path, message: string) => void;

export function cloudRunRules(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error: Error = (path, message) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  const job = r.kind === 'CloudRunJob';
  const at: Path = job ? ['spec', 'template', 'template'] : ['spec', 'template'];
  const t = (job ? r.spec.template?.template : r.spec.template) as Record<string, any> | undefined;
  if (!t || typeof t !== 'object' || !Array.isArray(t.containers)) return out;

  if (!job) checkScaling(t, at, error);
  checkTimeout(t, at, job, error);

  const containerNames = new Map<string, number>();
  let withPorts = 0;
  let envTotal = 0;
  t.containers.forEach((c: Record<string, any>, i: number) => {
    if (c === null || typeof c !== 'object') return;
    const cp: Path = [...at, 'containers', i];
    if (typeof c.image === 'string') {
      const problem = imageProblem(c.image);
      if (problem) error([...cp, 'image'], `${show([...cp, 'image'])}: ${quote(c.image)} is not a container image reference: it ${problem}`);
    }
    if (typeof c.name === 'string') {
      const first = containerNames.get(c.name);
      if (first !== undefined)
        error([...cp, 'name'], `${show([...cp, 'name'])}: container name ${quote(c.name)} is used twice (also containers[${first}]); names must be unique`);
      else containerNames.set(c.name, i);
    }
    if (writtenList(r, [...cp, 'ports'])) withPorts++;
    envTotal += Array.isArray(c.env) ? c.env.length : 0;
    checkEnv(r, c, cp, error);
    checkResources(t, c, cp, at, job, error);
  });
  if (withPorts > 1) {
    error(
      [...at, 'containers'],
      `${show([...at, 'containers'])}: ${withPorts} containers set ports; only one (the ingress container) may (https://cloud.google.com/run/docs/deploying#sidecars)`,
    );
  }
  if (envTotal > 1000)
    error([...at, 'containers'], `${show([...at, 'containers'])}: ${envTotal} environment variables; Cloud Run allows at most 1000 (${ENV_DOC})`);
  if (!job) checkTraffic(r, error);
  out.push(...templatePartRules(r, t, at, job), ...(job ? binaryAuthorizationRules(r) : serviceSettingRules(r)));
  return out;
}

/** Whether the manifest itself (not a schema default) has a non-empty list at `path`. */
function writtenList(r: Resource, path: Path): boolean {
  let v: unknown = r.doc.value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return false;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return Array.isArray(v) && v.length > 0;
}

function checkScaling(t: Record<string, any>, at: Path, error: Error): void {
  const { minInstanceCount: min, maxInstanceCount: max } = t.scaling ?? {};
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    const p = [...at, 'scaling', 'minInstanceCount'];
    error(
      p,
      `${show(p)}: ${min} is more than maxInstanceCount ${max}; the minimum cannot exceed the maximum (https://cloud.google.com/run/docs/configuring/min-instances)`,
    );
  }
}

function checkTimeout(t: Record<string, any>, at: Path, job: boolean, error: Error): void {
  const seconds = durationSeconds(t.timeout);
  if (typeof seconds !== 'number') return;
  const max = job ? 168 * 3600 : 3600;
  const p = [...at, 'timeout'];
  if (seconds < 1 || seconds > max) {
    const limit = job ? `1s to 168h (7 days) for a job's task (${TASK_TIMEOUT_DOC})` : `1s to 3600s (60 minutes) for a request (${TIMEOUT_DOC})`;
    error(p, `${show(p)}: ${quote(t.timeout)} is out of range: Cloud Run takes ${limit}`);
  }
}

function checkEnv(r: Resource, c: Record<string, any>, cp: Path, error: Error): void {
  if (!Array.isArray(c.env)) return;
  const seen = new Map<string, number>();
  c.env.forEach((e: Record<string, any>, j: number) => {
    if (typeof e?.name !== 'string') return;
    const p: Path = [...cp, 'env', j, 'name'];
    const first = seen.get(e.name);
    if (first !== undefined) {
      const where = locateField(r, [...cp, 'env', first, 'name']);
      error(
        p,
        `${show(p)}: environment variable ${quote(e.name)} is set twice (first at line ${where.line}, column ${where.col}); Cloud Run refuses duplicate names (${ENV_DOC})`,
      );
    } else {
      seen.set(e.name, j);
    }
    if (typeof e.value === 'string' && Buffer.byteLength(e.value, 'utf8') > 32768) {
      const vp: Path = [...cp, 'env', j, 'value'];
      error(vp, `${show(vp)}: the value is ${Buffer.byteLength(e.value, 'utf8')} bytes; Cloud Run takes at most 32768 (google.cloud.run.v2.EnvVar.value)`);
    }
  });
}

/** CPU and memory per Cloud Run's table, and what less than one CPU requires. */
function checkResources(t: Record<string, any>, c: Record<string, any>, cp: Path, at: Path, job: boolean, error: Error): void {
  const limits = (c.resources?.limits ?? {}) as Record<string, unknown>;
  const cpuPath: Path = [...cp, 'resources', 'limits', 'cpu'];
  const memPath: Path = [...cp, 'resources', 'limits', 'memory'];
  const cpu = cpuMillis(limits.cpu);
  const mem = memoryBytes(limits.memory);
  const cpuDoc = job ? JOB_CPU_DOC : CPU_DOC;
  const memDoc = job ? JOB_MEMORY_DOC : MEMORY_DOC;
  let cpuOk = typeof cpu === 'number';
  if (typeof cpu === 'number') {
    if (job && cpu < 1000) {
      error(cpuPath, `${show(cpuPath)}: ${quote(limits.cpu)} is less than 1 CPU; a Cloud Run job needs at least 1 (${cpuDoc})`);
      cpuOk = false;
    } else if (cpu < 80 || (cpu > 1000 && ![2000, 4000, 6000, 8000].includes(cpu)) || (cpu < 1000 && !Number.isInteger(cpu))) {
      error(cpuPath, `${show(cpuPath)}: ${quote(limits.cpu)} is not a CPU count Cloud Run offers: 0.08 to 1 in steps of 0.001, or 1, 2, 4, 6 or 8 (${cpuDoc})`);
      cpuOk = false;
    }
  }
  if (typeof mem === 'number') {
    const gen2 = t.executionEnvironment === 'EXECUTION_ENVIRONMENT_GEN2' || job;
    const min = gen2 ? 512 * MiB : 128 * MiB;
    if (mem > 32 * GiB) {
      error(memPath, `${show(memPath)}: ${quote(limits.memory)} is more than 32Gi, the most memory Cloud Run gives an instance (${memDoc})`);
      return;
    }
    if (mem < min) {
      error(
        memPath,
        `${show(memPath)}: ${quote(limits.memory)} is less than ${gen2 ? '512Mi' : '128Mi'}, the least Cloud Run allows${gen2 ? ' in the second generation execution environment' : ''} (${memDoc})`,
      );
      return;
    }
    if (!cpuOk || typeof cpu !== 'number') return;
    const needCpu = mem > 24 * GiB ? 8000 : mem > 16 * GiB ? 6000 : mem > 8 * GiB ? 4000 : mem > 4 * GiB ? 2000 : mem > GiB ? 1000 : mem > 512 * MiB ? 500 : 0;
    const needMem = cpu >= 6000 ? 4 * GiB : cpu >= 4000 ? 2 * GiB : 0;
    if (cpu < needCpu) {
      error(
        memPath,
        `${show(memPath)}: ${quote(limits.memory)} needs at least ${needCpu / 1000} CPU, and cpu is ${quote(limits.cpu)}; raise the cpu or lower the memory (${memDoc})`,
      );
    } else if (mem < needMem) {
      error(memPath, `${show(memPath)}: ${quote(limits.memory)} is less than the ${needMem / GiB}Gi that ${cpu / 1000} CPUs need (${cpuDoc})`);
    }
  }
  if (!job && typeof cpu === 'number' && cpuOk && cpu < 1000) {
    // Less than one CPU: "Maximum concurrency must be set to 1", request-based billing, first generation.
    if (typeof t.maxInstanceRequestConcurrency === 'number' && t.maxInstanceRequestConcurrency !== 1) {
      const p = [...at, 'maxInstanceRequestConcurrency'];
      error(
        p,
        `${show(p)}: ${t.maxInstanceRequestConcurrency} with less than 1 CPU (${quote(limits.cpu)}); Cloud Run requires concurrency 1 below one CPU (${cpuDoc})`,
      );
    }
    if (c.resources?.cpuIdle === false) {
      const p = [...cp, 'resources', 'cpuIdle'];
      error(
        p,
        `${show(p)}: false (instance-based billing) with less than 1 CPU; Cloud Run requires request-based billing (cpuIdle: true) below one CPU (${cpuDoc})`,
      );
    }
    if (t.executionEnvironment === 'EXECUTION_ENVIRONMENT_GEN2') {
      const p = [...at, 'executionEnvironment'];
      error(p, `${show(p)}: the second generation needs at least 1 CPU, and cpu is ${quote(limits.cpu)}; use EXECUTION_ENVIRONMENT_GEN1 or 1 CPU (${cpuDoc})`);
    }
  }
}

function checkTraffic(r: Resource, error: Error): void {
  const traffic = r.spec.traffic as Array<Record<string, any>> | undefined;
  if (!Array.isArray(traffic) || traffic.length === 0) return;
  const sum = traffic.reduce((s, x) => s + (typeof x?.percent === 'number' ? x.percent : 0), 0);
  if (sum !== 100) error(['spec', 'traffic'], `spec.traffic: the percentages add up to ${sum}; they must add up to 100 (${TRAFFIC_DOC})`);
  const tags = new Set<string>();
  traffic.forEach((x, i) => {
    if (typeof x?.tag !== 'string') return;
    if (tags.has(x.tag)) error(['spec', 'traffic', i, 'tag'], `spec.traffic[${i}].tag: ${quote(x.tag)} is used twice; tags must be unique`);
    tags.add(x.tag);
    if (x.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION' && !x.revision)
      error(['spec', 'traffic', i], `spec.traffic[${i}]: type TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION needs a revision`);
  });
}
