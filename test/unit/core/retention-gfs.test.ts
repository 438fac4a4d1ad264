import test, { type ExecutionContext } from 'ava';

import { isVirtpointError } from '../../../src/core/errors.js';
import { gfsBucket, isoWeek } from '../../../src/core/retention-gfs.js';
import {
  formatRetention,
  parseRetention,
  planRetention,
  type RetentionInput,
  type RetentionPlan,
  type RetentionPoint,
} from '../../../src/core/retention.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Points at the given instants, in chains of `chainLength` (ids `p0`, `p1`, … oldest first). */
function input(
  retention: string,
  times: readonly number[],
  opts: { chainLength?: number; timeZone?: string; manual?: readonly number[] } = {},
): RetentionInput {
  const len = opts.chainLength ?? 30;
  const points: RetentionPoint[] = times.map((createdAt, i) => ({
    id: `p${i}`,
    chainId: `c${Math.floor(i / len)}`,
    seq: i % len,
    state: 'available',
    trigger: opts.manual?.includes(i) === true ? 'manual' : 'schedule',
    createdAt,
  }));
  const chains = [...new Set(points.map((p) => p.chainId))].map((id) => ({
    id,
    createdAt: points.find((p) => p.chainId === id)!.createdAt,
  }));
  return {
    retention: parseRetention(retention),
    chains,
    points,
    now: Math.max(...times) + HOUR,
    ...(opts.timeZone === undefined ? {} : { timeZone: opts.timeZone }),
  };
}

/** Runs the steps on a model of the chains: each merge goes into the next usable point, each
 * dropped full is replaced by the next; what remains must be the plan's kept points. */
function checkRestorable(t: ExecutionContext, inp: RetentionInput, plan: RetentionPlan): void {
  const chains = new Map<string, string[]>();
  for (const p of [...inp.points].sort((a, b) => a.seq - b.seq)) {
    chains.set(p.chainId, [...(chains.get(p.chainId) ?? []), p.id]);
  }
  const chainOf = (id: string) => chains.get(inp.points.find((p) => p.id === id)!.chainId)!;
  for (const s of plan.steps) {
    if (s.action === 'delete-chain') {
      chains.delete(s.chainId);
      continue;
    }
    const c = chainOf(s.pointId);
    const i = c.indexOf(s.pointId);
    if (s.action === 'merge-point') {
      t.true(i >= 1, `${s.pointId} is an incremental`);
      t.is(s.childPointId, c[i + 1] ?? null);
    } else if (s.action === 'drop-full-keep-rest') {
      t.is(i, 0);
      t.is(s.newFullPointId, c[1] ?? 'none');
    }
    c.splice(i, 1);
  }
  t.deepEqual([...chains.values()].flat().sort(), [...plan.keptPointIds].sort());
}

function kept(plan: RetentionPlan, inp: RetentionInput): string[] {
  return inp.points
    .filter((p) => plan.keptPointIds.includes(p.id))
    .map((p) => new Date(p.createdAt).toISOString());
}

test('parse and format a GFS rule: any order in, canonical order out', (t) => {
  const r = parseRetention('keep-monthly:6,keep-daily:7,keep-weekly:4');
  t.deepEqual(r, { kind: 'gfs', keep: { monthly: 6, daily: 7, weekly: 4 } });
  t.is(formatRetention(r), 'keep-daily:7,keep-weekly:4,keep-monthly:6');
  const all = 'keep-last:3,keep-hourly:24,keep-daily:7,keep-weekly:4,keep-monthly:6,keep-yearly:2';
  t.is(formatRetention(parseRetention(all)), all);
  t.is(formatRetention(parseRetention('keep-yearly:10000')), 'keep-yearly:10000');
});

test('parse refuses malformed GFS rules with INVALID_ARGUMENT', (t) => {
  const bad = [
    'keep-daily:0',
    'keep-daily:10001',
    'keep-daily',
    'keep-daily:7,',
    'keep-daily:7,keep-daily:3',
    'keep-fortnightly:2',
    'keep-daily:7,count:3',
    'keep-Daily:7',
    'keep-daily:1.5',
  ];
  for (const text of bad) {
    const e = t.throws(() => parseRetention(text), undefined, text);
    t.true(isVirtpointError(e, 'INVALID_ARGUMENT'), text);
    t.regex(e?.message ?? '', /keep-daily|twice/, text);
  }
});

test('ISO weeks: Monday to Sunday, the week-year of the Thursday', (t) => {
  t.deepEqual(isoWeek(2026, 1, 1), { year: 2026, week: 1 }); // a Thursday
  t.deepEqual(isoWeek(2027, 1, 1), { year: 2026, week: 53 }); // a Friday of 2026's last week
  t.deepEqual(isoWeek(2024, 12, 30), { year: 2025, week: 1 }); // a Monday
  t.deepEqual(isoWeek(2026, 12, 6), { year: 2026, week: 49 }); // a Sunday
  t.deepEqual(isoWeek(2026, 12, 7), { year: 2026, week: 50 }); // the Monday after
});

