import test from 'ava';

import {
  formatTarget,
  median,
  met,
  percentile,
  rotation,
  speedRatio,
  summarize,
} from '../../../bench/stats.js';

test('median: middle sample, or the mean of the two middle ones; NaN when empty', (t) => {
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.true(Number.isNaN(median([])));
});

test('percentile: nearest rank', (t) => {
  const xs = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20
  t.is(percentile(xs, 95), 19);
  t.is(percentile(xs, 50), 10);
  t.is(percentile(xs, 100), 20);
  t.is(percentile(xs, 0), 1);
  t.is(percentile([7], 95), 7);
  t.is(percentile([3, 1, 2, 100], 95), 100); // 4 samples: the 4th is the 95th
});

test('summarize: n, median, min, max and p95 of unsorted samples', (t) => {
  t.deepEqual(summarize([30, 10, 20]), { n: 3, median: 20, min: 10, max: 30, p95: 30 });
});

test('rotation: round i starts with tool i, every tool once per round, order alternates', (t) => {
  t.deepEqual(rotation(['a', 'b'], 0), ['a', 'b']);
  t.deepEqual(rotation(['a', 'b'], 1), ['b', 'a']);
  t.deepEqual(rotation(['a', 'b'], 2), ['a', 'b']);
  t.deepEqual(rotation(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  t.deepEqual(rotation(['a', 'b', 'c'], 5), ['c', 'a', 'b']);
  t.deepEqual(rotation([], 3), []);
  // each tool is first equally often over n rounds
  const firsts = [0, 1, 2].map((r) => rotation(['a', 'b', 'c'], r)[0]);
  t.deepEqual(firsts.sort(), ['a', 'b', 'c']);
});

test('speedRatio: baseline / ours; NaN for a missing time', (t) => {
  t.is(speedRatio(1500, 1000), 1.5);
  t.is(speedRatio(1000, 3000), 0.333);
  t.true(Number.isNaN(speedRatio(NaN, 1000)));
  t.true(Number.isNaN(speedRatio(1000, 0)));
});

test('met: each comparison, and NaN is missed', (t) => {
  t.true(met({ name: 'r', value: 1, op: '>=', goal: 1, unit: '×' }));
  t.false(met({ name: 'r', value: 0.99, op: '>=', goal: 1, unit: '×' }));
  t.true(met({ name: 'f', value: 150, op: '<=', goal: 150, unit: ' ms' }));
  t.false(met({ name: 'p', value: 10, op: '<', goal: 10, unit: ' ms' }));
  t.false(met({ name: 'x', value: NaN, op: '<', goal: 10, unit: ' ms' }));
  t.regex(formatTarget({ name: 'x', value: NaN, op: '<', goal: 10, unit: ' ms' }), /^MISSED .*n\/a/);
  t.regex(formatTarget({ name: 'r', value: 1.234, op: '>=', goal: 1, unit: '×' }), /^met .*1\.23×/);
});
