import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import test from 'ava';

import { runCommand } from '../../../src/adapters/process/run-command.js';
import type { MountView, PartitionsView, PointView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { alive, loopsUnder, makeGptDisk, undoRecordedMounts } from '../../helpers/mounts.js';
import { prepareRunDir, RUN_DIR } from '../../helpers/run-dir.js';
import { withTestVm } from '../../helpers/test-vm.js';

// Mount and export of points on a real VM (docs/restore.md "Mount a point"). One VM for the
// whole file: vda is the guest's ext4 disk, vdb a GPT disk with two ext4 partitions built on the
// host. Every mount, loop device and qemu-storage-daemon is undone in teardown, pass or fail.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('mount point 1 of a chain, read the old bytes, delete refused while mounted; a GPT partition; kill -9 leaves nothing after restart', async (t) => {
  await prepareRunDir(); // before the sweeper runs: a run directory without its owner file is swept
  const work = join(RUN_DIR, `mount-${process.pid}`);
  await mkdir(work, { recursive: true });
  const gpt = await makeGptDisk(work, 64, [
    { 'one.txt': 'partition one\n' },
    { 'two.txt': 'partition two\n' },
  ]);
  const vm = await withTestVm(t, { label: 'mount', disks: [{ sizeMiB: 64 }, { existing: gpt }] });
  const d = await withDaemon(t);
  t.teardown(async () => {
    await undoRecordedMounts(d.stateDir).catch((e: unknown) => t.log(`mount cleanup: ${String(e)}`));
    await rm(work, { recursive: true, force: true });
  });
  const prefix = join(d.stateDir, 'mounts');
  const dirA = join(work, 'a');
  const dirB = join(work, 'b');
  await mkdir(dirA);
  await mkdir(dirB);

  const a1 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'mnt-a1', 512 * 1024);
  const k1 = await vm.agent.writeSeededFile('/mnt/vda/keep.bin', 'mnt-k1', 64 * 1024);
  const p1 = await d.json<PointView>(['backup', vm.name]);
  await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'mnt-a2', 512 * 1024);
  await vm.agent.sh('rm /mnt/vda/keep.bin && sync');
  const p2 = await d.json<PointView>(['backup', vm.name]);
  t.is(p2.kind, 'incremental');

  // Point 1, through the chain's newest file's parent: the bytes the guest had then.
  const m = await d.json<MountView>(['point', 'mount', p1.id, '--disk', 'vda', dirA]);
  t.like(m, { kind: 'mount', pointId: p1.id, partition: 0, fsType: 'ext4', dir: dirA });
  t.is(sha(await readFile(join(dirA, 'a.bin'))), a1);
  t.is(sha(await readFile(join(dirA, 'keep.bin'))), k1);
  t.regex(await readFile('/proc/self/mountinfo', 'utf8'), new RegExp(`${dirA} ro,`));
  t.deepEqual(
    (await d.json<MountView[]>(['mount', 'list'])).map((x) => x.id),
    [m.id],
  );
  const del = await d.cli(['point', 'delete', p1.id, '--yes']);
  t.is(del.code, 1);
  t.regex(del.stderr, /POINT_IN_USE/);
  t.is((await d.json<PointView>(['point', 'show', p1.id])).state, 'available');

  const u = await d.cli(['point', 'unmount', dirA]);
  t.is(u.code, 0, u.stderr);
  t.deepEqual(await d.json<MountView[]>(['mount', 'list']), []);
  t.false(await alive(m.qsdPid!), 'its qemu-storage-daemon is gone');
  t.deepEqual(await loopsUnder(prefix), []);

  // The GPT disk: both partitions listed, the chosen one mounted.
  const parts = await d.json<PartitionsView>(['point', 'partitions', p2.id, '--disk', 'vdb']);
  t.like(parts, { table: 'gpt', default: 2 });
  t.deepEqual(
    parts.partitions.map((p) => [p.number, p.name, p.filesystem]),
    [
      [1, 'one', 'ext4'],
      [2, 'two', 'ext4'],
    ],
  );
  const g = await d.json<MountView>(['point', 'mount', p2.id, '--disk', 'vdb', '--partition', '1', dirB]);
  t.is(await readFile(join(dirB, 'one.txt'), 'utf8'), 'partition one\n');
  t.is((await d.cli(['point', 'unmount', g.id])).code, 0);

  // NBD export, read-only.
  const sock = join(work, 'p1.sock');
  const x = await d.json<MountView>(['point', 'export', p1.id, '--disk', 'vda', '--nbd', sock]);
  const info = (await runCommand(['qemu-img', 'info', '--output=json', `nbd+unix:///disk?socket=${sock}`]))
    .stdout;
  t.is((JSON.parse(info.toString()) as { 'virtual-size': number })['virtual-size'], 64 * 1024 * 1024);
  t.is((await d.cli(['point', 'unmount', sock])).code, 0);
  t.false(await alive(x.qsdPid!));

  // kill -9 with a mount active: the next start undoes it from the catalog alone.
  const k = await d.json<MountView>(['point', 'mount', p1.id, '--disk', 'vda', dirA]);
  await d.kill('SIGKILL');
  t.true(await alive(k.qsdPid!), 'the export outlives the daemon');
  await d.restart();
  t.deepEqual(await d.json<MountView[]>(['mount', 'list']), []);
  t.false(await alive(k.qsdPid!));
  t.deepEqual(await loopsUnder(prefix), []);
  t.notRegex(await readFile('/proc/self/mountinfo', 'utf8'), new RegExp(`${dirA} `));
  t.is((await d.cli(['point', 'delete', p2.id, '--yes'])).code, 0, 'no longer in use');
});
