import { randomBytes } from 'node:crypto';

import test from 'ava';

import { SqliteMounts } from '../../../../src/adapters/sqlite/sqlite-mounts.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { MountService } from '../../../../src/service/mount/mounts.js';
import { FakeMountHost } from '../../../fakes/fake-mounter.js';
import { setup as restoreSetup, STORE } from '../restore/_restore.js';

const MiB = 1024 * 1024;

/** A raw disk: GPT with partitions 1 (2–10 MiB) and 2 (10–30 MiB), ext4 on both. */
function gptDisk(): Buffer {
  const b = Buffer.alloc(32 * MiB);
  b[446 + 4] = 0xee;
  b.writeUInt32LE(1, 446 + 8);
  b.writeUInt32LE(0xffffffff, 446 + 12);
  b.writeUInt16LE(0xaa55, 510);
  b.write('EFI PART', 512, 'latin1');
  b.writeBigUInt64LE(2n, 512 + 72);
  b.writeUInt32LE(128, 512 + 80);
  b.writeUInt32LE(128, 512 + 84);
  // LINUX in its on-disk (mixed-endian) byte order.
  const g = Buffer.from('af3dc60f83847247' + '8e793d69d8477de4', 'hex');
  [
    [4096, 20479],
    [20480, 61439],
  ].forEach(([first, last], i) => {
    const at = 1024 + i * 128;
    g.copy(b, at);
    b.writeBigUInt64LE(BigInt(first!), at + 32);
    b.writeBigUInt64LE(BigInt(last!), at + 40);
    b.writeUInt16LE(0xef53, first! * 512 + 1024 + 56);
  });
  return b;
}

async function setup() {
  const r = await restoreSetup({ points: 3 });
  const host = new FakeMountHost(r.fs);
  let now = 1_000_000;
  const mounts = new SqliteMounts(r.catalog.db, () => now);
  const deps = {
    catalog: r.catalog,
    mounts,
    qsd: host.qsd,
    mounter: host.mounter,
    fs: r.fs,
    log: silentLogger,
    storeRoot: STORE,
    workRoot: '/var/lib/virtpoint/mounts',
    random: randomBytes,
    now: () => now,
    idleMinutes: 60,
  };
  const svc = new MountService(deps);
  for (const p of r.ps) for (const d of ['vda', 'vdb']) host.disks.set(r.file(p, d), gptDisk());
  await r.fs.mkdir('/mnt/a');
  await r.fs.mkdir('/mnt/b');
  await r.fs.mkdir('/run');
  const del = new DeleteService({
    hypervisor: r.hv,
    imageTool: r.images,
    catalog: r.catalog,
    fs: r.fs,
    log: silentLogger,
    storeRoot: STORE,
    inUse: (p) => svc.inUseError(p),
  });
  const clean = () =>
    host.procs.size === 0 && host.loops.size === 0 && host.mounted.size === 0 && mounts.list().length === 0;
  return { ...r, host, mounts, svc, del, deps, clean, advance: (ms: number) => (now += ms) };
}

test('mount: the largest Linux partition, read-only loop at its offset, every step recorded; unmount undoes all', async (t) => {
  const s = await setup();
  const p1 = s.ps[1]!;
  const m = await s.svc.mount({ pointId: p1.id, disk: 'vda', dir: '/mnt/a/' });
  t.like(m, {
    state: 'active',
    partition: 2,
    fsType: 'ext4',
    dir: '/mnt/a',
    loopDevice: '/dev/loop0',
    kind: 'mount',
  });
  t.deepEqual(s.host.loops.get('/dev/loop0'), { file: m.fuseFile, offset: 20480 * 512, size: 40960 * 512 });
  t.true(s.host.calls.includes(`qsd start ${s.file(p1)} ${m.fuseFile}`));
  t.is(s.host.mounted.get('/mnt/a'), '/dev/loop0');
  t.like(s.mounts.get(m.id), { qsdPid: m.qsdPid, loopDevice: '/dev/loop0', state: 'active' });
  t.deepEqual(
    s.svc.list().map((x) => x.id),
    [m.id],
  );
  await s.svc.unmount('/mnt/a');
  t.true(s.clean());
  t.false(await s.fs.exists(m.workDir));
  t.deepEqual(s.host.calls.slice(-3), ['umount /mnt/a', 'losetup -d /dev/loop0', `qsd stop ${m.qsdPid}`]);
});

test('mount: --partition picks that one; a bad number or a dir that is not empty is refused before anything starts', async (t) => {
  const s = await setup();
  const m = await s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vdb', dir: '/mnt/a', partition: 1 });
  t.like(m, { partition: 1 });
  t.deepEqual(s.host.loops.get(m.loopDevice!), { file: m.fuseFile, offset: 4096 * 512, size: 16384 * 512 });
  await t.throwsAsync(s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/a' }), {
    code: 'INVALID_ARGUMENT',
  });
  await t.throwsAsync(s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: 'rel/dir' }), {
    code: 'INVALID_ARGUMENT',
  });
  await t.throwsAsync(s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vdz', dir: '/mnt/b' }), {
    code: 'DISK_NOT_FOUND',
  });
  await t.throwsAsync(s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/b', partition: 5 }), {
    code: 'INVALID_ARGUMENT',
    message: /no mountable partition 5/,
  });
  t.is(s.mounts.list().length, 1, 'the failed mount left no row');
  t.is(s.host.procs.size, 1, 'and no process');
});

test('mount: no ext4/xfs filesystem → UNSUPPORTED, and what was set up is undone', async (t) => {
  const s = await setup();
  s.host.disks.set(s.file(s.ps[0]!), Buffer.alloc(MiB));
  await t.throwsAsync(s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/a' }), {
    code: 'UNSUPPORTED',
    message: /no ext4 or xfs/,
  });
  t.true(s.clean());
});

