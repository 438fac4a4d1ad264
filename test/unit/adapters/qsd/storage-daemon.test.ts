import test from 'ava';

import {
  parseStat,
  QemuStorageDaemon,
  qsdArgv,
  type ProcFs,
} from '../../../../src/adapters/qsd/storage-daemon.js';

const STAT = (pid: number, state: string, start: number) =>
  `${pid} (qemu-storage-d) ${state} 1 ${pid} ${pid} 0 -1 4194560 ${Array(12).fill('0').join(' ')} ${start} 123456 789`;

test('qsdArgv: read-only qcow2 node with its backing chain, FUSE export not writable, daemonized with a PID file', (t) => {
  const argv = qsdArgv({
    image: '/s/a,b/vda.3.qcow2',
    format: 'qcow2',
    export: { fuseFile: '/s/m/vda.raw' },
    pidFile: '/s/m/qsd.pid',
  });
  t.is(argv[0], 'qemu-storage-daemon');
  t.deepEqual(JSON.parse(argv[2]!), {
    driver: 'file',
    'node-name': 'file0',
    filename: '/s/a,b/vda.3.qcow2',
    'read-only': true,
  });
  t.deepEqual(JSON.parse(argv[4]!), {
    driver: 'qcow2',
    'node-name': 'disk0',
    file: 'file0',
    'read-only': true,
  });
  t.like(JSON.parse(argv[6]!), { type: 'fuse', mountpoint: '/s/m/vda.raw', writable: false });
  t.deepEqual(argv.slice(-3), ['--daemonize', '--pidfile', '/s/m/qsd.pid']);
  const nbd = qsdArgv({ image: '/i', format: 'raw', export: { socket: '/run/x.sock' }, pidFile: '/p' });
  t.deepEqual(JSON.parse(nbd[6]!), { addr: { type: 'unix', path: '/run/x.sock' } });
  t.like(JSON.parse(nbd[8]!), { type: 'nbd', name: 'disk', writable: false });
});

test('parseStat: state and start time after a comm with spaces and parentheses', (t) => {
  t.deepEqual(parseStat(STAT(42, 'S', 9876)), { state: 'S', startTime: 9876 });
  t.deepEqual(parseStat(`42 (a) b) c) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 555 0`), {
    state: 'Z',
    startTime: 555,
  });
});

function proc(files: Record<string, string>): ProcFs & { killed: number[] } {
  const killed: number[] = [];
  return {
    killed,
    readText: async (p) => files[p] ?? null,
    kill: (pid) => {
      killed.push(pid);
      delete files[`/proc/${pid}/stat`];
    },
    sleep: async () => undefined,
  };
}

const CMD = (mark: string) =>
  ['qemu-storage-daemon', '--export', JSON.stringify({ mountpoint: mark }), ''].join('\0');

test('isOurs / stop: only the PID with the recorded start time and a command line naming our file is killed', async (t) => {
  const p = proc({
    '/proc/7/stat': STAT(7, 'S', 100),
    '/proc/7/cmdline': CMD('/s/m/vda.raw'),
    '/proc/8/stat': STAT(8, 'S', 200),
    '/proc/8/cmdline': ['sleep', '100', ''].join('\0'),
  });
  const q = new QemuStorageDaemon(p);
  t.true(await q.isOurs({ pid: 7, startTime: 100 }, '/s/m/vda.raw'));
  t.false(await q.isOurs({ pid: 7, startTime: 99 }, '/s/m/vda.raw'), 'a reused PID');
  t.false(await q.isOurs({ pid: 7, startTime: 100 }, '/s/m/other.raw'), 'another export');
  t.false(await q.isOurs({ pid: 8, startTime: 200 }, '/s/m/vda.raw'), 'another program');
  await q.stop({ pid: 8, startTime: 200 }, '/s/m/vda.raw');
  await q.stop({ pid: 7, startTime: 99 }, '/s/m/vda.raw');
  t.deepEqual(p.killed, []);
  await q.stop({ pid: 7, startTime: 100 }, '/s/m/vda.raw');
  t.deepEqual(p.killed, [7]);
});

test('fromPidFile and readCount', async (t) => {
  const q = new QemuStorageDaemon(
    proc({
      '/w/qsd.pid': '7\n',
      '/proc/7/stat': STAT(7, 'S', 100),
      '/proc/7/cmdline': CMD('/w/vda.raw'),
      '/proc/7/io': 'rchar: 4096\nwchar: 0\n',
    }),
  );
  t.deepEqual(await q.fromPidFile('/w/qsd.pid', '/w/vda.raw'), { pid: 7, startTime: 100 });
  t.is(await q.fromPidFile('/w/qsd.pid', '/elsewhere'), null);
  t.is(await q.fromPidFile('/w/none.pid', '/w/vda.raw'), null);
  t.is(await q.readCount({ pid: 7, startTime: 100 }), 4096);
  t.is(await q.readCount({ pid: 9, startTime: 1 }), null);
});