test('buckets are in the given zone: 23:30 and 00:30 Berlin are two days and two weeks', (t) => {
  const sun = Date.UTC(2026, 11, 6, 22, 30); // Sun 23:30 CET
  const mon = Date.UTC(2026, 11, 6, 23, 30); // Mon 00:30 CET, still Sunday in UTC
  t.is(gfsBucket('daily', sun, 'Europe/Berlin'), '2026-12-06');
  t.is(gfsBucket('daily', mon, 'Europe/Berlin'), '2026-12-07');
  t.is(gfsBucket('weekly', sun, 'Europe/Berlin'), '2026-W49');
  t.is(gfsBucket('weekly', mon, 'Europe/Berlin'), '2026-W50');
  t.is(gfsBucket('daily', mon, 'UTC'), '2026-12-06');
  t.is(gfsBucket('monthly', Date.UTC(2026, 10, 30, 23, 30), 'Europe/Berlin'), '2026-12');
  t.is(gfsBucket('yearly', Date.UTC(2026, 11, 31, 23, 30), 'Europe/Berlin'), '2027');

  const times = [Date.UTC(2026, 11, 6, 21, 0), sun, mon];
  const berlin = input('keep-daily:5', times, { timeZone: 'Europe/Berlin' });
  t.deepEqual(planRetention(berlin).keptPointIds, ['p1', 'p2']);
  const utc = input('keep-daily:5', times);
  t.deepEqual(planRetention(utc).keptPointIds, ['p2']);
});

test('a DST day is one bucket: both 02:30 of the fall-back night are one day', (t) => {
  const first = Date.UTC(2026, 9, 25, 0, 30); // 02:30 CEST, 2026-10-25
  const second = Date.UTC(2026, 9, 25, 1, 30); // 02:30 CET, the same local day
  const dayBefore = Date.UTC(2026, 9, 24, 20, 0);
  const inp = input('keep-daily:2', [dayBefore, first, second], { timeZone: 'Europe/Berlin' });
  t.deepEqual(planRetention(inp).keptPointIds, ['p0', 'p2']);
  // Spring forward (2026-03-29 has 23 hours): 01:30 CET and 03:30 CEST are the same day.
  const spring = [Date.UTC(2026, 2, 29, 0, 30), Date.UTC(2026, 2, 29, 1, 30), Date.UTC(2026, 2, 29, 22, 30)];
  const s = input('keep-daily:3', spring, { timeZone: 'Europe/Berlin' });
  t.deepEqual(planRetention(s).keptPointIds, ['p1', 'p2']); // 22:30Z is 00:30 on the 30th
});

test('daily/weekly/monthly/yearly over 17 months of daily points: the newest of each bucket', (t) => {
  const start = Date.UTC(2025, 0, 1, 12);
  const end = Date.UTC(2026, 5, 1, 12); // a Monday
  const times: number[] = [];
  for (let x = start; x <= end; x += DAY) times.push(x);
  const inp = input('keep-daily:7,keep-weekly:4,keep-monthly:6,keep-yearly:2', times);
  const plan = planRetention(inp);
  checkRestorable(t, inp, plan);
  const day = (s: string) => `${s}T12:00:00.000Z`;
  t.deepEqual(
    kept(plan, inp),
    [
      '2025-12-31', // yearly 2025
      '2026-01-31', // monthly
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-17', // weekly (Sundays)
      '2026-05-24',
      '2026-05-26', // daily 7
      '2026-05-27',
      '2026-05-28',
      '2026-05-29',
      '2026-05-30',
      '2026-05-31', // also weekly and monthly
      '2026-06-01', // also weekly, monthly, yearly
    ].map(day),
  );
});

test('keep-last counts points, not buckets; rules are a union', (t) => {
  const times = [0, 1, 2, 3].map((k) => Date.UTC(2026, 0, 10, 6 + k));
  const inp = input('keep-last:2,keep-daily:1', times);
  t.deepEqual(planRetention(inp).keptPointIds, ['p2', 'p3']);
  const inp2 = input('keep-last:1,keep-hourly:3', times);
  t.deepEqual(planRetention(inp2).keptPointIds, ['p1', 'p2', 'p3']);
});

test('a kept point whose parent goes stays restorable: the parent merges into it', (t) => {
  const d1 = Date.UTC(2026, 0, 10, 8);
  const times = [d1, d1 + 12 * HOUR, d1 + DAY, d1 + DAY + 12 * HOUR];
  const inp = input('keep-daily:2', times);
  const plan = planRetention(inp);
  t.deepEqual(plan.keptPointIds, ['p1', 'p3']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'p2', childPointId: 'p3' },
    { action: 'drop-full-keep-rest', pointId: 'p0', newFullPointId: 'p1' },
  ]);
  checkRestorable(t, inp, plan);
});

test('manual points neither fill a bucket nor go', (t) => {
  const d1 = Date.UTC(2026, 0, 10, 8);
  const times = [d1, d1 + HOUR, d1 + 2 * HOUR, d1 + DAY];
  const inp = input('keep-daily:1', times, { manual: [2, 3] });
  const plan = planRetention(inp);
  // p1 is the newest automatic point of the newest day with one; the manual p2, p3 stay.
  t.deepEqual(plan.keptPointIds, ['p1', 'p2', 'p3']);
  checkRestorable(t, inp, plan);
});
