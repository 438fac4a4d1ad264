import test from 'ava';

import {
  offlineQsdArgv,
  QsdOfflineBackup,
  type OfflineBackupHost,
} from '../../../../src/adapters/qmp/offline-backup.js';
import { QmpClient } from '../../../../src/adapters/qmp/qmp-client.js';
import { isVirtpointError } from '../../../../src/core/errors.js';
import { fakeQmp, type FakeQmp, type QmpCall, type QmpReply } from '../../../helpers/fake-qmp.js';

const STAT = (pid: number, state: string, start: number) =>
  `${pid} (qemu-storage-d) ${state} 1 ${pid} ${pid} 0 -1 4194560 ${Array(12).fill('0').join(' ')} ${start} 123456 789`;

/** A host whose "started" daemon is the fake QMP server, with PID 4242 in a fake /proc. */
function host(server: FakeQmp, files: Record<string, string> = {}) {
  const killed: number[] = [];
  const removed: string[] = [];
  const started: string[][] = [];
  const h: OfflineBackupHost = {
    proc: {
      readText: async (p) => files[p] ?? null,
      kill: (pid) => {
        killed.push(pid);
        delete files[`/proc/${pid}/stat`];
      },
      sleep: async () => undefined,
    },
    start: async (argv) => {
      started.push(argv);
      const pidFile = argv[argv.indexOf('--pidfile') + 1]!;
      files[pidFile] = '4242\n';
      files['/proc/4242/stat'] = STAT(4242, 'S', 777);
      files['/proc/4242/cmdline'] = argv.join('\0') + '\0';
    },
    connect: () => QmpClient.connect(server.path),
    removeFile: async (p) => {
      removed.push(p);
      delete files[p];
    },
    listDir: async () =>
      Object.keys(files)
        .filter((f) => f.startsWith('/run/vb/'))
        .map((f) => f.slice(8)),
  };
  return { h, killed, removed, started, files };
}

/** Answers like qsd: the transaction starts the job, which concludes (with `error` if given). */
function qsd(error?: string) {
  return (c: QmpCall, s: FakeQmp): QmpReply => {
    if (c.execute === 'transaction')
      setTimeout(() => s.emit('JOB_STATUS_CHANGE', { id: 'vp-backup', status: 'concluded' }), 20);
    if (c.execute === 'query-jobs')
      return {
        return: [
          {
            id: 'vp-backup',
            status: 'concluded',
            'current-progress': 10,
            'total-progress': 10,
            ...(error ? { error } : {}),
          },
        ],
      };
    return { return: {} };
  };
}

const SPEC = {
  source: '/vols/data.qcow2',
  sourceFormat: 'qcow2' as const,
  target: '/store/u/c/vol.1.qcow2',
  sync: 'incremental' as const,
  bitmap: 'vp-c-0',
  newBitmap: 'vp-c-1',
  removeBitmaps: ['vp-c-0'],
  runDir: '/run/vb',
  tag: 'p1',
};

test('argv: only a QMP monitor on our socket, daemonized with a PID file (no shell)', (t) => {
  t.deepEqual(offlineQsdArgv('/run/vb/p1.qmp', '/run/vb/p1.pid'), [
    'qemu-storage-daemon',
    '--chardev',
    'socket,id=qmp0,path=/run/vb/p1.qmp,server=on,wait=off',
    '--monitor',
    'chardev=qmp0',
    '--daemonize',
    '--pidfile',
    '/run/vb/p1.pid',
  ]);
});

test('incremental: volume read-write, backup and next bitmap in one transaction, old bitmap removed, daemon stopped by PID', async (t) => {
  const server = await fakeQmp(qsd());
  const { h, killed, removed } = host(server);
  await new QsdOfflineBackup(h).run(SPEC);
  const calls = server.calls.map((c) => c.execute);
  t.deepEqual(calls.slice(0, 4), ['qmp_capabilities', 'blockdev-add', 'blockdev-add', 'transaction']);
  t.like(server.calls[1]!.arguments, { 'node-name': 'src', driver: 'qcow2', 'read-only': false });
  const tx = server.calls[3]!.arguments as { actions: { type: string; data: Record<string, unknown> }[] };
  t.deepEqual(
    tx.actions.map((a) => a.type),
    ['blockdev-backup', 'block-dirty-bitmap-add'],
  );
  t.like(tx.actions[0]!.data, { device: 'src', target: 'tgt', sync: 'incremental', bitmap: 'vp-c-0' });
  t.deepEqual(tx.actions[1]!.data, { node: 'src', name: 'vp-c-1', persistent: true });
  const removes = server.calls.filter((c) => c.execute === 'block-dirty-bitmap-remove');
  t.deepEqual(
    removes.map((c) => c.arguments),
    [{ node: 'src', name: 'vp-c-0' }],
  );
  t.deepEqual(calls.slice(-2), ['blockdev-del', 'blockdev-del']);
  t.deepEqual(killed, [4242]);
  t.true(removed.includes('/run/vb/p1.pid'));
  await server.close();
});

test('raw volume: read-only, full, no bitmap', async (t) => {
  const server = await fakeQmp(qsd());
  const { h } = host(server);
  await new QsdOfflineBackup(h).run({
    source: '/vols/r.img',
    sourceFormat: 'raw',
    target: '/store/t.qcow2',
    sync: 'full',
    runDir: '/run/vb',
    tag: 'p2',
  });
  t.like(server.calls[1]!.arguments, { driver: 'raw', 'read-only': true });
  const tx = server.calls[3]!.arguments as { actions: { type: string }[] };
  t.deepEqual(
    tx.actions.map((a) => a.type),
    ['blockdev-backup'],
  );
  await server.close();
});

test('a failed job: the new bitmap is removed again, the old one kept, NO_SPACE said, daemon stopped', async (t) => {
  const server = await fakeQmp(qsd('No space left on device'));
  const { h, killed } = host(server);
  const e = await t.throwsAsync(new QsdOfflineBackup(h).run(SPEC));
  t.true(isVirtpointError(e, 'NO_SPACE'));
  const removes = server.calls.filter((c) => c.execute === 'block-dirty-bitmap-remove');
  t.deepEqual(
    removes.map((c) => c.arguments),
    [{ node: 'src', name: 'vp-c-1' }],
  );
  t.deepEqual(killed, [4242]);
  await server.close();
});

test('stopLeftovers: stops only a PID file’s process that /proc proves ours; a reused PID is left alone', async (t) => {
  const server = await fakeQmp();
  const files: Record<string, string> = {
    '/run/vb/a.pid': '100\n',
    '/proc/100/stat': STAT(100, 'S', 5),
    '/proc/100/cmdline': offlineQsdArgv('/run/vb/a.qmp', '/run/vb/a.pid').join('\0'),
    '/run/vb/b.pid': '200\n',
    '/proc/200/stat': STAT(200, 'S', 6),
    '/proc/200/cmdline': 'sshd\0-D\0',
  };
  const { h, killed } = host(server, files);
  t.deepEqual(await new QsdOfflineBackup(h).stopLeftovers('/run/vb'), ['a']);
  t.deepEqual(killed, [100]);
  t.false('/run/vb/a.pid' in files);
  t.false('/run/vb/b.pid' in files);
  await server.close();
});
