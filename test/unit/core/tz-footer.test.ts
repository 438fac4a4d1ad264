import test from 'ava';
import { abbreviationAt, parseTzFooter, tzifFooter } from '../../../src/core/tz-footer.js';

test('parseTzFooter: standard and daylight names and offsets (minutes west of UTC)', (t) => {
  t.deepEqual(parseTzFooter('CET-1CEST,M3.5.0,M10.5.0/3'), {
    std: 'CET',
    stdOffsetMin: -60,
    dst: 'CEST',
    dstOffsetMin: -120,
  });
  t.deepEqual(parseTzFooter('UTC0'), { std: 'UTC', stdOffsetMin: 0, dst: null, dstOffsetMin: null });
  t.deepEqual(parseTzFooter('EST5EDT,M3.2.0,M11.1.0'), {
    std: 'EST',
    stdOffsetMin: 300,
    dst: 'EDT',
    dstOffsetMin: 240,
  });
  t.deepEqual(parseTzFooter('IST-5:30'), { std: 'IST', stdOffsetMin: -330, dst: null, dstOffsetMin: null });
  t.deepEqual(parseTzFooter('NZST-12NZDT-13,M9.5.0,M4.1.0/3')?.dstOffsetMin, -780);
});

test('parseTzFooter: quoted or empty names are left to Intl', (t) => {
  t.is(parseTzFooter('<+04>-4'), null);
  t.is(parseTzFooter('<-03>3'), null);
  t.is(parseTzFooter(''), null);
  t.is(parseTzFooter('garbage'), null);
});

test('abbreviationAt: the name whose offset matches, else null', (t) => {
  const z = parseTzFooter('CET-1CEST,M3.5.0,M10.5.0/3')!;
  t.is(abbreviationAt(z, -60), 'CET');
  t.is(abbreviationAt(z, -120), 'CEST');
  t.is(abbreviationAt(z, 0), null, 'an offset of another era');
  t.is(abbreviationAt(parseTzFooter('UTC0')!, -60), null);
});

test('tzifFooter: the text between the last two newlines of a TZif v2+ file', (t) => {
  const enc = (s: string) => new TextEncoder().encode(s);
  t.is(tzifFooter(enc('TZif2\0\0\0 data \nCET-1CEST,M3.5.0,M10.5.0/3\n')), 'CET-1CEST,M3.5.0,M10.5.0/3');
  t.is(tzifFooter(enc('TZif\0\0\0\0 data \nUTC0\n')), null, 'version 1 has no footer');
  t.is(tzifFooter(enc('NotTZif2 \nUTC0\n')), null);
  t.is(tzifFooter(enc('TZif2 no newline at the end')), null);
});
