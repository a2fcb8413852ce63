// Cloud Scheduler firing its jobs, on the emulator's clock: each enabled job has one timer at its
// scheduleTime; when it comes, one attempt is made and its outcome recorded (lastAttemptTime,
// status), then the next time is armed once the attempt has finished ("execution n + 1 of a job
// will not begin until execution n has finished", google.cloud.scheduler.v1.Job.schedule). A
// failed attempt is retried per RetryConfig until the next scheduled time. Occurrences a clock jump
// passes over are not made up: one attempt, then the next time after now.
//
// An HTTP target is called for real, but never beyond loopback: a *.googleapis.com URL is sent to
// the emulator itself (its Host header kept, so Cloud Run's regional v1 host works), a loopback URL
// as it is, any other host not at all (the attempt fails UNAVAILABLE and says why).
import { request as httpRequest } from 'node:http';
import type { Timer } from '../clock.js';
import { DELIVERY_HEADER, type Emulator } from '../emulator.js';
import { nextRun, parseSchedule } from './cloud-scheduler-cron.js';
import { schedulerJobs } from './cloud-scheduler-store.js';

const timers = new WeakMap<Emulator, Map<string, Timer>>();
const timersOf = (emu: Emulator): Map<string, Timer> => {
  let t = timers.get(emu);
  if (!t) timers.set(emu, (t = new Map()));
  return t;
};

/** "The default value of this field is 5 seconds" / "1 hour" / max_doublings "5" (RetryConfig). */
const RETRY_DEFAULTS = { minBackoffS: 5, maxBackoffS: 3600, maxDoublings: 5 };
/** "For HTTP targets, the default is 3 minutes." (Job.attempt_deadline) */
const DEFAULT_DEADLINE_S = 180;

const seconds = (d: unknown, fallback: number): number => (d === undefined ? fallback : Number(String(d).replace(/s$/, '')));

export function disarmJob(emu: Emulator, key: string): void {
  timersOf(emu).get(key)?.cancel();
  timersOf(emu).delete(key);
}

/** Sets the job's next scheduleTime and its timer (none while paused, or for a schedule not evaluated). */
export function armJob(emu: Emulator, key: string, atMs?: number): void {
  disarmJob(emu, key);
  const stored = schedulerJobs(emu)[key];
  if (!stored) return;
  const job = stored.job;
  const schedule = parseSchedule(String(job.schedule ?? ''));
  const now = emu.clock.now();
  const next = atMs ?? (schedule && job.state === 'ENABLED' ? nextRun(schedule, now, job.timeZone ?? 'UTC', Date.parse(stored.anchor)) : undefined);
  if (next === undefined || job.state !== 'ENABLED') {
    delete job.scheduleTime;
    return;
  }
  job.scheduleTime = new Date(next).toISOString();
  timersOf(emu).set(
    key,
    emu.clock.setTimer(next - now, () => {
      timersOf(emu).delete(key);
      emu.track(scheduledAttempt(emu, key, next));
    }),
  );
}

/** Every stored job (a state file loaded), from now on. */
export function rearmAll(emu: Emulator): void {
  for (const key of Object.keys(schedulerJobs(emu))) armJob(emu, key);
}

async function scheduledAttempt(emu: Emulator, key: string, dueMs: number): Promise<void> {
  const before = schedulerJobs(emu)[key];
  // Deleted, paused or rescheduled since the timer was set: this occurrence is no more.
  if (before?.job.state !== 'ENABLED' || before.job.scheduleTime !== new Date(dueMs).toISOString()) return;
  const ok = await attempt(emu, key, dueMs);
  const stored = schedulerJobs(emu)[key];
  if (!stored) return;
  const retryCount = stored.job.retryConfig?.retryCount ?? 0;
  const schedule = parseSchedule(String(stored.job.schedule ?? ''));
  const nextScheduled = schedule ? nextRun(schedule, emu.clock.now(), stored.job.timeZone ?? 'UTC', Date.parse(stored.anchor)) : undefined;
  if (!ok && (stored.retries ?? 0) < retryCount) {
    stored.retries = (stored.retries ?? 0) + 1;
    const retryAt = emu.clock.now() + backoffMs(stored.job.retryConfig ?? {}, stored.retries);
    // Retries stop at the next scheduled time, which starts afresh.
    if (nextScheduled === undefined || retryAt < nextScheduled) {
      armJob(emu, key, retryAt);
      emu.store.persist();
      return;
    }
  }
  stored.retries = 0;
  armJob(emu, key);
  emu.store.persist();
}

/**
 * "starts at min_backoff_duration, then doubles max_doublings times, then increases linearly, and
 * finally retries at intervals of max_backoff_duration" (RetryConfig.max_doublings).
 */
