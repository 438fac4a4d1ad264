import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Point } from '../../../src/ports/catalog.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import { withTestVm, type TestVm } from '../../helpers/test-vm.js';
import { virsh, waitForState } from '../../helpers/virsh.js';
import { withEngine, type Engine } from './backup-harness.js';

// The restore side on real VMs: rollback, create volume, create image, chain-aware delete — the
// bytes compared inside the guest and in the files.

interface Round {
  readonly point: Point;
  /** sha256 of every file (by guest path) at this point. */
  readonly files: ReadonlyMap<string, string>;
}

/** Four points of a 2-disk VM, with files added and rewritten between them. */
async function fourPoints(vm: TestVm, eng: Engine): Promise<Round[]> {
  const rounds: Round[] = [];
  const files = new Map<string, string>();
  for (let i = 0; i < 4; i++) {
    for (const disk of ['vda', 'vdb']) {
      files.set(
        `/mnt/${disk}/r${i}.bin`,
        await vm.agent.writeSeededFile(`/mnt/${disk}/r${i}.bin`, `${disk}${i}`, 48 * 1024),
      );
    }
    if (i > 0)
      files.set('/mnt/vda/r0.bin', await vm.agent.writeSeededFile('/mnt/vda/r0.bin', `rw${i}`, 40 * 1024));
    rounds.push({ point: await eng.svc.backup({ domain: vm.uuid }), files: new Map(files) });
  }
  return rounds;
}

async function guestFiles(vm: TestVm): Promise<Map<string, string>> {
  const out = await vm.agent.sh(
    'for f in /mnt/vda/*.bin /mnt/vdb/*.bin; do [ -f "$f" ] && sha256sum "$f"; done; true',
  );
  return new Map(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [sha, path] = l.split(/\s+/);
        return [path!, sha!];
      }),
  );
}

test('rollback of a running 2-disk VM to point 2 of 4: every file has its point-2 bytes, later files are gone, the VM runs again; the next backup is a new full chain (restored)', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const rounds = await fourPoints(vm, eng);
  await vm.agent.writeSeededFile('/mnt/vdb/after.bin', 'after', 4096);
  const target = rounds[1]!;
  const res = await eng.restore.rollback(
    { domain: vm.name, pointId: target.point.id, shutdownTimeoutMs: 20_000 },
    {},
  );
  t.true(res.started);
  t.deepEqual(res.disks.map((d) => d.target).sort(), ['vda', 'vdb']);
  await vm.agent.waitReady();
  const sorted = (m: ReadonlyMap<string, string>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  t.deepEqual(sorted(await guestFiles(vm)), sorted(target.files));
  t.is(eng.catalog.getPoint(target.point.id)?.state, 'available');
  t.is(eng.catalog.getChain(target.point.chainId)?.sealReason, 'restored');
  t.deepEqual(await eng.hv.listCheckpoints(vm.uuid), []);
  const next = await eng.svc.backup({ domain: vm.uuid });
  t.is(next.kind, 'full');
  t.is(next.newChainReason, 'restored');
});

test('rollback of a stopped VM, of one disk only; --map onto a too-small disk and a data disk onto the system disk are refused, nothing changes', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }, { sizeMiB: 32 }] });
  const eng = await withEngine(t);
  const a = await vm.agent.writeSeededFile('/mnt/vdb/keep.bin', 'one', 16 * 1024);
  const p = await eng.svc.backup({ domain: vm.name, disks: ['vda', 'vdb'] });
  await vm.agent.writeSeededFile('/mnt/vdb/keep.bin', 'two', 16 * 1024);
  const sysSha = await vm.agent.writeSeededFile('/mnt/vda/sys.bin', 'sys', 16 * 1024);
  await vm.shutdown();

  const tooSmall = await t.throwsAsync(
    eng.restore.rollback({ domain: vm.name, pointId: p.id, disks: ['vdb'], map: { vdb: 'vdc' } }),
  );
  t.is((tooSmall as { code?: string }).code, 'INVALID_ARGUMENT');
  t.regex(tooSmall!.message, /vdc/);
  const toSystem = await t.throwsAsync(
    eng.restore.rollback({ domain: vm.name, pointId: p.id, disks: ['vdb'], map: { vdb: 'vda' } }),
  );
  t.is((toSystem as { code?: string }).code, 'INVALID_ARGUMENT');
  t.is(await vm.state(), 'shut off');

  const res = await eng.restore.rollback({ domain: vm.name, pointId: p.id, disks: ['vdb'] });
  t.false(res.started, 'a stopped VM stays stopped');
  t.is(await vm.state(), 'shut off');
  await vm.start();
  t.is(await vm.agent.sha256File('/mnt/vdb/keep.bin'), a, 'vdb rolled back');
  t.is(await vm.agent.sha256File('/mnt/vda/sys.bin'), sysSha, 'vda untouched');
});

