// What Cloud Run refuses synchronously (400 INVALID_ARGUMENT on the create or update call) about a
// revision's shape: CPU and memory outside Cloud Run's table, concurrency and timeouts out of range.
// Sources, cited at each rule: the "Configure CPU limits" and "Configure memory limits" pages for
// services and jobs, the request-timeout and task-timeout pages. Messages marked [V] are Google's
// words as users quote them; [G] ones follow them by analogy (emulator/FACTS.md).
import { ApiError, badRequest } from '../errors.js';
import { cpuQuantity, durationSeconds } from './run-common.js';

const MI = 1024 * 1024;
const GI = 1024 * MI;

/**
 * Memory each whole CPU count allows, from the "vCPU and memory table"
 * (cloud.google.com/run/docs/configuring/services/cpu, .../jobs/cpu): 1 vCPU 128 MiB to 4 GiB,
 * 2 vCPU 128 MiB to 8 GiB, 4 vCPU 2 to 16 GiB, 6 vCPU 4 to 24 GiB, 8 vCPU 4 to 32 GiB.
 */
const WHOLE_CPU_MEMORY: Record<number, [min: number, max: number]> = {
  1: [128 * MI, 4 * GI],
  2: [128 * MI, 8 * GI],
  4: [2 * GI, 16 * GI],
  6: [4 * GI, 24 * GI],
  8: [4 * GI, 32 * GI],
};
/** "any value between 0.08 and 1" below one vCPU (same pages). */
const MIN_FRACTIONAL_CPU = 0.08;
/** "The minimum amount of memory you can configure in the second generation execution environment is 512 MiB." */
const GEN2_MIN_MEMORY = 512 * MI;
/** Concurrency "can be set to any integer value up to 1000" (Configure maximum concurrent requests). */
export const MAX_CONCURRENCY = 1000;
/** Request timeout: "up to 60 minutes" (Configure request timeout for services). */
export const MAX_SERVICE_TIMEOUT_S = 3600;
/** Task timeout: "up to 168 hours (7 days)" (Set task timeout for jobs). */
export const MAX_TASK_TIMEOUT_S = 168 * 3600;

export interface RevisionShape {
  containers: any[];
  /** Request concurrency of a service revision (jobs have none). */
  concurrency?: number;
  /** Jobs always run in the second generation environment; services when they ask for it. */
  gen2: boolean;
  /** Where the containers sit in the resource, for messages: "template.containers" or "template.template.containers". */
  path: string;
}

/** A field error as Cloud Run v2 words it: "template.containers.resources.limits.cpu: Invalid value specified for cpu. ..." [V] */
function invalidValue(field: string, message: string): ApiError {
  const text = `${field}: ${message}`;
  return new ApiError(400, text, 'INVALID_ARGUMENT', [badRequest(field, message)]);
}

/** Bytes of a Kubernetes memory quantity ("512Mi", "2Gi", "1G", "1000000"); NaN when unparsable. */
export function memoryBytes(value: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? '').trim());
  if (!m) return NaN;
  const unit: Record<string, number> = { Ki: 1024, Mi: MI, Gi: GI, Ti: 1024 * GI, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2]] : 1);
}

const showMemory = (bytes: number): string => (bytes % GI === 0 ? `${bytes / GI}Gi` : `${bytes / MI}Mi`);
const showCpu = (cpu: number): string => (Number.isInteger(cpu) ? cpu.toFixed(1) : String(cpu));

/** The memory range a CPU count allows, or undefined when the CPU count itself is not allowed. */
function memoryRange(cpu: number, gen2: boolean): [number, number] | undefined {
  let range: [number, number] | undefined;
  if (cpu >= MIN_FRACTIONAL_CPU && cpu < 1) {
    // "A minimum of 0.5 vCPU is needed to set a memory limit greater than 512MiB. A minimum of 1 vCPU
    // is needed to set a memory limit greater than 1GiB."
    range = [128 * MI, cpu < 0.5 ? 512 * MI : GI];
  } else {
    range = WHOLE_CPU_MEMORY[cpu];
  }
  if (!range) return undefined;
  return [Math.max(range[0], gen2 ? GEN2_MIN_MEMORY : 0), range[1]];
}

/** CPU and memory of every container against the table, and concurrency against fractional CPU. */
export function checkResources(shape: RevisionShape): void {
  const limitsPath = `${shape.path}.resources.limits`;
  for (const c of shape.containers) {
    const limits = c.resources?.limits ?? {};
    const cpu = cpuQuantity(limits.cpu ?? '1000m');
    const range = memoryRange(cpu, shape.gen2);
    if (!range) {
      // [G] wording; the allowed values are the CPU pages' table.
      throw invalidValue(
        `${limitsPath}.cpu`,
        'Invalid value specified for cpu. Values of 1 and above must be 1, 2, 4, 6 or 8; values below 1 must be at least 0.08.',
      );
    }
    // "If you use less than 1 vCPU ... Maximum concurrency must be set to 1." [G wording]
    if (cpu < 1 && (shape.concurrency ?? 1) > 1) {
      throw invalidValue(`${limitsPath}.cpu`, 'Invalid value specified for cpu. Total cpu < 1 is not supported with concurrency > 1.');
    }
    const memory = memoryBytes(limits.memory ?? '512Mi');
    if (!(memory >= range[0] && memory <= range[1])) {
      // [V] "Invalid value specified for memory. For 1.0 CPU, memory must be between 128Mi and 4Gi inclusive."
      // and, on gen2, "Invalid value specified for memory with gen2 execution environment. ..."
      const env = shape.gen2 ? ' with gen2 execution environment' : '';
      throw invalidValue(
        `${limitsPath}.memory`,
        `Invalid value specified for memory${env}. For ${showCpu(cpu)} CPU, memory must be between ${showMemory(range[0])} and ${showMemory(range[1])} inclusive.`,
      );
    }
  }
}

/** A service revision's maximum concurrency: 0 means the default; at most 1000. [G wording] */
export function checkConcurrency(concurrency: number | undefined, field: string): void {
  if (concurrency === undefined) return;
  if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > MAX_CONCURRENCY) {
    throw invalidValue(field, `Invalid value specified for container concurrency. Container concurrency must be between 0 and ${MAX_CONCURRENCY}.`);
  }
}

/** A request or task timeout: at least a second and at most `maxSeconds`. [G wording] */
export function checkTimeout(timeout: string | undefined, field: string, maxSeconds: number): void {
  if (timeout === undefined) return;
  const seconds = durationSeconds(timeout);
  if (!(seconds >= 1 && seconds <= maxSeconds)) {
    throw invalidValue(field, `Invalid value specified for timeout. The timeout must be between 1 and ${maxSeconds} seconds.`);
  }
}
