// A service with internal ingress admits only requests that arrive from a VPC network of the
// project. Another Cloud Run service calling its run.app URL goes out over the internet unless its
// own egress is routed into the VPC (all traffic, not only private ranges: run.app resolves to public
// addresses). Without that, every call is refused (403/404) although IAM would allow it.
import type { Diagnostic } from '../diagnostics.js';
import { locate, type Path } from '../document.js';
import type { Resource } from '../resource.js';
import { type EnvVar, envVars, isRunAppHostOf, type LintRule, urlsIn, warning } from './rule.js';

const ID = 'internal-ingress-without-vpc';

/** Ingress settings that admit traffic from the VPC but not from the internet. */
const INTERNAL = new Set(['INGRESS_TRAFFIC_INTERNAL_ONLY', 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER']);

/** Direct VPC egress or a connector, with ALL_TRAFFIC so requests to run.app go through the VPC too. */
function hasVpcEgress(r: Resource): boolean {
  const vpc = r.spec.template?.vpcAccess as { connector?: string; egress?: string; networkInterfaces?: unknown[] } | undefined;
  if (vpc?.egress !== 'ALL_TRAFFIC') return false;
  return Boolean(vpc.connector) || (vpc.networkInterfaces?.length ?? 0) > 0;
}

/** The internal service an env var calls, and the path of the reference to point at. */
function callOf(env: EnvVar, callees: Resource[]): { callee: Resource; at: Path } | undefined {
  const ref = env.valueFrom?.outputRef;
  if (ref && ref.kind === 'CloudRunService' && ref.output === 'uri') {
    const callee = callees.find((c) => c.name === ref.name);
    if (callee) return { callee, at: [...env.path, 'valueFrom', 'outputRef', 'name'] };
  }
  if (typeof env.value === 'string') {
    const hosts = urlsIn(env.value).map((u) => u.host);
    const callee = callees.find((c) => hosts.some((h) => isRunAppHostOf(h, c.name)));
    if (callee) return { callee, at: [...env.path, 'value'] };
  }
  return undefined;
}

export const internalIngressWithoutVpc: LintRule = {
  id: ID,
  check(ctx) {
    const services = ctx.ofKind('CloudRunService');
    const internal = services.filter((s) => INTERNAL.has(s.spec.ingress));
    if (internal.length === 0) return [];
    const out: Diagnostic[] = [];
    for (const caller of services) {
      if (hasVpcEgress(caller)) continue;
      const callees = internal.filter((c) => c !== caller);
      for (const env of envVars(caller)) {
        const call = callOf(env, callees);
        if (!call) continue;
        out.push(
          warning(
            caller,
            ID,
            locate(caller.doc, call.at),
            `${env.name} calls ${call.callee.key}, whose ingress is ${call.callee.spec.ingress}, but this service has no VPC egress, so its requests arrive from the internet and get 403/404; ` +
              'give this service template.vpcAccess {networkInterfaces or connector, egress: ALL_TRAFFIC}, or make the callee INGRESS_TRAFFIC_ALL and rely on IAM (roles/run.invoker)',
          ),
        );
      }
    }
    return out;
  },
};
