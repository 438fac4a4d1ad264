/**
 * Policy schedules: validation and the fire instants, in a given IANA time zone (the host's).
 *
 * A schedule is weekly (some days of the week) or every N days (1–30), at 1–24 local times of
 * day `HH:MM`. Contracts:
 *
 * - **Spacing.** Any two times are at least 1 hour apart on the 24-hour clock, across midnight
 *   too: `23:30,00:00` is refused (30 minutes apart when one day's 23:30 is followed by the next
 *   day's 00:00, as on a daily schedule); `23:00,00:00` is valid.
 * - **Every N days** is aligned to the day of the month: day `d` runs when `(d - 1) % n === 0`
 *   (every 3 days: the 1st, 4th, 7th, …); each month restarts at the 1st.
 * - **Time zones and DST.** Days and times are local to `timeZone`, computed with
 *   `Intl.DateTimeFormat` (no dependency on the process `TZ`). A local time that does not exist
 *   that day (spring forward) runs once, at the next valid minute (Berlin 02:30 on the day of the
 *   change → 03:00); a local time that occurs twice (fall back) runs once, at its first
 *   occurrence. Two times that fall on the same instant (02:00 and 03:00 on a spring-forward day
 *   with a 02:00–03:00 gap) run once.
 * - Instants are epoch milliseconds; every function is deterministic.
 */

import { VirtpointError } from './errors.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MAX_TIMES_PER_DAY = 24;
export const MIN_TIME_SPACING_MINUTES = 60;
export const MAX_EVERY_DAYS = 30;
/** Upper bound of `count` for `nextRuns`. */
export const MAX_NEXT_RUNS = 10_000;

