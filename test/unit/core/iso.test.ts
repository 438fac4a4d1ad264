import test from 'ava';

import { humanInstant, iso, isTimeZone } from '../../../src/core/iso.js';

const WINTER = Date.UTC(2026, 11, 2, 1, 0);
const SUMMER = Date.UTC(2026, 6, 2, 1, 0);

test('humanInstant: the wall clock of the zone to the minute, with the zone shown', (t) => {
  t.is(humanInstant(WINTER, 'Europe/Berlin'), '2026-12-02 02:00 CET');
  t.is(humanInstant(SUMMER, 'Europe/Berlin'), '2026-07-02 03:00 CEST');
  t.is(humanInstant(WINTER, 'UTC'), '2026-12-02 01:00 UTC');
  t.is(humanInstant(WINTER, 'Etc/UTC'), '2026-12-02 01:00 UTC');
  t.is(humanInstant(WINTER, 'America/New_York'), '2026-12-01 20:00 EST');
  t.is(humanInstant(WINTER, 'Asia/Shanghai'), '2026-12-02 09:00 GMT+8');
  t.is(humanInstant(Date.UTC(2026, 11, 31, 23, 59, 59), 'Europe/London'), '2026-12-31 23:59 GMT');
  t.is(humanInstant(Date.UTC(2026, 0, 1, 0, 0), 'Asia/Kolkata'), '2026-01-01 05:30 GMT+5:30');
});

test('humanInstant: midnight is 00:00, not 24:00; the DST fall-back hour shows both zones', (t) => {
  t.is(humanInstant(Date.UTC(2026, 11, 1, 23, 0), 'Europe/Berlin'), '2026-12-02 00:00 CET');
  t.is(humanInstant(Date.UTC(2026, 9, 25, 0, 30), 'Europe/Berlin'), '2026-10-25 02:30 CEST');
  t.is(humanInstant(Date.UTC(2026, 9, 25, 1, 30), 'Europe/Berlin'), '2026-10-25 02:30 CET');
});

test('iso stays UTC ISO 8601; isTimeZone knows IANA names only', (t) => {
  t.is(iso(WINTER), '2026-12-02T01:00:00.000Z');
  t.true(isTimeZone('Europe/Berlin'));
  t.false(isTimeZone('Mars/Olympus'));
  t.false(isTimeZone(''));
});