test('rollback runs out of space: the original disk is intact, the point stays available, a clear error', async (t) => {
  const small = join(RUN_DIR, `tmpfs-${process.pid}`);
  await mkdir(small, { recursive: true });
  await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', small]);
  t.teardown(async () => {
    await promisify(execFile)('umount', ['-l', small]).catch(() => undefined);
  });
  // The VM's disk lives on the 40 MiB filesystem: 32 MiB virtual, mostly written, so a second copy cannot fit.
  const img = join(small, 'vda.raw');
  await promisify(execFile)('truncate', ['-s', '32M', img]);
  await promisify(execFile)('mkfs.ext4', ['-q', '-F', img]);
  const vm = await withTestVm(t, { disks: [{ existing: img, format: 'raw' }] });
  const eng = await withEngine(t);
  const sha = await vm.agent.writeSeededFile('/mnt/vda/data.bin', 'nospace', 24 * 1024 * 1024);
  const p = await eng.svc.backup({ domain: vm.name });
  await vm.agent.writeSeededFile('/mnt/vda/data.bin', 'changed', 1024);
  const changed = await vm.agent.sha256File('/mnt/vda/data.bin');
  const err = await t.throwsAsync(
    eng.restore.rollback({ domain: vm.name, pointId: p.id, force: true, shutdownTimeoutMs: 30_000 }),
  );
  t.is((err as { code?: string }).code, 'NO_SPACE', err?.message);
  t.is(eng.catalog.getPoint(p.id)?.state, 'available');
  await waitForState(vm.name, 'running', 60_000);
  await vm.agent.waitReady();
  t.is(await vm.agent.sha256File('/mnt/vda/data.bin'), changed, 'the original disk is intact');
  t.not(changed, sha);
});

test('create volume from point 3 (directory and libvirt pool), attach it to a new VM and read the files back', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const rounds = await fourPoints(vm, eng);
  const p3 = rounds[2]!;
  const vol = await eng.volumes.createVolume(
    { pointId: p3.point.id, disk: 'vdb', name: 'from-p3', dir: eng.volumeDir, format: 'qcow2' },
    {},
  );
  const again = await t.throwsAsync(
    eng.volumes.createVolume({ pointId: p3.point.id, disk: 'vdb', name: 'from-p3', dir: eng.volumeDir }, {}),
  );
  t.is((again as { code?: string }).code, 'ALREADY_EXISTS', 'never overwrites');
  const outside = await t.throwsAsync(
    eng.volumes.createVolume({ pointId: p3.point.id, disk: 'vdb', name: 'x', dir: '/etc' }, {}),
  );
  t.is((outside as { code?: string }).code, 'INVALID_ARGUMENT');

  const reader = await withTestVm(t, {
    label: 'reader',
    disks: [{ sizeMiB: 16 }, { existing: vol.path, format: 'qcow2' }],
  });
  for (const [path, sha] of p3.files) {
    if (path.startsWith('/mnt/vdb/')) t.is(await reader.agent.sha256File(path), sha, path);
  }
  t.is(
    (await reader.agent.exec('test -e /mnt/vdb/r3.bin')).exitCode,
    1,
    'a file written after point 3 is not there',
  );

  // A libvirt directory pool of our own.
  const poolDir = join(RUN_DIR, `pool-${process.pid}`);
  await mkdir(poolDir, { recursive: true });
  const pool = `${vm.name}-pool`;
  await virsh(['pool-create-as', pool, 'dir', '--target', poolDir]);
  t.teardown(async () => {
    await virsh(['pool-destroy', pool]).catch(() => undefined);
  });
  const pv = await eng.volumes.createVolume(
    { pointId: p3.point.id, disk: 'vda', name: 'p3-vda.raw', pool, format: 'raw' },
    {},
  );
  t.regex(await virsh(['vol-list', pool]), /p3-vda\.raw/);
  t.is(await sha256FileInImage(pv.path, '/r2.bin'), p3.files.get('/mnt/vda/r2.bin') ?? 'missing');
  await eng.volumes.deleteVolume(pv.id);
  t.notRegex(await virsh(['vol-list', pool]), /p3-vda\.raw/);
});

