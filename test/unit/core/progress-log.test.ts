import test from 'ava';

import {
  progressLogDue,
  progressPercent,
  startProgressLog,
  type ProgressLogState,
} from '../../../src/core/progress-log.js';

/** Feeds reports (done, at ms) of a job of `total` bytes; returns the percentages logged. */
function logged(total: number | null, reports: readonly [number, number][]): (number | null)[] {
  let s: ProgressLogState = startProgressLog(0);
  const out: (number | null)[] = [];
  for (const [done, at] of reports) {
    const r = progressLogDue(s, { done, total }, at);
    if (r.log) out.push(progressPercent(done, total));
    s = r.state;
  }
  return out;
}

test('a line at each 10 % step crossed, not one per report', (t) => {
  const reports: [number, number][] = [];
  for (let done = 0; done <= 1000; done += 25) reports.push([done, done]); // 1 ms apart: time never triggers
  t.deepEqual(logged(1000, reports), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
});

test('a jump over several steps logs once; a slow job logs every 30 s between steps', (t) => {
  t.deepEqual(
    logged(100, [
      [5, 1000],
      [35, 2000],
      [36, 3000],
    ]),
    [35],
  );
  t.deepEqual(
    logged(100, [
      [1, 10_000],
      [2, 30_000],
      [3, 45_000],
      [4, 60_000],
      [11, 61_000],
    ]),
    [2, 4, 11],
  );
});

test('unknown total: by time only', (t) => {
  t.deepEqual(
    logged(null, [
      [10, 1000],
      [20, 29_999],
      [30, 30_000],
      [40, 59_999],
      [50, 60_000],
    ]),
    [null, null],
  );
  t.is(progressPercent(5, 0), null);
  t.is(progressPercent(150, 100), 100);
});
