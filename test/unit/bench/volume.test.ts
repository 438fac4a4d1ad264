import test from 'ava';

import { qmpByCommand, split, timed, withCopyRange, type Call } from '../../../bench/volume.js';
import type { QmpClient } from '../../../src/adapters/qmp/qmp-client.js';

const c = (name: string, start: number, end: number): Call => ({ name, start, end });

test('split: each port call in its column, the job from transaction to query-jobs, the rest left over', (t) => {
  const calls = [
    c('hv.listDomainDisks', 0, 2),
    c('img.info', 2, 12),
    c('img.info', 12, 22),
    c('img.create', 22, 30),
    c('host.start', 30, 50),
    c('host.connect', 50, 51),
    c('qmp.execute:blockdev-add', 51, 53),
    c('qmp.execute:transaction', 53, 55),
    c('qmp.execute:query-jobs', 955, 956),
    c('qmp.execute:blockdev-del', 956, 1106),
    c('offline.run', 30, 1120),
    c('fs.fsyncFile', 1120, 1125),
    c('fs.fsyncDir', 1125, 1126),
    c('fs.checksumFile', 1126, 1826),
  ];
  const s = split(calls, 1900);
  t.is(s.libvirtListDisksMs, 2);
  t.is(s.qemuImgInfoMs, 20);
  t.is(s.qemuImgCreateMs, 8);
  t.is(s.qsdStartMs, 20);
  t.is(s.qmpConnectMs, 1);
  t.is(s.qmpCommandsMs, 155);
  t.is(s.backupJobMs, 900);
  t.is(s.qsdStopAndRestMs, 1090 - 20 - 1 - 155 - 900);
  t.is(s.fsyncMs, 6);
  t.is(s.checksumMs, 700);
  t.is(s.catalogAndRestMs, 1900 - 2 - 20 - 8 - 20 - 1 - 155 - 900 - 14 - 6 - 700);
  t.deepEqual(qmpByCommand(calls), {
    'blockdev-add': 2,
    transaction: 2,
    'query-jobs': 1,
    'blockdev-del': 150,
  });
});

test('split: no job end seen: the job is NaN, not counted in the rest', (t) => {
  const s = split([c('qmp.execute:transaction', 0, 1), c('offline.run', 0, 10)], 10);
  t.true(Number.isNaN(s.backupJobMs));
  t.is(s.qsdStopAndRestMs, 9);
});

test('timed: records async calls with their QMP command, passes results through', async (t) => {
  const calls: Call[] = [];
  const obj = timed({ execute: (cmd: string) => Promise.resolve(`${cmd}!`), sync: () => 1 }, 'qmp', calls);
  t.is(await obj.execute('query-jobs'), 'query-jobs!');
  t.is(obj.sync(), 1);
  t.deepEqual(
    calls.map((x) => x.name),
    ['qmp.execute:query-jobs'],
  );
});

test('withCopyRange: x-perf use-copy-range added to blockdev-backup only, other commands untouched', async (t) => {
  const sent: [string, unknown][] = [];
  const fake = { execute: (cmd: string, args?: unknown) => (sent.push([cmd, args]), Promise.resolve(null)) };
  const qmp = withCopyRange(fake as unknown as QmpClient);
  await qmp.execute('transaction', {
    actions: [
      { type: 'blockdev-backup', data: { device: 'src', sync: 'full' } },
      { type: 'block-dirty-bitmap-add', data: { node: 'src', name: 'b' } },
    ],
  });
  await qmp.execute('blockdev-del', { 'node-name': 'tgt' });
  t.deepEqual(sent, [
    [
      'transaction',
      {
        actions: [
          {
            type: 'blockdev-backup',
            data: { device: 'src', sync: 'full', 'x-perf': { 'use-copy-range': true } },
          },
          { type: 'block-dirty-bitmap-add', data: { node: 'src', name: 'b' } },
        ],
      },
    ],
    ['blockdev-del', { 'node-name': 'tgt' }],
  ]);
});
