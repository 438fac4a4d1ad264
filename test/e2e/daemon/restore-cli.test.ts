import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { ImageView, JobView, PointView, VolumeView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { RUN_DIR, RUN_ID } from '../../helpers/run-dir.js';
import { withTestVm } from '../../helpers/test-vm.js';
import { virsh } from '../../helpers/virsh.js';

// virtpointd + the virtpoint CLI on real VMs: rollback, volume create (directory and pool),
// linked image and the protection of its point. Short on purpose: the byte-level cases are in
// test/e2e/service/restore.test.ts. The test guest ignores ACPI (only the agent shutdown works),
// so rollbacks pass --shutdown-timeout 20 (the agent is asked after half of it).

test('rollback of a running VM through the CLI: the guest has the earlier bytes, the next backup is a full chain (restored)', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const d = await withDaemon(t);
  const a1 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'rb-a1', 256 * 1024);
  const p1 = await d.json<PointView>(['backup', vm.name]);
  await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'rb-a2', 256 * 1024);
  await vm.agent.writeSeededFile('/mnt/vda/late.bin', 'rb-late', 64 * 1024);
  const p2 = await d.json<PointView>(['backup', vm.name]);
  t.is(p2.kind, 'incremental');
  await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'rb-a3', 256 * 1024);

  const r = await d.cli(['rollback', vm.name, '--point', p1.id, '--shutdown-timeout', '20']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`rolled back ${vm.name} to point ${p1.id}: vda→vda`));
  t.regex(r.stdout, /the domain was started/);
  t.regex(r.stderr, /rollback of .* \(job \w+\): succeeded +100%/, 'progress lines');

  await vm.agent.waitReady(120_000);
  t.is(await vm.agent.sha256File('/mnt/vda/a.bin'), a1, 'a.bin has its point-1 bytes');
  t.is((await vm.agent.exec('test -e /mnt/vda/late.bin')).exitCode, 1, 'a later file is gone');

  const jobs = await d.json<JobView[]>(['job', 'list', '--type', 'rollback']);
  t.is(jobs.length, 1);
  t.like(jobs[0], { state: 'succeeded', pointId: p1.id, domain: vm.uuid });
  t.like(jobs[0]?.result, { started: true });
  t.is((await d.json<PointView>(['point', 'show', p1.id])).state, 'available');

  const next = await d.json<PointView>(['backup', vm.name]);
  t.is(next.kind, 'full');
  t.is(next.newChainReason, 'restored');
  t.not(next.chainId, p1.chainId);

  // Bad input is refused at the edge: nothing queued.
  const bad = await d.cli(['rollback', vm.name, '--point', p1.id, '--disk', 'vdz']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /DISK_NOT_FOUND/);
  const usage = await d.cli(['rollback', vm.name, '--point', p1.id, '--shutdown-timeout', '4000']);
  t.is(usage.code, 2);
  t.is((await d.json<JobView[]>(['job', 'list', '--type', 'rollback'])).length, 1);
});

test('volume create into an allowed directory and a libvirt pool; a linked image protects its point until it is deleted', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const volDir = join(RUN_DIR, `vols-${process.pid}`);
  const poolDir = join(RUN_DIR, `pool-${process.pid}`);
  await mkdir(volDir, { recursive: true });
  await mkdir(poolDir, { recursive: true });
  const pool = `${RUN_ID}-pool-${process.pid}`;
  await virsh(['pool-create-as', pool, 'dir', '--target', poolDir]);
  t.teardown(async () => {
    await virsh(['pool-destroy', pool]).catch(() => undefined);
    await rm(poolDir, { recursive: true, force: true });
    await rm(volDir, { recursive: true, force: true });
  });
  const d = await withDaemon(t, { config: [`allowed_volume_dirs = ${volDir}`] });
  const sha = await vm.agent.writeSeededFile('/mnt/vda/v.bin', 'vol-v', 128 * 1024);
  const p = await d.json<PointView>(['backup', vm.name]);

  // Into the allowed directory.
  const v1 = await d.json<VolumeView>([
    'volume',
    'create',
    '--point',
    p.id,
    '--disk',
    'vda',
    '--name',
    'copy.qcow2',
    '--dir',
    volDir,
  ]);
  t.like(v1, { name: 'copy.qcow2', dir: volDir, pool: null, format: 'qcow2', pointId: p.id });
  t.is(v1.path, join(volDir, 'copy.qcow2'));
  t.is(await sha256FileInImage(v1.path, '/v.bin'), sha);
  const notAllowed = await d.cli([
    'volume',
    'create',
    '--point',
    p.id,
    '--disk',
    'vda',
    '--name',
    'x',
    '--dir',
    '/tmp',
  ]);
  t.is(notAllowed.code, 1);
  t.regex(notAllowed.stderr, /allowed directories.*INVALID_ARGUMENT/);
  const taken = await d.cli(['volume', 'create', '--point', p.id, '--disk', 'vda', '--name', 'copy.qcow2']);
  t.is(taken.code, 2, 'neither --pool nor --dir');

  // Into a libvirt pool: libvirt knows the volume.
  const v2 = await d.json<VolumeView>([
    'volume',
    'create',
    '--point',
    p.id,
    '--disk',
    'vda',
    '--name',
    'copy.raw',
    '--pool',
    pool,
    '--format',
    'raw',
  ]);
  t.like(v2, { pool, dir: null, format: 'raw' });
  t.regex(await virsh(['vol-list', pool]), /copy\.raw/);
  t.is(await sha256FileInImage(v2.path, '/v.bin'), sha);
  const listed = await d.json<VolumeView[]>(['volume', 'list']);
  t.deepEqual(listed.map((v) => v.id).sort(), [v1.id, v2.id].sort());
  t.is((await d.json<JobView[]>(['job', 'list', '--type', 'create-volume'])).length, 2);
  t.is((await d.cli(['volume', 'delete', v2.id])).code, 0);
  t.notRegex(await virsh(['vol-list', pool]), /copy\.raw/);
  t.is((await d.cli(['volume', 'delete', v1.id])).code, 0);
  t.deepEqual(await d.json(['volume', 'list']), []);

  // A linked image: instant, reads the point's data, protects the point.
  const img = await d.json<ImageView>([
    'image',
    'create',
    '--point',
    p.id,
    '--disk',
    'vda',
    '--name',
    'golden.qcow2',
    '--linked',
  ]);
  t.like(img, { name: 'golden.qcow2', linked: true, pointId: p.id });
  t.is(img.path, join(d.stateDir, 'images', 'golden.qcow2'));
  t.is(await sha256FileInImage(img.path, '/v.bin'), sha);
  t.is((await d.json<ImageView[]>(['image', 'list'])).length, 1);
  const blocked = await d.cli(['point', 'delete', p.id]);
  t.is(blocked.code, 1);
  t.regex(blocked.stderr, /golden\.qcow2.*POINT_PROTECTED/);
  t.is((await d.json<PointView>(['point', 'show', p.id])).state, 'available');
  t.is((await d.cli(['image', 'delete', 'golden.qcow2'])).code, 0);
  const del = await d.cli(['point', 'delete', p.id]);
  t.is(del.code, 0, del.stderr);
  t.deepEqual(await d.json(['point', 'list', '--domain', vm.name]), []);
});
