import test from 'ava';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PointView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { withTestVm } from '../../helpers/test-vm.js';

// Files are private (issue 11 §3): the daemon runs with umask 077; the catalog is 0600, the
// state dir and store 0711 (QEMU traverses them), the socket 0660; a socket directory that
// existed is not chowned. And QEMU still writes backups into the store under that umask.

const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;

test('catalog 0600, state dir and store 0711, socket 0660, the existing socket dir untouched', async (t) => {
  const d = await withDaemon(t);
  const socketDir = dirname(d.socket);
  t.is(await modeOf(d.stateDir), 0o711);
  t.is(await modeOf(join(d.stateDir, 'store')), 0o711);
  const names = (await readdir(d.stateDir)).filter((n) => n.startsWith('catalog.db'));
  t.deepEqual(names.sort(), ['catalog.db', 'catalog.db-shm', 'catalog.db-wal']);
  for (const n of names) t.is(await modeOf(join(d.stateDir, n)), 0o600, n);
  t.is(await modeOf(d.socket), 0o660);
  // The daemon used to chown it to root:virtpoint (socket_group, default virtpoint).
  t.is(
    (await stat(socketDir)).gid,
    process.getgid?.() ?? 0,
    'the test-made socket directory keeps its group',
  );
});

test('under umask 077 a full and an incremental are written into the store (0711 dirs, 0600 files)', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const d = await withDaemon(t);
  const full = await d.json<PointView>(['backup', vm.name]);
  t.is(full.state, 'available');
  await vm.agent.writeSeededFile('/mnt/vda/x.bin', 'modes', 64 * 1024);
  const inc = await d.json<PointView>(['backup', vm.name]);
  t.is(inc.state, 'available');
  t.is(inc.kind, 'incremental');
  for (const p of [full, inc]) {
    for (const disk of p.disks) {
      t.is(await modeOf(disk.path), 0o600, disk.path);
      t.is(await modeOf(dirname(disk.path)), 0o711, 'chain dir');
      t.is(await modeOf(dirname(dirname(disk.path))), 0o711, 'domain dir');
    }
  }
});
