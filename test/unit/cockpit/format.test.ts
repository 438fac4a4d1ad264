import test from 'ava';
import { bytes, time } from '../../../cockpit/src/format.js';

test('times read as in the CLI: wall clock to the minute with the zone; missing or bad input shown as such', (t) => {
  t.is(time('2026-12-02T01:00:00.000Z', 'Europe/Berlin'), '2026-12-02 02:00 CET');
  t.is(time('2026-07-02T01:00:00.000Z', 'Europe/Berlin'), '2026-07-02 03:00 CEST');
  t.is(time('2026-12-02T01:00:00.000Z', 'UTC'), '2026-12-02 01:00 UTC');
  t.regex(time('2026-12-02T01:00:00.000Z'), /^2026-12-0[12] \d\d:\d\d \S+$/, "the browser's own zone");
  t.is(time(null), '–');
  t.is(time('not a time'), 'not a time');
});

test('bytes in binary units', (t) => {
  t.is(bytes(1536), '1.5 KiB');
  t.is(bytes(null), '–');
});
