// watch: observe -> diff -> apply, every interval, for one or more stacks, until stopped (SIGTERM),
// a maximum duration (a Cloud Run job task's timeout) or a number of rounds (--once: one cycle per
// Cloud Scheduler execution). A cycle never overlaps the next; a cycle that has something to write
// takes the stack's lease first (CI applies take the same one), plans again under it, and applies
// what the drift policy says to correct. One summary line per cycle, and a status object beside the
// inventory (src/state/watcher-status.ts) that musectl status reads.

import { hostname } from 'node:os';
import type { ControllerRegistry } from '../contract/controller.js';
import { UserError } from '../errors.js';
import { oneLine } from '../gcp/errors.js';
import type { Target } from '../gcp/target.js';
import type { Logger } from '../log.js';
import { type Environment, findEnvironment } from '../manifest/environment.js';
import { formatDiagnostic } from '../manifest/index.js';
import { packageVersion } from '../paths.js';
import { Lease } from '../state/lease.js';
import { DirectorySource, GcsSource, type ManifestSource } from '../state/manifest-source.js';
import { defaultStateDir, openStateStore } from '../state/open.js';
import { type DriftCounts, type WatcherCycleStatus, WatcherStatusStore } from '../state/watcher-status.js';
import type { ApplyResult } from './apply.js';
import { Backoff } from './backoff.js';
import { applyWithInventory, inventoryOutdated } from './pipeline.js';
import { actionKey, hasChanges } from './plan.js';
import type { PlanOptions } from './planner.js';
import { baseContext, InvalidManifestsError, observeAndPlan, openSession, type Session } from './session.js';
import { cycleReport } from './watch-report.js';

export interface WatchOptions {
  controllers: ControllerRegistry;
  /** One entry per stack: a directory or gs://BUCKET/PREFIX/. */
  sources: string[];
  target: Target;
  variables: Record<string, string>;
  /** The environment (--env) each stack is watched in: environments/NAME.yaml of its manifests. */
  environment?: string;
  state?: string;
  log: Logger;
  intervalMs: number;
  /** Fraction of the interval added or taken at random, so watchers of many stacks spread out. */
  jitter: number;
  /** Stop after this long (0: never). */
  maxDurationMs: number;
  /**
   * Stop after this many rounds (a cycle of every stack each), 0: never. A watcher started by Cloud
   * Scheduler every few minutes runs one (watch --once) and exits, so it costs only while it works.
   */
  maxCycles?: number;
  observeOnly: boolean;
  plan: PlanOptions;
  parallelism: number;
  /** How long a failing resource is left alone at first; doubles per failure up to backoffCapMs. */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export interface CycleSummary extends DriftCounts {
  stack: string;
  source: string;
  manifestsChanged: boolean;
  /** Resources that differ from the manifests. */
  driftedResources: number;
  durationMs: number;
  apiCalls: number;
  /** When this cycle held the stack's lease (it wrote only in between). */
  lease?: { acquiredAt: string; releasedAt: string };
}

interface WatchedStack {
  source: ManifestSource;
  backoff: Backoff;
  /** Where its status goes, once a cycle has named the stack (kept for a later cycle that fails early). */
  status?: WatcherStatusStore;
  /** The backoff of earlier executions has been read. */
  restored?: boolean;
}

/** The writer of a status, for people: the Cloud Run execution and task, else host and pid. */
const writer = (): string =>
  process.env.CLOUD_RUN_EXECUTION ? `${process.env.CLOUD_RUN_EXECUTION} task ${process.env.CLOUD_RUN_TASK_INDEX ?? 0}` : `${hostname()} pid ${process.pid}`;

/** An error in the one line the log and the status file hold: the call that failed and Google's answer, not the client's JSON body. */
const reported = (err: unknown): string => (err instanceof UserError ? err.message : oneLine(err));

export class Watcher {
  private stopping = false;
  private wake?: () => void;
  private readonly stacks: WatchedStack[];
  private readonly base;
  /** The last round had a cycle that failed, or a correction that failed. */
  private roundFailed = false;

