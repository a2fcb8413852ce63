// Where Cloud Run jobs and their executions are kept, shared by run-jobs.ts and run-executions.ts.
import type { Emulator } from '../emulator.js';
import type { EmuRequest } from '../router.js';
import { RUN, type RunScope, runNotFound, runScope } from './run-common.js';
import type { DeployFailure } from './run-deploy-checks.js';

export const JOB = `${RUN}.Job`;
export const EXECUTION = `${RUN}.Execution`;

export interface StoredJob {
  /** The Job resource as the API shows it (canonical: enum names, camelCase). */
  job: Record<string, any>;
  projectNumber: string;
  /** Why the pending rollout will fail (run-deploy-checks.ts), if it will. */
  failure?: DeployFailure;
}

export interface StoredExecution {
  execution: Record<string, any>;
  jobKey: string;
  /** Why the execution's tasks cannot start (run-deploy-checks.ts), if they cannot. */
  failure?: DeployFailure;
}

export const jobs = (emu: Emulator) => emu.store.collection<StoredJob>('run.jobs');
export const executions = (emu: Emulator) => emu.store.collection<StoredExecution>('run.executions');

/** The job named by the request path ({job}), or Cloud Run's 404. */
export function lookupJob(req: EmuRequest, metric: 'run.read' | 'run.write'): { scope: RunScope; key: string; stored: StoredJob } {
  const scope = runScope(req, metric);
  const key = `${scope.parent}/jobs/${req.params.job}`;
  const stored = jobs(req.emu)[key];
  if (!stored) throw runNotFound('JOB', req.params.job, scope);
  return { scope, key, stored };
}

export function executionsOf(emu: Emulator, jobKey: string): StoredExecution[] {
  return Object.values(executions(emu)).filter((e) => e.jobKey === jobKey);
}

/** Deleting a job deletes its executions. */
export function deleteExecutionsOf(emu: Emulator, jobKey: string): void {
  for (const e of executionsOf(emu, jobKey)) delete executions(emu)[e.execution.name];
}
