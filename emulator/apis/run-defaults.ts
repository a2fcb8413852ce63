// Server-side defaults Cloud Run v2 fills into a service or job on create and update
// (gcp-api-facts.md §1 and the proto comments). Values the caller set are kept exactly as sent
// ("1", "2Gi"): Google does not normalise quantities, so a reconciler must compare them semantically.
import { cpuQuantity } from './run-common.js';
import { fillProbeDefaults } from './run-template-checks.js';

export const computeServiceAccount = (projectNumber: string): string => `${projectNumber}-compute@developer.gserviceaccount.com`;

const DEFAULT_PORT = 8080;

/** The container that receives requests: the one declaring a port, else the only one. */
export function ingressContainer(containers: any[]): any | undefined {
  return containers.find((c) => (c.ports ?? []).length > 0) ?? (containers.length === 1 ? containers[0] : undefined);
}

/** The port Cloud Run routes to (and sets as $PORT). */
export function ingressPort(containers: any[]): number {
  return ingressContainer(containers)?.ports?.[0]?.containerPort ?? DEFAULT_PORT;
}

/**
 * resources.limits gets cpu "1000m" and memory "512Mi" where missing [G]. cpuIdle defaults to true
 * only when `resources` is omitted altogether: the proto says a caller who sets resources must set
 * cpuIdle explicitly to keep the default. Jobs always have CPU allocated, so no cpuIdle for them.
 */
function fillResources(c: any, withCpuIdle: boolean): void {
  if (!c.resources) {
    c.resources = withCpuIdle ? { cpuIdle: true } : {};
  }
  const limits = (c.resources.limits ??= {});
  limits.cpu ??= '1000m';
  limits.memory ??= '512Mi';
}

/** Fills a service's defaults in place; `spec` is canonical (enum names, camelCase). */
export function applyServiceDefaults(spec: any, projectNumber: string): any {
  if (!spec.ingress || spec.ingress === 'INGRESS_TRAFFIC_UNSPECIFIED') spec.ingress = 'INGRESS_TRAFFIC_ALL';
  if (!spec.launchStage || spec.launchStage === 'LAUNCH_STAGE_UNSPECIFIED') spec.launchStage = 'GA';
  if (!spec.traffic || spec.traffic.length === 0) {
    spec.traffic = [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }];
  }
  const t = (spec.template ??= {});
  const scaling = (t.scaling ??= {});
  if (!scaling.maxInstanceCount) scaling.maxInstanceCount = 100;
  t.timeout ??= '300s';
  if (!t.serviceAccount) t.serviceAccount = computeServiceAccount(projectNumber);
  const containers: any[] = (t.containers ??= []);
  for (const c of containers) fillResources(c, true);

  const ingress = ingressContainer(containers);
  if (ingress) {
    const ports = (ingress.ports ??= []);
    if (ports.length === 0) ports.push({});
    ports[0].name ||= 'http1';
    ports[0].containerPort ||= DEFAULT_PORT;
    const port = ports[0].containerPort;
    if (!ingress.startupProbe) ingress.startupProbe = { timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1, tcpSocket: { port } };
  }
  // A probe given without a port checks the serving port ("defaults to the exposed port of the
  // container, which is the value of container.ports[0].containerPort").
  for (const c of containers) fillProbeDefaults(c, c === ingress ? ingress.ports[0].containerPort : c.ports?.[0]?.containerPort);
  fillVpcDefaults(t);
  if (!t.maxInstanceRequestConcurrency) {
    // Proto: "defaults to 80 when requested CPU >= 1 and defaults to 1 when requested CPU < 1".
    const cpu = cpuQuantity(ingress?.resources?.limits?.cpu ?? containers[0]?.resources?.limits?.cpu);
    t.maxInstanceRequestConcurrency = cpu < 1 ? 1 : 80;
  }
  return spec;
}

/** Fills a job's defaults in place: taskCount 1, maxRetries 3, task timeout 600s (proto comments). */
export function applyJobDefaults(spec: any, projectNumber: string): any {
  if (!spec.launchStage || spec.launchStage === 'LAUNCH_STAGE_UNSPECIFIED') spec.launchStage = 'GA';
  const exec = (spec.template ??= {});
  if (!exec.taskCount) exec.taskCount = 1;
  const task = (exec.template ??= {});
  // max_retries sits in a oneof, so an explicit 0 is kept; only an absent value defaults.
  if (task.maxRetries === undefined) task.maxRetries = 3;
  task.timeout ??= '600s';
  if (!task.serviceAccount) task.serviceAccount = computeServiceAccount(projectNumber);
  for (const c of (task.containers ??= [])) {
    fillResources(c, false);
    fillProbeDefaults(c, undefined);
  }
  fillVpcDefaults(task);
  return spec;
}

/** VPC egress given without `egress` routes private ranges only (Google fills it in; Terraform reads it back as default_from_api). */
function fillVpcDefaults(t: any): void {
  const vpc = t.vpcAccess;
  if (vpc && (vpc.connector || vpc.networkInterfaces?.length) && (!vpc.egress || vpc.egress === 'VPC_EGRESS_UNSPECIFIED')) vpc.egress = 'PRIVATE_RANGES_ONLY';
}