export function backoffMs(retry: Record<string, any>, n: number): number {
  const min = seconds(retry.minBackoffDuration, RETRY_DEFAULTS.minBackoffS);
  const max = seconds(retry.maxBackoffDuration, RETRY_DEFAULTS.maxBackoffS);
  const doublings = retry.maxDoublings ?? RETRY_DEFAULTS.maxDoublings;
  const interval = n <= doublings + 1 ? min * 2 ** (n - 1) : min * 2 ** doublings * (n - doublings);
  return Math.min(interval, max) * 1000;
}

/** The :run method: one attempt now, whatever the schedule says. */
export async function attemptNow(emu: Emulator, key: string): Promise<void> {
  await attempt(emu, key, undefined);
  emu.store.persist();
}

/** One attempt; records lastAttemptTime and status; true when the target answered 2xx. */
async function attempt(emu: Emulator, key: string, scheduledMs: number | undefined): Promise<boolean> {
  const stored = schedulerJobs(emu)[key];
  if (!stored) return false;
  stored.job.lastAttemptTime = emu.clock.iso();
  const status = await deliver(emu, stored.job, scheduledMs);
  const now = schedulerJobs(emu)[key];
  if (now) now.job.status = status;
  return !status.code;
}

/** google.rpc.Code of an HTTP answer (the canonical mapping); a 403 is PERMISSION_DENIED, 7 [V]. */
function codeOf(http: number): number {
  if (http >= 200 && http < 300) return 0;
  const codes: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 412: 9, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 };
  return codes[http] ?? 2;
}

interface Status {
  code?: number;
  message?: string;
}

async function deliver(emu: Emulator, job: Record<string, any>, scheduledMs: number | undefined): Promise<Status> {
  const http = job.httpTarget;
  if (!http) return { code: 12, message: 'The emulator makes no Pub/Sub or App Engine deliveries: only HTTP targets are attempted.' };
  const url = new URL(http.uri);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((http.headers ?? {}) as Record<string, string>)) {
    if (!/^(host|content-length|user-agent|x-google-.*|x-appengine-.*)$/i.test(k)) headers[k.toLowerCase()] = v;
  }
  // The headers Cloud Scheduler sets (HttpTarget.headers).
  Object.assign(headers, { 'user-agent': 'Google-Cloud-Scheduler', 'x-cloudscheduler': 'true', 'x-cloudscheduler-jobname': job.name.split('/').pop() });
  if (scheduledMs !== undefined && parseSchedule(String(job.schedule))?.kind === 'cron')
    headers['x-cloudscheduler-scheduletime'] = new Date(scheduledMs).toISOString();
  const body = http.body ? Buffer.from(String(http.body), 'base64') : undefined;
  if (body && !headers['content-type']) headers['content-type'] = 'application/octet-stream';
  const account = http.oauthToken?.serviceAccountEmail ?? http.oidcToken?.serviceAccountEmail;
  if (account !== undefined) {
    // Cloud Scheduler mints the token as the account; one that does not exist cannot be minted [G].
    if (!emu.policies.serviceAccountUsable(account)) return { code: 7, message: `Cannot generate a token for service account ${account}: it does not exist.` };
    headers.authorization = `Bearer ${emu.identities.mint(account)}`;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const google = url.hostname.endsWith('.googleapis.com');
  if (!(google && emu.selfUrl) && !(loopback && url.protocol === 'http:')) {
    return { code: 14, message: `The emulator sends no request beyond loopback: ${url.origin} was not called.` };
  }
  const to = google ? (emu.selfUrl as URL) : url;
  if (google) {
    headers.host = url.host;
    headers[DELIVERY_HEADER] = emu.deliveryToken; // the emulator's own call, not a client's (server.ts)
  }
  const method = http.httpMethod && http.httpMethod !== 'HTTP_METHOD_UNSPECIFIED' ? http.httpMethod : 'POST';
  const deadlineMs = seconds(job.attemptDeadline, DEFAULT_DEADLINE_S) * 1000;
  return new Promise<Status>((resolve) => {
    const req = httpRequest(
      { host: to.hostname.replace(/^\[|\]$/g, ''), port: to.port, path: `${url.pathname}${url.search}`, method, headers, timeout: deadlineMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve(codeOf(res.statusCode ?? 500) ? { code: codeOf(res.statusCode ?? 500) } : {}));
      },
    );
    req.on('timeout', () => req.destroy(new Error('deadline')));
    req.on('error', (err) => resolve(err.message === 'deadline' ? { code: 4 } : { code: 14, message: err.message }));
    req.end(body);
  });
}
