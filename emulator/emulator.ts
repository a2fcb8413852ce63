// The emulator's parts, wired together. API modules (apis/*.ts) register their routes on the
// router and keep their resources in the state store; everything else here is shared machinery.

import { type Clock, SystemClock } from './clock.js';
import { FaultInjector, type FaultRates } from './faults.js';
import { PolicyStore } from './iam-policy.js';
import { Operations } from './operations.js';
import { Projects } from './projects.js';
import { QuotaTracker } from './quota.js';
import { RequestLog } from './request-log.js';
import { Router } from './router.js';
import { StateStore } from './state.js';

export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; loopback by default. */
  host?: string;
  /** Persist state to this JSON file (atomically, after every change). In memory when absent. */
  stateFile?: string;
  /** Added to every API request before it is handled. */
  latencyMs?: number;
  /** How long long-running operations (Cloud Run rollouts, repository creation) take. */
  operationMs?: number;

  /** For this long after creation a service account 404s on GET and cannot be bound in a policy. */
  serviceAccountConsistencyMs?: number;
  /** Enforce Google's default quotas. */
  quotas?: boolean;
  /** Seeded fault injection. */
  faults?: FaultRates;
  /** Keep this many requests (with bodies) in the request log. */
  requestLogSize?: number;
  /** The emulator's time (clock.ts); a SystemClock (wall-clock time) by default. */
  clock?: Clock;
  /**
   * Strict project mode: only these project ids exist; any other answers 403 PERMISSION_DENIED, as
   * Google answers for a project the caller cannot see. Without it every project id is accepted.
   */
  projects?: string[];
  /** Where warnings go (a non-loopback bind); stderr by default. */
  warn?: (message: string) => void;
}

export class Emulator {
  readonly router = new Router();
  readonly clock: Clock;
  readonly store: StateStore;
  readonly faults: FaultInjector;
  readonly quota: QuotaTracker;
  readonly operations: Operations;
  readonly projects: Projects;
  readonly policies: PolicyStore;
  readonly log: RequestLog;
  readonly stats = { total: 0, requests: {} as Record<string, number> };

  constructor(readonly options: EmulatorOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.store = new StateStore(options.stateFile);
    this.faults = new FaultInjector(options.faults ?? {});
    this.quota = new QuotaTracker(Boolean(options.quotas), this.clock);
    this.operations = new Operations(this.store, options.operationMs ?? 0, this.clock, () => this.store.persist());
    this.operations.armPending();
    this.projects = new Projects(this.store, this.clock, options.projects ? new Set(options.projects) : undefined);
    this.policies = new PolicyStore(this.store);
    this.log = new RequestLog(options.requestLogSize ?? 20_000, this.clock);
  }

  /** Clears state, counters, the request log and fault sequences (POST /_emulator/reset). */
  reset(): void {
    this.operations.release();
    this.store.reset();
    this.projects.provisionAllowed();
    this.stats.total = 0;
    this.stats.requests = {};
    this.quota.reset();
    this.faults.reset();
    this.log.clear();
  }
}
