import { existsSync } from 'node:fs';
import test from 'ava';
import { hostLocalZone, localZoneOf } from '../../../src/cli/local-zone.js';
import { parseTzFooter } from '../../../src/core/tz-footer.js';
import { humanInstant } from '../../../src/core/iso.js';

// Date's local getters follow process.env.TZ (read again when it changes): this file's worker
// runs in the zones below, and the local path must print what the Intl path prints there.
const winter = Date.parse('2026-01-15T12:34:00Z');
const summer = Date.parse('2026-07-15T12:34:00Z');

test.serial('the local path prints what Intl prints, winter and summer (Europe/Berlin)', (t) => {
  process.env['TZ'] = 'Europe/Berlin';
  try {
    const local = localZoneOf(parseTzFooter('CET-1CEST,M3.5.0,M10.5.0/3')!);
    t.is(local.format(winter), '2026-01-15 13:34 CET');
    t.is(local.format(summer), '2026-07-15 14:34 CEST');
    t.is(local.format(winter), humanInstant(winter, 'Europe/Berlin'));
    t.is(local.format(summer), humanInstant(summer, 'Europe/Berlin'));
    t.is(local.format(Date.parse('1930-01-01T00:00:00Z')), '1930-01-01 01:00 CET');
  } finally {
    delete process.env['TZ'];
  }
});

test.serial('an offset the footer does not name gives null (the caller asks Intl)', (t) => {
  process.env['TZ'] = 'Asia/Kolkata';
  try {
    t.is(localZoneOf(parseTzFooter('CET-1')!).format(winter), null);
    t.is(localZoneOf(parseTzFooter('IST-5:30')!).format(winter), '2026-01-15 18:04 IST');
  } finally {
    delete process.env['TZ'];
  }
});

test.serial('hostLocalZone: null while TZ is set or without a readable TZif file', (t) => {
  process.env['TZ'] = 'UTC';
  try {
    t.is(hostLocalZone(), null, 'Date follows TZ, not /etc/localtime');
  } finally {
    delete process.env['TZ'];
  }
  t.is(hostLocalZone('/nonexistent/localtime'), null);
  t.true(existsSync('/etc/localtime'), 'Debian hosts have one');
  t.regex(hostLocalZone()?.format(winter) ?? 'none', /^2026-01-1[56] \d\d:[03]4 [A-Za-z]{3,}$/);
});
