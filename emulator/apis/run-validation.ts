// Request checks Cloud Run v2 makes before accepting a service or job (gcp-api-facts.md §1).
// Messages marked [V] are Google's words as seen in the wild; [G] ones are worded by analogy.
import { ApiError, badRequest, invalidArgument } from '../errors.js';

/** Label and annotation key prefixes owned by the platform. */
const SYSTEM_PREFIXES = ['run.googleapis.com', 'cloud.googleapis.com', 'serving.knative.dev', 'autoscaling.knative.dev'];

/** Env names Cloud Run sets itself, per resource kind. */
export const RESERVED_SERVICE_ENV = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'];
/** [G] the job runtime contract's variables, rejected the same way. */
export const RESERVED_JOB_ENV = ['CLOUD_RUN_JOB', 'CLOUD_RUN_EXECUTION', 'CLOUD_RUN_TASK_INDEX', 'CLOUD_RUN_TASK_ATTEMPT', 'CLOUD_RUN_TASK_COUNT'];

/** A violation the way Cloud Run v2 reports it: "Violation in Request.field: description." with a BadRequest. */
export function violation(field: string, description: string): ApiError {
  const where = `Violation in ${field}`;
  return new ApiError(400, `${where}: ${description}`, 'INVALID_ARGUMENT', [badRequest(where, description)]);
}

/**
 * Resource ids: lower-case letters, digits and hyphens, starting with a letter, not ending with a
 * hyphen, shorter than `limit`. [V] for services (limit 50); jobs use the same rule with 64 [G].
 */
export function checkResourceId(id: string | null, field: string, limit: number): string {
  const value = id ?? '';
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length >= limit) {
    throw violation(field, `only lowercase, digits, and hyphens; must begin with letter, and cannot end with hyphen; must be less than ${limit} characters.`);
  }
  return value;
}

/** Rejects platform-owned label or annotation keys [V: annotations wording; labels by analogy]. */
export function checkUserKeys(map: Record<string, string> | undefined, field: string, what: 'labels' | 'annotations'): void {
  for (const key of Object.keys(map ?? {})) {
    const slash = key.indexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    if (SYSTEM_PREFIXES.some((p) => prefix === p || prefix.endsWith(`.${p}`))) {
      throw violation(`${field}[${key}]`, `system ${what} are not supported in Cloud Run API v2.`);
    }
  }
}

export interface ContainerRules {
  /** Path of the containers list for messages, e.g. "template.containers". */
  path: string;
  reservedEnv: string[];
  /** Services may expose one port; jobs none. */
  portsAllowed: boolean;
}

/** Checks containers: an image each, no reserved env names, at most one port (http1|h2c) on one container. */
export function checkContainers(containers: any[] | undefined, rules: ContainerRules): void {
  const list = containers ?? [];
  if (list.length === 0) throw invalidArgument(`${rules.path}: at least one container must be specified.`, rules.path); // [G]
  let withPorts = 0;
  list.forEach((c, i) => {
    const at = `${rules.path}[${i}]`;
    if (!c.image) throw invalidArgument(`${at}.image: Required field is not set.`, `${at}.image`); // [G]
    const reserved = (c.env ?? []).map((e: any) => e.name).filter((n: string) => rules.reservedEnv.includes(n));
    if (reserved.length > 0) {
      // [V] "template.containers[0].env: The following reserved env names were provided: PORT. ..."
      throw invalidArgument(
        `${at}.env: The following reserved env names were provided: ${reserved.join(', ')}. These values are automatically set by the system.`,
        `${at}.env`,
      );
    }
    for (const [j, e] of (c.env ?? []).entries()) {
      if (!e.name) throw invalidArgument(`${at}.env[${j}].name: Required field is not set.`, `${at}.env[${j}].name`); // [G]
      const ref = e.valueSource?.secretKeyRef;
      if (e.valueSource && !ref?.secret) {
        throw invalidArgument(`${at}.env[${j}].value_source.secret_key_ref.secret: Required field is not set.`, `${at}.env[${j}]`); // [G]
      }
    }
    const ports = c.ports ?? [];
    if (ports.length > 0 && !rules.portsAllowed) throw invalidArgument(`${at}.ports: ports are not supported for this resource.`, `${at}.ports`); // [G]
    if (ports.length > 1) throw invalidArgument(`${at}.ports: at most one port can be specified.`, `${at}.ports`); // [G]
    for (const p of ports) {
      if (p.name && p.name !== 'http1' && p.name !== 'h2c') {
        throw invalidArgument(`${at}.ports.name: must be 'http1' or 'h2c'.`, `${at}.ports.name`); // [G]
      }
      if (p.containerPort !== undefined && (p.containerPort < 1 || p.containerPort > 65535)) {
        throw invalidArgument(`${at}.ports.container_port: must be between 1 and 65535.`, `${at}.ports.container_port`); // [G]
      }
    }
    if (ports.length > 0) withPorts++;
  });
  if (withPorts > 1) throw invalidArgument(`${rules.path}: only one container can specify ports (the ingress container).`, rules.path); // [G]
  if (rules.portsAllowed && list.length > 1 && withPorts === 0) {
    throw invalidArgument(`${rules.path}: exactly one container must specify a port when several containers are given.`, rules.path); // [G]
  }
}
