import test from 'ava';

import { humanTime, timeZonesOf, withTimeZones } from '../../../src/cli/output.js';
import { a00000000001 } from './fixtures.js';
import { run, startFakeApi } from './fake-api.js';

test('humanTime follows the command zone; --utc shows UTC; null is a dash', (t) => {
  const at = '2026-12-02T01:00:00.000Z';
  t.is(
    withTimeZones(timeZonesOf(false, { TZ: 'Europe/Berlin' }), () => humanTime(at)),
    '2026-12-02 02:00 CET',
  );
  t.is(
    withTimeZones(timeZonesOf(true, { TZ: 'Europe/Berlin' }), () => humanTime(at)),
    '2026-12-02 01:00 UTC',
  );
  t.is(
    withTimeZones(timeZonesOf(false, { TZ: ':Asia/Shanghai' }), () => humanTime(at)),
    '2026-12-02 09:00 GMT+8',
  );
  t.is(humanTime(null), '-');
  t.is(humanTime('not a time'), 'not a time');
  // An unknown TZ falls back to the runtime's zone rather than failing.
  t.is(timeZonesOf(false, { TZ: 'Nowhere/Else' }).host, Intl.DateTimeFormat().resolvedOptions().timeZone);
});

test('point show in TZ=Europe/Berlin: local time with the zone; --utc: UTC; --json: ISO UTC as sent', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/points/a00000000001': { body: a00000000001 } });
  const env = { TZ: 'Europe/Berlin' };
  const local = await run(api.socket, ['point', 'show', 'a00000000001'], { env });
  t.is(local.code, 0);
  t.regex(local.stdout, /^created +2024-05-01 04:00 CEST$/m);
  const utc = await run(api.socket, ['point', 'show', 'a00000000001', '--utc'], { env });
  t.regex(utc.stdout, /^created +2024-05-01 02:00 UTC$/m);
  const json = await run(api.socket, ['point', 'show', 'a00000000001', '--json'], { env });
  t.is((JSON.parse(json.stdout) as { createdAt: string }).createdAt, a00000000001.createdAt);
});

test('human times in the host zone take the local path (no Intl) when TZ is not set; --utc and TZ do not', (t) => {
  const at = '2026-12-02T01:00:00.000Z';
  const local = { format: (ms: number) => `local ${ms}` };
  t.is(
    withTimeZones(
      timeZonesOf(false, {}, () => local),
      () => humanTime(at),
    ),
    `local ${Date.parse(at)}`,
  );
  t.is(
    withTimeZones(
      timeZonesOf(true, {}, () => local),
      () => humanTime(at),
    ),
    '2026-12-02 01:00 UTC',
  );
  t.is(
    withTimeZones(
      timeZonesOf(false, { TZ: 'Europe/Berlin' }, () => local),
      () => humanTime(at),
    ),
    '2026-12-02 02:00 CET',
  );
  const unnamed = { format: () => null };
  t.is(
    withTimeZones(
      timeZonesOf(true, {}, () => unnamed),
      () => humanTime(at),
    ),
    '2026-12-02 01:00 UTC',
  );
});