export type Schedule = (
  | { readonly kind: 'weekly'; readonly days: readonly Weekday[] }
  | { readonly kind: 'every-days'; readonly n: number }
) & {
  /** Local times of day `HH:MM`, sorted ascending. */
  readonly times: readonly string[];
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_RE = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

function invalid(message: string): never {
  throw new VirtpointError('INVALID_ARGUMENT', message);
}

/** Minutes since local midnight of `HH:MM`, or null when it is not a valid time of day. */
export function parseTimeOfDay(time: string): number | null {
  const m = TIME_RE.exec(time);
  if (m === null || m[1] === undefined || m[2] === undefined) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** `--weekly mon,thu` → `['mon', 'thu']` (not yet validated: see `validateSchedule`). */
export function parseWeekdays(list: string): string[] {
  return list.split(',').map((s) => s.trim().toLowerCase());
}

/** `--at 02:00,14:00` → `['02:00', '14:00']` (not yet validated: see `validateSchedule`). */
export function parseTimes(list: string): string[] {
  return list.split(',').map((s) => s.trim());
}

function validateTimes(input: unknown): string[] {
  if (!Array.isArray(input)) invalid('schedule.times must be a list of HH:MM times');
  if (input.length < 1 || input.length > MAX_TIMES_PER_DAY) {
    invalid(`schedule.times must hold 1 to ${MAX_TIMES_PER_DAY} times, got ${input.length}`);
  }
  const parsed = input.map((t: unknown, i) => {
    const minutes = typeof t === 'string' ? parseTimeOfDay(t) : null;
    if (minutes === null || typeof t !== 'string') {
      invalid(`schedule.times[${i}]: ${JSON.stringify(t)} is not a time HH:MM from 00:00 to 23:59`);
    }
    return { time: t, minutes };
  });
  parsed.sort((a, b) => a.minutes - b.minutes);
  for (let i = 1; i < parsed.length; i++) {
    const prev = parsed[i - 1];
    const cur = parsed[i];
    if (prev === undefined || cur === undefined) continue;
    if (cur.minutes === prev.minutes) invalid(`schedule.times: ${cur.time} is listed twice`);
    if (cur.minutes - prev.minutes < MIN_TIME_SPACING_MINUTES) {
      invalid(`schedule.times: ${prev.time} and ${cur.time} are less than 1 hour apart`);
    }
  }
  const first = parsed[0];
  const last = parsed[parsed.length - 1];
  if (
    first !== undefined &&
    last !== undefined &&
    parsed.length > 1 &&
    first.minutes + 24 * 60 - last.minutes < MIN_TIME_SPACING_MINUTES
  ) {
    invalid(`schedule.times: ${last.time} and ${first.time} are less than 1 hour apart across midnight`);
  }
  return parsed.map((p) => p.time);
}

/**
 * Validates a schedule (e.g. from the API) and returns it normalized: times sorted, weekdays
 * distinct in week order. Throws INVALID_ARGUMENT naming the bad field.
 */
export function validateSchedule(input: unknown): Schedule {
  if (typeof input !== 'object' || input === null) invalid('schedule must be an object');
  const s = input as Record<string, unknown>;
  if (s.kind === 'weekly') {
    const days = s.days;
    if (!Array.isArray(days) || days.length < 1 || days.length > 7) {
      invalid('schedule.days must list 1 to 7 days of the week (mon … sun)');
    }
    const seen = new Set<Weekday>();
    days.forEach((d: unknown, i) => {
      if (typeof d !== 'string' || !(WEEKDAYS as readonly string[]).includes(d)) {
        invalid(`schedule.days[${i}]: ${JSON.stringify(d)} is not one of ${WEEKDAYS.join(', ')}`);
      }
      if (seen.has(d as Weekday)) invalid(`schedule.days: ${d} is listed twice`);
      seen.add(d as Weekday);
    });
    const times = validateTimes(s.times);
    return { kind: 'weekly', days: WEEKDAYS.filter((d) => seen.has(d)), times };
  }
  if (s.kind === 'every-days') {
    const n = s.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_EVERY_DAYS) {
      invalid(`schedule.n must be an integer from 1 to ${MAX_EVERY_DAYS}, got ${JSON.stringify(n)}`);
    }
    return { kind: 'every-days', n, times: validateTimes(s.times) };
  }
  return invalid(`schedule.kind must be weekly or every-days, got ${JSON.stringify(s.kind)}`);
}

// ---- time zone arithmetic ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    if (typeof timeZone !== 'string' || timeZone.length === 0) invalid('the time zone is empty');
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return invalid(`unknown time zone ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws INVALID_ARGUMENT unless `timeZone` is an IANA zone name this runtime knows. */
export function validateTimeZone(timeZone: string): string {
  formatter(timeZone);
  return timeZone;
}

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall clock of `timeZone` at instant `ms`. */
export function localDateTime(ms: number, timeZone: string): LocalDateTime {
  const v: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') v[p.type] = Number(p.value);
  }
  return {
    year: v.year ?? 1970,
    month: v.month ?? 1,
    day: v.day ?? 1,
    hour: v.hour ?? 0,
    minute: v.minute ?? 0,
    second: v.second ?? 0,
  };
}

/** The wall clock at `ms` read as if it were UTC (ms precision dropped to seconds). */
function wallMs(ms: number, timeZone: string): number {
  const l = localDateTime(ms, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
}

/** UTC offset of `timeZone` at instant `ms`, in ms (Berlin in summer: +7_200_000). */
export function zoneOffset(ms: number, timeZone: string): number {
  return wallMs(ms, timeZone) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock of `timeZone` shows `minuteOfDay` on the local date
 * `year-month-day`: the first occurrence when the time occurs twice, the next valid minute when
 * it does not exist (it lies in a DST gap).
 */
export function localTimeToInstant(
  year: number,
  month: number,
  day: number,
  minuteOfDay: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE;
  // Offsets in force around the wanted instant (which is within ±14 h of `wall`).
  const offsets = [...new Set([-DAY, 0, DAY].map((k) => zoneOffset(wall + k, timeZone)))];
  const exact = offsets.map((o) => wall - o).filter((x) => wallMs(x, timeZone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // In a gap: the first minute whose wall clock is at or after `wall`.
  let lo = Math.floor((wall - Math.max(...offsets)) / MINUTE); // wall clock before `wall`
  let hi = Math.ceil((wall - Math.min(...offsets)) / MINUTE); // wall clock at or after it
  if (wallMs(hi * MINUTE, timeZone) < wall) {
    throw new VirtpointError('INTERNAL', `cannot place ${minuteOfDay} min on ${year}-${month}-${day}`);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(mid * MINUTE, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi * MINUTE;
}

// ---- fire instants ----

interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function civilDate(epochDay: number): CivilDate {
  const d = new Date(epochDay * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function localEpochDay(ms: number, timeZone: string): number {
  return Math.floor(wallMs(ms, timeZone) / DAY);
}

/** Whether the schedule runs on local date `date` (whose epoch day is `epochDay`). */
function firesOn(schedule: Schedule, epochDay: number, date: CivilDate): boolean {
  if (schedule.kind === 'every-days') return (date.day - 1) % schedule.n === 0;
  const weekday = WEEKDAYS[(new Date(epochDay * DAY).getUTCDay() + 6) % 7];
  return weekday !== undefined && schedule.days.includes(weekday);
}

/** The fire instants of local date `epochDay`, ascending, duplicates (DST) removed. */
function runsOfDay(schedule: Schedule, epochDay: number, timeZone: string): number[] {
  const date = civilDate(epochDay);
  if (!firesOn(schedule, epochDay, date)) return [];
  const out: number[] = [];
  for (const time of schedule.times) {
    const minutes = parseTimeOfDay(time);
    if (minutes === null) invalid(`schedule time ${JSON.stringify(time)} is not HH:MM`);
    const x = localTimeToInstant(date.year, date.month, date.day, minutes, timeZone);
    if (out.length === 0 || x > (out[out.length - 1] ?? -Infinity)) out.push(x);
  }
  return out;
}

function instantMs(t: Date | number, what: string): number {
  const ms = typeof t === 'number' ? t : t.getTime();
  if (!Number.isFinite(ms)) invalid(`${what} is not a valid instant`);
  return ms;
}

/**
 * The next `count` (0–10000) fire instants strictly after `after`, ascending. The schedule is
 * expected validated (`validateSchedule`).
 */
export function nextRuns(
  schedule: Schedule,
  after: Date | number,
  timeZone: string,
  count: number,
): number[] {
  const afterMs = instantMs(after, 'after');
  validateTimeZone(timeZone);
  if (!Number.isInteger(count) || count < 0 || count > MAX_NEXT_RUNS) {
    invalid(`count must be an integer from 0 to ${MAX_NEXT_RUNS}, got ${count}`);
  }
  const out: number[] = [];
  const first = localEpochDay(afterMs, timeZone) - 1;
  // Any schedule fires at least once in 31 consecutive days.
  const last = first + (count + 1) * 31 + 2;
  for (let day = first; out.length < count && day <= last; day++) {
    for (const x of runsOfDay(schedule, day, timeZone)) {
      if (x > afterMs && x > (out[out.length - 1] ?? -Infinity)) out.push(x);
    }
  }
  if (out.length < count) throw new VirtpointError('INTERNAL', 'schedule produced too few runs');
  return out.slice(0, count);
}

/** The next fire instant strictly after `afterMs`. */
export function nextRun(schedule: Schedule, afterMs: number, timeZone: string): number {
  const [next] = nextRuns(schedule, afterMs, timeZone, 1);
  if (next === undefined) throw new VirtpointError('INTERNAL', 'schedule produced no run');
  return next;
}

/** All fire instants in `(fromMs, toMs]`, ascending; empty when `toMs <= fromMs`. */
export function runsBetween(schedule: Schedule, fromMs: number, toMs: number, timeZone: string): number[] {
  const from = instantMs(fromMs, 'from');
  const to = instantMs(toMs, 'to');
  validateTimeZone(timeZone);
  if (to <= from) return [];
  const out: number[] = [];
  const lastDay = localEpochDay(to, timeZone) + 1;
  for (let day = localEpochDay(from, timeZone) - 1; day <= lastDay; day++) {
    for (const x of runsOfDay(schedule, day, timeZone)) {
      if (x > from && x <= to && x > (out[out.length - 1] ?? -Infinity)) out.push(x);
    }
  }
  return out;
}

export interface CatchUpDecision {
  /** The one run to do now (the newest missed run, when recent enough), or null. */
  readonly catchUp: number | null;
  /** Runs to record as `missed`, ascending. */
  readonly missed: number[];
}

/**
 * Runs missed while the daemon was down: the fire instants in `(lastRunMs, nowMs]`. The newest of
 * them is caught up (run once now) when it is at most `windowHours` old; every other one, and the
 * newest too when older, is recorded as missed. `lastRunMs` is the last instant the scheduler
 * accounted for (its last fire, or when the policy or task was created or enabled); null means
 * never: nothing was missed.
 */
export function catchUpDecision(
  schedule: Schedule,
  lastRunMs: number | null,
  nowMs: number,
  timeZone: string,
  windowHours: number,
): CatchUpDecision {
  if (typeof windowHours !== 'number' || !Number.isFinite(windowHours) || windowHours < 0) {
    invalid(`the catch-up window must be a number of hours ≥ 0, got ${windowHours}`);
  }
  if (lastRunMs === null) return { catchUp: null, missed: [] };
  const runs = runsBetween(schedule, lastRunMs, nowMs, timeZone);
  const newest = runs[runs.length - 1];
  if (newest !== undefined && nowMs - newest <= windowHours * HOUR) {
    return { catchUp: newest, missed: runs.slice(0, -1) };
  }
  return { catchUp: null, missed: runs };
}
