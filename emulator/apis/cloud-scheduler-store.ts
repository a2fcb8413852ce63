// Where Cloud Scheduler jobs are kept, shared by cloud-scheduler.ts (the API) and
// cloud-scheduler-attempts.ts (firing them).
import type { Emulator } from '../emulator.js';

export const SCHEDULER = 'google.cloud.scheduler.v1';
export const JOB = `${SCHEDULER}.Job`;

export interface StoredSchedulerJob {
  /** The Job as the API shows it (enum names, camelCase). */
  job: Record<string, any>;
  projectNumber: string;
  /** When the schedule was last set or resumed: where an "every N minutes" schedule counts from. */
  anchor: string;
  /** Failed attempts in a row of the current run (retries follow RetryConfig). */
  retries?: number;
}

export const schedulerJobs = (emu: Emulator) => emu.store.collection<StoredSchedulerJob>('cloudscheduler.jobs');

/** The jobs of a project and location, by name. */
export function jobsOf(emu: Emulator, parent: string): StoredSchedulerJob[] {
  return Object.entries(schedulerJobs(emu))
    .filter(([key]) => key.startsWith(`${parent}/jobs/`))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, s]) => s);
}