test('a mounted point, and every earlier point of its chain, cannot be deleted (POINT_IN_USE); a later one can', async (t) => {
  const s = await setup();
  const [p0, p1, p2] = s.ps as [(typeof s.ps)[0], (typeof s.ps)[0], (typeof s.ps)[0]];
  await s.svc.mount({ pointId: p1.id, disk: 'vda', dir: '/mnt/a' });
  await t.throwsAsync(s.del.deletePoint(p1.id, { cascade: false }), {
    code: 'POINT_IN_USE',
    message: /\/mnt\/a/,
  });
  await t.throwsAsync(s.del.deletePoint(p0.id, { cascade: false }), { code: 'POINT_IN_USE' });
  t.throws(() => s.del.checkChain(p0.chainId), { code: 'POINT_IN_USE' });
  t.is(s.catalog.getPoint(p1.id)?.state, 'available');
  await s.del.deletePoint(p2.id, { cascade: false });
  t.is(s.catalog.getPoint(p2.id), null);
  await s.svc.unmount('/mnt/a');
  await s.del.deletePoint(p1.id, { cascade: false });
  t.is(s.catalog.getPoint(p1.id), null);
});

test('export: NBD on a new socket; an existing socket path is never replaced; unmount removes the socket of our process', async (t) => {
  const s = await setup();
  await s.fs.writeFile('/run/taken.sock', '', 0o600);
  await t.throwsAsync(s.svc.export({ pointId: s.ps[0]!.id, disk: 'vda', socket: '/run/taken.sock' }), {
    code: 'ALREADY_EXISTS',
  });
  const m = await s.svc.export({ pointId: s.ps[0]!.id, disk: 'vda', socket: '/run/p.sock' });
  t.like(m, { kind: 'nbd', state: 'active', socket: '/run/p.sock', dir: null, loopDevice: null });
  await t.throwsAsync(s.del.deletePoint(s.ps[0]!.id, { cascade: false }), { code: 'POINT_IN_USE' });
  await s.svc.unmount('/run/p.sock');
  t.true(s.clean());
  t.false(await s.fs.exists('/run/p.sock'));
  t.true(await s.fs.exists('/run/taken.sock'));
});

test('unmount of a busy directory: IN_USE, the row stays so a retry finishes', async (t) => {
  const s = await setup();
  const m = await s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/a' });
  s.host.failUmount = new Error('umount: /mnt/a: target is busy');
  await t.throwsAsync(s.svc.unmount(m.id), { code: 'IN_USE', message: /fuser -vm \/mnt\/a/ });
  t.like(s.mounts.get(m.id), { state: 'unmounting' });
  s.host.failUmount = null;
  await s.svc.unmount(m.id);
  t.true(s.clean());
  await t.throwsAsync(s.svc.unmount('/mnt/a'), { code: 'NOT_FOUND' });
});

test('cleanup at start: only what the row proves is ours goes (reused PID, re-used loop, foreign mount are left)', async (t) => {
  const s = await setup();
  const a = await s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/a' });
  const b = await s.svc.mount({ pointId: s.ps[1]!.id, disk: 'vda', dir: '/mnt/b' });
  // As after a kill -9 and more: b's process died and its PID went to another program, b's loop
  // device was detached and re-used for another file, and /mnt/b holds someone else's mount.
  s.host.procs.delete(b.qsdPid!);
  s.host.spawnForeign(b.qsdPid!, 1, '/somewhere/else');
  s.host.loops.set(b.loopDevice!, { file: '/srv/other.img', offset: 0, size: 1 });
  s.host.mounted.set('/mnt/b', '/dev/sdz1');
  const fresh = new MountService(s.deps);
  await fresh.cleanupOnStart();
  t.is(s.mounts.list().length, 0);
  t.false(s.host.mounted.has('/mnt/a'));
  t.false(s.host.procs.has(a.qsdPid!));
  t.false(s.host.loops.has(a.loopDevice!));
  t.is(s.host.mounted.get('/mnt/b'), '/dev/sdz1');
  t.like(s.host.procs.get(b.qsdPid!), { mark: '/somewhere/else' });
  t.like(s.host.loops.get(b.loopDevice!), { file: '/srv/other.img' });
});

test('cleanup at start: a crash between starting the process and recording its PID is found through our PID file', async (t) => {
  const s = await setup();
  const m = await s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/a' });
  s.mounts.update(m.id, { state: 'mounting' });
  s.catalog.db
    .prepare('UPDATE mounts SET qsd_pid = NULL, qsd_start_time = NULL, loop_device = NULL WHERE id = ?')
    .run(m.id);
  await new MountService(s.deps).cleanupOnStart();
  t.true(s.clean());
});

test('idle sweep: a mount that is read stays; one unread for mount_idle_minutes is undone', async (t) => {
  const s = await setup();
  const read = await s.svc.mount({ pointId: s.ps[0]!.id, disk: 'vda', dir: '/mnt/a' });
  const idle = await s.svc.mount({ pointId: s.ps[1]!.id, disk: 'vda', dir: '/mnt/b' });
  await s.svc.sweepIdle();
  for (let minute = 0; minute < 61; minute++) {
    s.advance(60_000);
    s.host.procs.get(read.qsdPid!)!.reads += 4096;
    await s.svc.sweepIdle();
  }
  t.deepEqual(
    s.mounts.list().map((m) => m.id),
    [read.id],
  );
  t.false(s.host.mounted.has('/mnt/b'));
  t.false(s.host.procs.has(idle.qsdPid!));
});
