// Cloud Scheduler's schedules ("Cron job format and time zone",
// cloud.google.com/scheduler/docs/configuring/cron-job-schedules): five unix-cron fields (minute
// 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT, 7 also
// Sunday) with `*`, lists, ranges and steps; `L` is not supported; day of month and day of week
// are ORed when both are restricted. The time zone is a tz database name ("utc" for UTC). The
// English-like form ("every 5 minutes") is accepted; only "every N minutes|hours" is evaluated.
// A schedule is evaluated on the wall clock of the job's time zone, minute by minute of real time:
// a wall time that a daylight-saving change skips never comes, one it repeats comes twice.

export interface CronSchedule {
  kind: 'cron';
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** A day-of-month or day-of-week field written as `*` (only the other one restricts the day). */
  anyDay: boolean;
  anyWeekday: boolean;
}

export interface IntervalSchedule {
  kind: 'interval';
  minutes: number;
}

export type Schedule = CronSchedule | IntervalSchedule | { kind: 'english' };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  /** The first name's number (JAN is 1, SUN is 0). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

/** The schedule, or undefined when Google would refuse it ("Schedule or time zone is invalid."). */
export function parseSchedule(text: string): Schedule | undefined {
  const trimmed = text.trim();
  if (/^every\s/i.test(trimmed)) {
    const m = /^every\s+(\d+)\s+(minutes?|mins?|hours?)$/i.exec(trimmed);
    if (!m) return { kind: 'english' };
    const n = Number(m[1]);
    if (n < 1) return undefined;
    return { kind: 'interval', minutes: /^h/i.test(m[2]) ? n * 60 : n };
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) return undefined;
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]));
  if (sets.some((s) => s === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  if (weekdays.has(7)) weekdays.add(0);
  return { kind: 'cron', minutes, hours, days, months, weekdays, anyDay: parts[2] === '*', anyWeekday: parts[4] === '*' };
}

function parseField(text: string, spec: FieldSpec): Set<number> | undefined {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (m[1] === '*') [from, to] = [spec.min, spec.max === 7 ? 6 : spec.max];
    else {
      const [a, b] = m[1].split('-');
      from = value(a, spec);
      // "N/S" runs from N to the end, as in Vixie cron.
      to = b === undefined ? (m[2] === undefined ? from : spec.max) : value(b, spec);
    }
    if (from === undefined || to === undefined || from > to) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

function value(token: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  const i = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  return i >= 0 ? i + (spec.nameBase ?? 0) : undefined;
}

/** Whether the tz database knows the zone ("utc" and "UTC" included). */
export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at instant `ms`. */
function wallClock(ms: number, zone: string): { minute: number; hour: number; day: number; month: number; weekday: number } {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formats.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toUpperCase()),
  };
}

const MINUTE = 60_000;

/**
 * The first minute boundary after `afterMs` at which the schedule fires, or undefined for a schedule
 * the emulator does not evaluate (English-like forms other than "every N minutes|hours").
 * `anchorMs` is where an interval counts from (the job's creation or last attempt).
 */
export function nextRun(schedule: Schedule, afterMs: number, zone: string, anchorMs = afterMs): number | undefined {
  if (schedule.kind === 'english') return undefined;
  if (schedule.kind === 'interval') {
    const period = schedule.minutes * MINUTE;
    const elapsed = Math.max(0, afterMs - anchorMs);
    return anchorMs + (Math.floor(elapsed / period) + 1) * period;
  }
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  // Four years and a day covers every schedule that fires at all (29 February). An hour that
  // cannot match is skipped whole (not a day: a daylight-saving day is 23 or 25 hours long), so
  // this is at most some 35,000 steps.
  const limit = t + (4 * 366 + 1) * 24 * 60 * MINUTE;
  while (t <= limit) {
    const w = wallClock(t, zone);
    if (!schedule.months.has(w.month) || !dayMatches(schedule, w.day, w.weekday) || !schedule.hours.has(w.hour)) {
      t += (60 - w.minute) * MINUTE;
      continue;
    }
    if (schedule.minutes.has(w.minute)) return t;
    t += MINUTE;
  }
  return undefined;
}

function dayMatches(s: CronSchedule, day: number, weekday: number): boolean {
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return s.weekdays.has(weekday);
  if (s.anyWeekday) return s.days.has(day);
  return s.days.has(day) || s.weekdays.has(weekday);
}
