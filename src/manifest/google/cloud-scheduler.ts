// Cloud Scheduler's create-time rules that a schema keyword cannot say, checked before any call:
// a schedule that is not unix-cron (nor English-like) or a time zone the tz database does not know
// (Google: 400 "Schedule or time zone is invalid."), an HTTP attempt deadline outside 15 s to 30 min,
// a body with a method that takes none. Each rule cites the page that states it.
import { durationSeconds } from '../../contract/normalize.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../document.js';
import { locateField } from '../lint/rule.js';
import { quote } from '../quote.js';
import type { Resource } from '../resource.js';

const CRON_DOC = 'https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules';

/** Each unix-cron field: its name, its range, and the names it takes ("Cron job format and time zone"). */
const FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of the month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of the week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** What is wrong with a schedule, or undefined when Cloud Scheduler takes it. */
export function scheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  // The English-like form ("every 5 minutes", "every monday 09:00") is Google's to parse.
  if (/^every\s+\S/i.test(text)) return undefined;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `has ${parts.length} field${parts.length === 1 ? '' : 's'}; unix-cron has five (minute hour day-of-month month day-of-week)`;
  for (const [i, part] of parts.entries()) {
    const f = FIELDS[i];
    for (const item of part.split(',')) {
      const m = /^(\*|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:\/([0-9]+))?$/.exec(item);
      const value = (t: string | undefined): number | undefined => {
        if (t === undefined) return undefined;
        if (/^[0-9]+$/.test(t)) return Number(t);
        const n = f.names?.indexOf(t.toUpperCase()) ?? -1;
        return n < 0 ? Number.NaN : n + f.min;
      };
      const [from, to] = [value(m?.[2]), value(m?.[3])];
      const bad =
        !m || m[4] === '0' || [from, to].some((v) => v !== undefined && !(v >= f.min && v <= f.max)) || (from !== undefined && to !== undefined && from > to);
      if (bad) {
        const hint = /L/i.test(item) ? ' (Cloud Scheduler does not support L)' : '';
        return `${f.name} ${quote(item)} is not a value, range or step from ${f.min} to ${f.max}${f.names ? ` (or ${f.names[0]}-${f.names[f.names.length - 1]})` : ''}${hint}`;
      }
    }
  }
  return undefined;
}

let canonicalZones: Set<string> | undefined;

/** Whether the tz database (Node's ICU) knows the zone; "utc" is Google's spelling of UTC. */
function knownTimeZone(zone: string): boolean {
  // The canonical zones first: listing them takes ~1 ms, where the first DateTimeFormat (which
  // also knows the aliases, such as UTC) loads ICU's locale data, ~10 ms of every validate.
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function cloudSchedulerRules(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (path: Path, message: string) => out.push({ ...locateField(r, path), severity: 'error', subject: r.key, message });
  const spec = r.spec as Record<string, any>;
  if (typeof spec.schedule === 'string') {
    const problem = scheduleProblem(spec.schedule);
    if (problem)
      error(['spec', 'schedule'], `spec.schedule: ${quote(spec.schedule)} ${problem}; Google refuses it ("Schedule or time zone is invalid.", ${CRON_DOC})`);
  }
  if (typeof spec.timeZone === 'string' && !knownTimeZone(spec.timeZone)) {
    error(
      ['spec', 'timeZone'],
      `spec.timeZone: ${quote(spec.timeZone)} is not a tz database name such as "Asia/Tokyo" or "Etc/UTC"; Google refuses it ("Schedule or time zone is invalid.", ${CRON_DOC})`,
    );
  }
  const deadline = durationSeconds(spec.attemptDeadline);
  if (typeof deadline === 'number' && (deadline < 15 || deadline > 1800)) {
    error(
      ['spec', 'attemptDeadline'],
      `spec.attemptDeadline: ${deadline}s is out of range: for an HTTP target it is 15s to 30m (google.cloud.scheduler.v1.Job.attempt_deadline)`,
    );
  }
  const h = spec.httpTarget as Record<string, any> | undefined;
  if (h?.body !== undefined && !['POST', 'PUT', 'PATCH'].includes(h.httpMethod ?? 'POST')) {
    error(
      ['spec', 'httpTarget', 'body'],
      `spec.httpTarget.body: a ${h.httpMethod} request takes no body; only POST, PUT and PATCH do (google.cloud.scheduler.v1.HttpTarget.body)`,
    );
  }
  return out;
}