test("a linked image used as a disk of a new VM reads the point's data; the point cannot be deleted while it exists", async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const rounds = await fourPoints(vm, eng);
  const p2 = rounds[1]!;
  const img = await eng.images.createImage(
    { pointId: p2.point.id, disk: 'vdb', name: 'golden-vdb.qcow2', linked: true },
    {},
  );
  const user = await withTestVm(t, {
    label: 'linked',
    disks: [{ sizeMiB: 16 }, { existing: img.path, format: 'qcow2' }],
  });
  t.is(await user.agent.sha256File('/mnt/vdb/r1.bin'), p2.files.get('/mnt/vdb/r1.bin') ?? 'missing');
  const blocked = await t.throwsAsync(eng.del.deletePoint(p2.point.id, { cascade: false }));
  t.is((blocked as { code?: string }).code, 'POINT_PROTECTED');
  t.regex(blocked!.message, /golden-vdb/);
  await user.remove();
  await eng.images.deleteImage(img.name);
  await eng.del.deletePoint(p2.point.id, { cascade: false });
  t.is(eng.catalog.getPoint(p2.point.id), null);
});

test('delete: a middle point (later points keep their bytes), cascade, the newest then back up, the full point (chain gone)', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const rounds = await fourPoints(vm, eng);
  const check = async (r: Round) => {
    for (const [path, sha] of r.files) {
      const disk = path.slice(5, 8);
      t.is(await sha256FileInImage(eng.file(r.point, disk), path.slice(8)), sha, `${r.point.seq} ${path}`);
    }
  };
  await eng.del.deletePoint(rounds[1]!.point.id, { cascade: false });
  await check(rounds[2]!);
  await check(rounds[3]!);
  // The newest goes; the next backup is an incremental on the new newest, with the right data.
  await eng.del.deletePoint(rounds[3]!.point.id, { cascade: false });
  const sha = await vm.agent.writeSeededFile('/mnt/vdb/late.bin', 'late', 8192);
  const next = await eng.svc.backup({ domain: vm.uuid });
  t.is(next.kind, 'incremental');
  t.is(await sha256FileInImage(eng.file(next, 'vdb'), '/late.bin'), sha);
  t.is(
    await sha256FileInImage(eng.file(next, 'vdb'), '/r3.bin'),
    rounds[3]!.files.get('/mnt/vdb/r3.bin') ?? 'missing',
  );
  // Cascade from seq 2: it and everything after go.
  await eng.del.deletePoint(rounds[2]!.point.id, { cascade: true });
  t.deepEqual(
    eng.catalog.listPoints({ chainId: rounds[0]!.point.chainId }).map((p) => p.seq),
    [0],
  );
  // The full point takes the chain, its files and checkpoints.
  await eng.del.deletePoint(rounds[0]!.point.id, { cascade: false });
  t.is(eng.catalog.getChain(rounds[0]!.point.chainId), null);
  t.deepEqual(await eng.hv.listCheckpoints(vm.uuid), []);
});
