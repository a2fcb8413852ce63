// Cloud Scheduler's unix-cron as "Cron job format and time zone" states it, evaluated in a time zone
// (emulator/apis/cloud-scheduler-cron.ts): fields, names, lists, ranges, steps, day of month ORed
// with day of week, and what a daylight-saving change does to a wall time.
import { describe, expect, it } from 'vitest';
import { nextRun, parseSchedule } from '../../emulator/apis/cloud-scheduler-cron.js';

const next = (schedule: string, after: string, zone = 'UTC') => {
  const s = parseSchedule(schedule);
  if (!s) throw new Error(`not a schedule: ${schedule}`);
  const t = nextRun(s, Date.parse(after), zone);
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('Cloud Scheduler schedules', () => {
  it('reads the five fields with lists, ranges, steps and names', () => {
    expect(next('*/5 * * * *', '2026-03-02T00:03:10Z')).toBe('2026-03-02T00:05:00.000Z');
    expect(next('0 9-17/4 * * *', '2026-03-02T10:00:00Z')).toBe('2026-03-02T13:00:00.000Z');
    expect(next('15,45 * * * *', '2026-03-02T00:16:00Z')).toBe('2026-03-02T00:45:00.000Z');
    expect(next('0 0 1 JAN *', '2026-03-02T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('0 0 * * SUN', '2026-03-02T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z');
    expect(next('0 0 * * 7', '2026-03-02T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z'); // 7 is Sunday too
    expect(next('0 0 29 2 *', '2026-03-02T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('ORs day of month and day of week when both are restricted', () => {
    // The 1st of the month, or any Saturday: 2026-03-07 is a Saturday, before 1 April.
    expect(next('0 0 1 * SAT', '2026-03-02T00:00:00Z')).toBe('2026-03-07T00:00:00.000Z');
    expect(next('0 0 1 * *', '2026-03-02T00:00:00Z')).toBe('2026-04-01T00:00:00.000Z');
  });

  it('refuses what unix-cron does not say, L included', () => {
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '0 0 L * *', '5-1 * * * *', '*/0 * * * *', 'every']) {
      expect(parseSchedule(bad), bad).toBeUndefined();
    }
    expect(parseSchedule('every day 09:00')).toEqual({ kind: 'english' });
  });

  it("runs on the time zone's wall clock: a skipped wall time never comes, a repeated one comes twice", () => {
    expect(next('0 9 * * *', '2026-03-02T00:00:00Z', 'Asia/Tokyo')).toBe('2026-03-03T00:00:00.000Z');
    // New York, 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(next('30 1 * * *', '2026-11-01T00:00:00Z', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(next('30 1 * * *', '2026-11-01T05:30:00Z', 'America/New_York')).toBe('2026-11-01T06:30:00.000Z');
  });
});
