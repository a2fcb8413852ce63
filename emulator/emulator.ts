// The emulator's parts, wired together. API modules (apis/*.ts) register their routes on the
// router and keep their resources in the state store; everything else here is shared machinery.

import { randomBytes } from 'node:crypto';
import { type Clock, SystemClock } from './clock.js';
import { FaultInjector, type FaultRates } from './faults.js';
import { PolicyStore } from './iam-policy.js';
import { Identities } from './identity.js';
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
  /**
   * The project sits in an organization with Domain Restricted Sharing (the organization policy
   * constraints/iam.allowedPolicyMemberDomains, on by default for organizations created since
   * 2024-05-03): every API refuses an IAM policy change that adds allUsers or allAuthenticatedUsers.
   */
  domainRestrictedSharing?: boolean;
  /** Where warnings go (a non-loopback bind); stderr by default. */
  warn?: (message: string) => void;
}

/** The header of a request the emulator sends itself (Emulator.deliveryToken). */
export const DELIVERY_HEADER = 'x-emulator-delivery';

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
  readonly identities = new Identities();
  /**
   * Client calls: everything but the emulator's own (`deliveries`: a Cloud Scheduler job calling a
   * Google API, which the emulator sends to itself). A scheduled delivery comes whenever the clock
   * reaches a job's time, so counted with the clients' calls it made a test's "no call was made"
   * fail at every fifth minute (SessionMUSE's watcher runs every 5 minutes).
   */
  readonly stats = { total: 0, requests: {} as Record<string, number>, deliveries: {} as Record<string, number> };
  /** Where the emulator listens (set once it does): what it calls when it calls itself (Cloud Scheduler). */
  selfUrl?: URL;
  /** Marks a request the emulator sends itself (header DELIVERY_HEADER): unguessable, so no client's is taken for one. */
  readonly deliveryToken = randomBytes(16).toString('hex');
  /** Work started by a timer rather than a request (a Cloud Scheduler attempt), until it settles. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(readonly options: EmulatorOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.store = new StateStore(options.stateFile);
    this.faults = new FaultInjector(options.faults ?? {});
    this.quota = new QuotaTracker(Boolean(options.quotas), this.clock);
    this.operations = new Operations(this.store, options.operationMs ?? 0, this.clock, () => this.store.persist());
    this.operations.armPending();
    this.projects = new Projects(this.store, this.clock, options.projects ? new Set(options.projects) : undefined);
    this.policies = new PolicyStore(this.store, Boolean(options.domainRestrictedSharing));
    this.log = new RequestLog(options.requestLogSize ?? 20_000, this.clock);
  }

  /** Runs `work` in the background; idle() waits for it. */
  track(work: Promise<unknown>): void {
    const settled = work
      .catch((err) => process.stderr.write(`emulator: background work failed: ${err?.stack ?? err}\n`))
      .finally(() => this.background.delete(settled));
    this.background.add(settled);
  }

  /** Resolves once no background work is left (work started meanwhile included). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Clears state, counters, the request log and fault sequences (POST /_emulator/reset). */
  reset(): void {
    this.operations.release();
    this.store.reset();
    this.projects.provisionAllowed();
    this.stats.total = 0;
    this.stats.requests = {};
    this.stats.deliveries = {};
    this.quota.reset();
    this.faults.reset();
    this.log.clear();
  }
}
