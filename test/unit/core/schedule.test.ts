import test from 'ava';

import { isVirtpointError } from '../../../src/core/errors.js';
import {
  catchUpDecision,
  localTimeToInstant,
  nextRun,
  nextRuns,
  parseTimeOfDay,
  parseTimes,
  parseWeekdays,
  runsBetween,
  validateSchedule,
  validateTimeZone,
  zoneOffset,
  type Schedule,
} from '../../../src/core/schedule.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
const at = (s: string) => Date.parse(s);
const H = 3_600_000;
const BERLIN = 'Europe/Berlin';
const NY = 'America/New_York';

function invalid(t: import('ava').ExecutionContext, fn: () => unknown, message: RegExp) {
  const e = t.throws(fn);
  t.true(isVirtpointError(e, 'INVALID_ARGUMENT'), String(e));
  t.regex(e?.message ?? '', message);
}

const daily = (...times: string[]): Schedule => validateSchedule({ kind: 'every-days', n: 1, times });
const hours24 = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:15`);

test('validateSchedule normalizes: times sorted, days in week order', (t) => {
  t.deepEqual(validateSchedule({ kind: 'weekly', days: ['thu', 'mon'], times: ['14:00', '02:00'] }), {
    kind: 'weekly',
    days: ['mon', 'thu'],
    times: ['02:00', '14:00'],
  });
  t.deepEqual(validateSchedule({ kind: 'every-days', n: 30, times: ['23:59'] }), {
    kind: 'every-days',
    n: 30,
    times: ['23:59'],
  });
  t.is(validateSchedule({ kind: 'every-days', n: 1, times: hours24 }).times.length, 24);
});

test('validateSchedule: times errors name the field', (t) => {
  const s = (times: unknown) => () => validateSchedule({ kind: 'every-days', n: 1, times });
  invalid(t, s(undefined), /schedule\.times must be a list/);
  invalid(t, s([]), /schedule\.times must hold 1 to 24 times, got 0/);
  invalid(t, s([...hours24, '23:59']), /1 to 24 times, got 25/);
  for (const bad of ['24:00', '2:00', '12:60', '12:00:00', ' 12:00', '', 1200, null]) {
    invalid(t, s(['01:00', bad]), /schedule\.times\[1\]: .* is not a time HH:MM/);
  }
  invalid(t, s(['03:00', '03:00']), /03:00 is listed twice/);
  invalid(t, s(['10:00', '10:59']), /10:00 and 10:59 are less than 1 hour apart/);
  invalid(t, s(['12:00', '02:00', '12:30']), /12:00 and 12:30/);
});

test('spacing: exactly 1 hour is fine, also across midnight; less across midnight is refused', (t) => {
  t.deepEqual(daily('11:00', '10:00').times, ['10:00', '11:00']);
  t.deepEqual(daily('23:00', '00:00').times, ['00:00', '23:00']);
  t.deepEqual(daily('23:30', '00:30', '12:00').times, ['00:30', '12:00', '23:30']);
  const s = (times: string[]) => () => validateSchedule({ kind: 'every-days', n: 1, times });
  invalid(t, s(['23:30', '00:00']), /23:30 and 00:00 are less than 1 hour apart across midnight/);
  invalid(t, s(['00:00', '23:59']), /23:59 and 00:00 are less than 1 hour apart across midnight/);
  invalid(t, s(['23:30', '00:10', '12:00']), /23:30 and 00:10 .*across midnight/);
});

test('validateSchedule: kind, days and n errors', (t) => {
  const times = ['02:00'];
  invalid(t, () => validateSchedule(null), /schedule must be an object/);
  invalid(
    t,
    () => validateSchedule({ kind: 'monthly', times }),
    /schedule\.kind must be weekly or every-days/,
  );
  invalid(t, () => validateSchedule({ kind: 'weekly', days: [], times }), /schedule\.days must list 1 to 7/);
  invalid(t, () => validateSchedule({ kind: 'weekly', times }), /schedule\.days/);
  invalid(
    t,
    () =>
      validateSchedule({
        kind: 'weekly',
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'mon'],
        times,
      }),
    /schedule\.days must list 1 to 7/,
  );
  invalid(t, () => validateSchedule({ kind: 'weekly', days: ['mon', 'Mon'], times }), /schedule\.days\[1\]/);
  invalid(t, () => validateSchedule({ kind: 'weekly', days: ['fri', 'fri'], times }), /fri is listed twice/);
  for (const n of [0, 31, 1.5, '3', undefined, -1]) {
    invalid(
      t,
      () => validateSchedule({ kind: 'every-days', n, times }),
      /schedule\.n must be an integer from 1 to 30/,
    );
  }
  invalid(
    t,
    () => validateSchedule({ kind: 'weekly', days: ['mon'], times: ['1:00'] }),
    /schedule\.times\[0\]/,
  );
});

test('CLI helpers', (t) => {
  t.deepEqual(parseWeekdays('mon, THU'), ['mon', 'thu']);
  t.deepEqual(parseTimes('02:00,14:00'), ['02:00', '14:00']);
  t.is(parseTimeOfDay('23:59'), 23 * 60 + 59);
  t.is(parseTimeOfDay('24:00'), null);
});

test('time zones: unknown ones are rejected; offsets come from the zone, not TZ', (t) => {
  invalid(t, () => validateTimeZone('Mars/Olympus'), /unknown time zone/);
  invalid(t, () => validateTimeZone(''), /time zone is empty/);
  invalid(t, () => nextRuns(daily('02:00'), 0, 'Nope/Nope', 1), /unknown time zone/);
  t.is(zoneOffset(at('2026-01-15T12:00Z'), BERLIN), H);
  t.is(zoneOffset(at('2026-07-15T12:00Z'), BERLIN), 2 * H);
  t.is(zoneOffset(at('2026-07-15T12:00Z'), NY), -4 * H);
  t.is(zoneOffset(at('2026-07-15T12:00Z'), 'UTC'), 0);
});

test('weekly across a month end and a year end', (t) => {
  const s = validateSchedule({ kind: 'weekly', days: ['thu', 'mon'], times: ['02:00', '14:00'] });
  // 2026-01-30 is a Friday.
  t.deepEqual(nextRuns(s, at('2026-01-30T00:00Z'), 'UTC', 5).map(iso), [
    '2026-02-02T02:00Z',
    '2026-02-02T14:00Z',
    '2026-02-05T02:00Z',
    '2026-02-05T14:00Z',
    '2026-02-09T02:00Z',
  ]);
  const sun = validateSchedule({ kind: 'weekly', days: ['sun'], times: ['23:00'] });
  // 2028-12-31 is a Sunday; Berlin is UTC+1 in winter.
  t.deepEqual(nextRuns(sun, at('2028-12-25T00:00Z'), BERLIN, 2).map(iso), [
    '2028-12-31T22:00Z',
    '2029-01-07T22:00Z',
  ]);
});

test('every N days is aligned to the day of the month and restarts each month', (t) => {
  const every3 = validateSchedule({ kind: 'every-days', n: 3, times: ['06:00'] });
  t.deepEqual(nextRuns(every3, at('2026-01-26T00:00Z'), 'UTC', 5).map(iso), [
    '2026-01-28T06:00Z',
    '2026-01-31T06:00Z',
    '2026-02-01T06:00Z',
    '2026-02-04T06:00Z',
    '2026-02-07T06:00Z',
  ]);
  const every30 = validateSchedule({ kind: 'every-days', n: 30, times: ['00:00'] });
  t.deepEqual(nextRuns(every30, at('2026-01-01T00:00Z'), 'UTC', 5).map(iso), [
    '2026-01-31T00:00Z',
    '2026-02-01T00:00Z',
    '2026-03-01T00:00Z',
    '2026-03-31T00:00Z',
    '2026-04-01T00:00Z',
  ]);
});

test('every N days across leap and non-leap Februaries', (t) => {
  const every7 = validateSchedule({ kind: 'every-days', n: 7, times: ['12:00'] });
  t.deepEqual(nextRuns(every7, at('2028-02-20T00:00Z'), 'UTC', 3).map(iso), [
    '2028-02-22T12:00Z',
    '2028-02-29T12:00Z',
    '2028-03-01T12:00Z',
  ]);
  const every2 = validateSchedule({ kind: 'every-days', n: 2, times: ['12:00'] });
  t.deepEqual(nextRuns(every2, at('2027-02-26T00:00Z'), 'UTC', 3).map(iso), [
    '2027-02-27T12:00Z',
    '2027-03-01T12:00Z',
    '2027-03-03T12:00Z',
  ]);
  t.deepEqual(nextRuns(every2, at('2028-02-26T00:00Z'), 'UTC', 3).map(iso), [
    '2028-02-27T12:00Z',
    '2028-02-29T12:00Z',
    '2028-03-01T12:00Z',
  ]);
  const weekly = validateSchedule({ kind: 'weekly', days: ['tue'], times: ['12:00'] });
  t.deepEqual(nextRuns(weekly, at('2028-02-28T00:00Z'), 'UTC', 2).map(iso), [
    '2028-02-29T12:00Z',
    '2028-03-07T12:00Z',
  ]);
});

test('24 times a day: 24 runs a day, strictly after `after`', (t) => {
  const s = validateSchedule({ kind: 'every-days', n: 1, times: hours24 });
  const runs = nextRuns(s, at('2026-05-01T00:15Z'), 'UTC', 48);
  t.is(iso(runs[0]!), '2026-05-01T01:15Z');
  t.is(iso(runs[47]!), '2026-05-03T00:15Z');
  for (let i = 1; i < runs.length; i++) t.is(runs[i]! - runs[i - 1]!, H);
  t.is(runsBetween(s, at('2026-05-01T00:00Z'), at('2026-05-02T00:00Z'), 'UTC').length, 24);
  // In Berlin on the spring-forward day (23 hours), 02:15 does not exist and runs at 03:00,
  // before 03:15: still 24 runs.
  const spring = runsBetween(s, at('2026-03-28T23:00Z'), at('2026-03-29T22:00Z'), BERLIN);
  t.is(spring.length, 24);
  t.true(spring.includes(at('2026-03-29T01:00Z')));
  t.true(spring.includes(at('2026-03-29T01:15Z'))); // 03:15 CEST
  // On the fall-back day the day has 25 hours but each time runs once: 24 runs.
  t.is(runsBetween(s, at('2026-10-24T22:00Z'), at('2026-10-25T23:00Z'), BERLIN).length, 24);
});

test('nextRun and nextRuns: a run exactly at `after` is not included; Date accepted', (t) => {
  const s = daily('02:00');
  t.is(iso(nextRun(s, at('2026-06-01T02:00Z'), 'UTC')), '2026-06-02T02:00Z');
  t.is(iso(nextRun(s, at('2026-06-01T01:59Z'), 'UTC')), '2026-06-01T02:00Z');
  t.deepEqual(nextRuns(s, new Date('2026-06-01T01:59Z'), 'UTC', 1).map(iso), ['2026-06-01T02:00Z']);
  t.deepEqual(nextRuns(s, 0, 'UTC', 0), []);
  for (const count of [-1, 1.5, 10_001]) invalid(t, () => nextRuns(s, 0, 'UTC', count), /count must be/);
  invalid(t, () => nextRuns(s, new Date('nope'), 'UTC', 1), /after is not a valid instant/);
});

test('DST Europe/Berlin spring forward: 02:30 on 2026-03-29 runs at 03:00 CEST', (t) => {
  t.is(iso(localTimeToInstant(2026, 3, 29, 150, BERLIN)), '2026-03-29T01:00Z');
  t.deepEqual(nextRuns(daily('02:30'), at('2026-03-27T12:00Z'), BERLIN, 3).map(iso), [
    '2026-03-28T01:30Z', // 02:30 CET
    '2026-03-29T01:00Z', // 03:00 CEST (02:30 does not exist)
    '2026-03-30T00:30Z', // 02:30 CEST
  ]);
  // 02:00 (nonexistent → 03:00) and 03:00 fall on one instant: one run.
  t.deepEqual(
    runsBetween(daily('02:00', '03:00'), at('2026-03-28T23:00Z'), at('2026-03-29T22:00Z'), BERLIN).map(iso),
    ['2026-03-29T01:00Z'],
  );
});

test('DST Europe/Berlin fall back: 02:30 on 2026-10-25 runs once, at the first occurrence', (t) => {
  t.is(iso(localTimeToInstant(2026, 10, 25, 150, BERLIN)), '2026-10-25T00:30Z');
  t.deepEqual(nextRuns(daily('02:30'), at('2026-10-24T12:00Z'), BERLIN, 2).map(iso), [
    '2026-10-25T00:30Z', // 02:30 CEST; 02:30 CET (01:30Z) does not run
    '2026-10-26T01:30Z',
  ]);
  t.deepEqual(nextRuns(daily('02:30'), at('2026-10-25T00:30Z'), BERLIN, 1).map(iso), ['2026-10-26T01:30Z']);
  t.deepEqual(nextRuns(daily('02:00', '03:00'), at('2026-10-24T22:00Z'), BERLIN, 2).map(iso), [
    '2026-10-25T00:00Z',
    '2026-10-25T02:00Z',
  ]);
});

test('DST America/New_York both ways', (t) => {
  t.deepEqual(nextRuns(daily('02:30'), at('2026-03-07T12:00Z'), NY, 3).map(iso), [
    '2026-03-08T07:00Z', // 03:00 EDT (02:30 does not exist)
    '2026-03-09T06:30Z',
    '2026-03-10T06:30Z',
  ]);
  t.deepEqual(nextRuns(daily('01:30'), at('2026-10-31T12:00Z'), NY, 2).map(iso), [
    '2026-11-01T05:30Z', // 01:30 EDT; 01:30 EST (06:30Z) does not run
    '2026-11-02T06:30Z',
  ]);
});

test('a whole missing day (Pacific/Apia, 2011-12-30) runs at the next valid minute', (t) => {
  t.is(iso(localTimeToInstant(2011, 12, 30, 600, 'Pacific/Apia')), '2011-12-30T10:00Z'); // Dec 31 00:00
});

test('runsBetween is (from, to]', (t) => {
  const s = daily('02:00', '14:00');
  t.deepEqual(runsBetween(s, at('2026-06-01T02:00Z'), at('2026-06-02T02:00Z'), 'UTC').map(iso), [
    '2026-06-01T14:00Z',
    '2026-06-02T02:00Z',
  ]);
  t.deepEqual(runsBetween(s, at('2026-06-02T02:00Z'), at('2026-06-01T02:00Z'), 'UTC'), []);
  t.deepEqual(runsBetween(s, at('2026-06-01T03:00Z'), at('2026-06-01T03:00Z'), 'UTC'), []);
});

test('catch-up: the newest missed run within the window runs once, the rest are missed', (t) => {
  const s = daily('02:00', '14:00');
  const now = at('2026-06-03T15:00Z');
  t.deepEqual(catchUpDecision(s, at('2026-06-03T14:00Z'), now, 'UTC', 6), { catchUp: null, missed: [] });
  const d = catchUpDecision(s, at('2026-06-01T03:00Z'), now, 'UTC', 6);
  t.is(iso(d.catchUp!), '2026-06-03T14:00Z');
  t.deepEqual(d.missed.map(iso), [
    '2026-06-01T14:00Z',
    '2026-06-02T02:00Z',
    '2026-06-02T14:00Z',
    '2026-06-03T02:00Z',
  ]);
});

test('catch-up: the newest missed run older than the window is missed too', (t) => {
  const s = daily('02:00', '14:00');
  const d = catchUpDecision(s, at('2026-06-02T03:00Z'), at('2026-06-02T21:00Z'), 'UTC', 6);
  t.deepEqual(d, { catchUp: null, missed: [at('2026-06-02T14:00Z')] });
  // Exactly at the window edge still catches up; a run due right now too, even with window 0.
  t.is(
    catchUpDecision(s, at('2026-06-02T03:00Z'), at('2026-06-02T20:00Z'), 'UTC', 6).catchUp,
    at('2026-06-02T14:00Z'),
  );
  t.is(
    catchUpDecision(s, at('2026-06-02T03:00Z'), at('2026-06-02T14:00Z'), 'UTC', 0).catchUp,
    at('2026-06-02T14:00Z'),
  );
});

test('catch-up: never ran → nothing missed; bad window rejected', (t) => {
  const s = daily('02:00');
  t.deepEqual(catchUpDecision(s, null, at('2026-06-02T21:00Z'), 'UTC', 6), { catchUp: null, missed: [] });
  for (const w of [-1, Number.NaN, Infinity]) {
    invalid(t, () => catchUpDecision(s, 0, 1, 'UTC', w), /catch-up window/);
  }
});

test('catch-up uses the zone: runs across a DST change', (t) => {
  const d = catchUpDecision(daily('02:30'), at('2026-03-27T12:00Z'), at('2026-03-29T03:00Z'), BERLIN, 6);
  t.deepEqual(
    { catchUp: iso(d.catchUp!), missed: d.missed.map(iso) },
    {
      catchUp: '2026-03-29T01:00Z',
      missed: ['2026-03-28T01:30Z'],
    },
  );
});