  constructor(private readonly opts: WatchOptions) {
    this.base = baseContext({ target: opts.target, log: opts.log });
    this.stacks = opts.sources.map((s) => ({
      source: s.startsWith('gs://') ? new GcsSource(s, this.base.clients, this.base.api) : new DirectorySource(s),
      backoff: new Backoff(opts.backoffBaseMs, opts.backoffCapMs),
    }));
  }

  /** Finish what is in flight, then return from run(). */
  stop(reason: string): void {
    if (!this.stopping) this.opts.log.info({ reason }, 'stopping after the actions in flight');
    this.stopping = true;
    this.wake?.();
  }

  /** Whether the last round had a cycle that failed, or a correction that failed (watch --once exits 1 then). */
  get lastRoundFailed(): boolean {
    return this.roundFailed;
  }

  async run(): Promise<CycleSummary[]> {
    const deadline = this.opts.maxDurationMs > 0 ? Date.now() + this.opts.maxDurationMs : Infinity;
    const timer = Number.isFinite(deadline) ? setTimeout(() => this.stop('maximum duration reached'), this.opts.maxDurationMs) : undefined;
    const all: CycleSummary[] = [];
    try {
      for (let round = 1; !this.stopping; round++) {
        let failed = false;
        for (const stack of this.stacks) {
          if (this.stopping) break;
          const started = Date.now();
          const summary = await this.cycle(stack).catch(async (err) => {
            const message = reported(err);
            this.opts.log.error({ source: stack.source.describe(), err: message }, 'cycle failed');
            await this.writeStatus(stack, { ...failedCycle(stack, started), error: message });
            return undefined;
          });
          if (summary) all.push(summary);
          failed ||= !summary || summary.failed > 0;
        }
        this.roundFailed = failed;
        if (this.stopping || round === this.opts.maxCycles) break;
        await this.sleep(this.opts.intervalMs * (1 + (Math.random() * 2 - 1) * this.opts.jitter));
      }
    } finally {
      if (timer) clearTimeout(timer);
      for (const s of this.stacks) s.source.close();
      await this.base.clients.close();
    }
    return all;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Writes the stack's status beside its inventory (where it is known); a failed write is logged, never fatal. */
  private async writeStatus(stack: WatchedStack, cycle: WatcherCycleStatus): Promise<void> {
    if (!stack.status) return;
    await stack.status
      .write({
        formatVersion: 1,
        stack: stack.status.who.stack,
        project: stack.status.who.project,
        ...(stack.status.who.env ? { environment: stack.status.who.env } : {}),
        musectlVersion: packageVersion(),
        intervalMs: this.opts.intervalMs,
        writer: writer(),
        lastCycle: cycle,
        backoff: stack.backoff.snapshot(),
      })
      .catch((err) => this.opts.log.warn({ at: stack.status?.describe(), err: reported(err) }, "could not write the watcher's status"));
  }

  private async cycle(stack: WatchedStack): Promise<CycleSummary | undefined> {
    const started = Date.now();
    const { log } = this.opts;
    const { dir, changed } = await stack.source.sync();
    let environment: Environment | undefined;
    try {
      environment = this.opts.environment ? findEnvironment([dir], this.opts.environment) : undefined;
      if (environment?.project && environment.project !== this.opts.target.project) {
        throw new UserError(
          `${environment.file} gives environment ${environment.name} the project ${environment.project}, but this watcher works on ${this.opts.target.project}`,
        );
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      log.error({ source: stack.source.describe(), error: err.message }, 'the environment cannot be read: nothing is applied this cycle');
      return undefined;
    }
    let session: Session;
    try {
      session = await openSession({
        controllers: this.opts.controllers,
        paths: [dir],
        variables: this.opts.variables,
        target: this.opts.target,
        log,
        state: this.opts.state,
        writes: !this.opts.observeOnly,
        clients: this.base.clients,
        ...(environment ? { environment } : {}),
      });
    } catch (err) {
      if (!(err instanceof InvalidManifestsError)) throw err;
      const errors = err.set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      log.error({ source: stack.source.describe(), errors }, 'the manifests are not valid: nothing is applied this cycle');
      // The Stack document may still name the stack: then its status says why nothing happened.
      if (err.set.stack.document) {
        const store = openStateStore(this.opts.state ?? defaultStateDir(err.set.stack.document.file, [dir]), this.base.clients, this.base.api);
        stack.status ??= new WatcherStatusStore(store, {
          project: this.opts.target.project,
          stack: err.set.stack.name,
          ...(environment ? { env: environment.name } : {}),
        });
      }
      const first = errors[0] ?? 'invalid manifests';
      await this.writeStatus(stack, {
        ...failedCycle(stack, started),
        error: `the manifests are not valid (${errors.length} error${errors.length === 1 ? '' : 's'}; first: ${first})`,
      });
      return undefined;
    }
    try {
      const { ctx } = session;
      stack.status ??= new WatcherStatusStore(session.store, session.who);
      if (!stack.restored) {
        // A watcher that runs one cycle per execution keeps backing off what failed before.
        stack.backoff.restore((await stack.status.read())?.backoff ?? {});
        stack.restored = true;
      }
      const callsBefore = ctx.api.calls + this.base.api.calls;
      const planOptions: PlanOptions = { ...this.opts.plan, drift: this.opts.observeOnly ? 'observe-only' : 'annotated' };
      let planned = await observeAndPlan(session, planOptions);
      let result: ApplyResult | undefined;
      let leaseWindow: CycleSummary['lease'];
      const holding = stack.backoff.holding();
      if ((hasChanges(planned.exec.plan) || (!this.opts.observeOnly && inventoryOutdated(session, planned))) && !this.stopping) {
        const lease = await Lease.acquire(session.store, session.who, {
          waitMs: this.opts.intervalMs,
          what: 'musectl watch',
          onWait: (h) => log.info({ stack: ctx.stack, holder: h.description, since: h.acquiredAt }, "waiting for the stack's lease"),
        });
        try {
          // Someone may have written between the first look and the lease: look again.
          planned = await observeAndPlan(session, planOptions);
          result = await applyWithInventory(session, planned, {
            parallelism: this.opts.parallelism,
            lease,
            skip: holding,
            shouldStop: () => this.stopping,
            listener: () => undefined, // each resource is reported once, below
          });
        } finally {
          await lease.release().catch(() => undefined);
          leaseWindow = { acquiredAt: lease.record.acquiredAt, releasedAt: new Date().toISOString() };
        }
        for (const a of result.done) stack.backoff.succeeded(actionKey(a));
        for (const f of result.failed) stack.backoff.failed(actionKey(f.action), f.error);
      }
      // Each drifted resource once, with its fields and what became of it.
      const { drifts, counts } = cycleReport(planned.exec.plan.actions, result, holding, session.controllers);
      for (const d of drifts) {
        const level = d.outcome === 'corrected' ? 'info' : 'warn';
        log[level]({ stack: ctx.stack, ...d }, `drift: ${d.resource} ${d.state ?? d.drift}, ${d.outcome}`);
      }
      const summary: CycleSummary = {
        stack: ctx.stack,
        source: stack.source.describe(),
        manifestsChanged: changed,
        driftedResources: drifts.length,
        ...counts,
        durationMs: Date.now() - started,
        apiCalls: ctx.api.calls + this.base.api.calls - callsBefore,
        ...(leaseWindow ? { lease: leaseWindow } : {}),
      };
      log.info(summary, 'cycle');
      await this.writeStatus(stack, {
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: summary.durationMs,
        outcome: 'completed',
        source: summary.source,
        manifestsChanged: summary.manifestsChanged,
        ...counts,
        apiCalls: summary.apiCalls,
      });
      return summary;
    } finally {
      await session.close();
    }
  }
}

/** The status of a cycle that did not finish (its error added by the caller). */
function failedCycle(stack: WatchedStack, started: number): WatcherCycleStatus {
  const zero: DriftCounts = { driftFound: 0, corrected: 0, reported: 0, failed: 0, backingOff: 0, heldBack: 0, notAttempted: 0 };
  return {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    outcome: 'failed',
    source: stack.source.describe(),
    ...zero,
  };
}
