import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import test from 'ava';

import type {
  CopyResultView,
  PointView,
  RemoteListResult,
  RemoteRestoreResult,
  VolumeView,
} from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { GuestAgent } from '../../helpers/guest-agent.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import {
  createTestBucket,
  s3Credentials,
  s3Server,
  sshServer,
  writeTargetFiles,
} from '../../helpers/test-servers.js';
import { withTestVm } from '../../helpers/test-vm.js';
import { removeDomain, virsh } from '../../helpers/virsh.js';

// Disaster: a VM with 2 disks, a full and an incremental point, both copied to an encrypted S3
// target (Ceph RGW) and to SSH; then the VM and the whole state dir are gone, a fresh daemon
// with an empty catalog gets the targets added and `remote restore`s point 1 from S3 and point 2
// from SSH: both VMs boot and the guest reads exactly the bytes of those points. The copies are
// made by the first daemon's copy jobs (`point copy` to S3, `chain copy` over SSH).

const run = promisify(execFile);

test("disaster: remote restore on a fresh daemon, point 1 from encrypted S3 and point 2 over SSH, boot with the points' bytes", async (t) => {
  // The VM first: creating the first test VM sweeps the run directory.
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const work = join(RUN_DIR, `disaster-${process.pid}`);
  const vols = join(work, 'vols');
  await mkdir(vols, { recursive: true });
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const s3 = s3Server();
  const ssh = sshServer();
  const { accessKeyId } = await s3Credentials(s3);
  const bucket = await createTestBucket(s3, 'vpt-disaster');
  const files = await writeTargetFiles(work, s3, ssh);
  const sshPath = `${ssh.path}/disaster-${randomBytes(3).toString('hex')}`;

  const addTargets = async (d: Awaited<ReturnType<typeof withDaemon>>) => {
    const add1 = await d.cli([
      'target',
      'add',
      'offsite',
      '--s3',
      s3.endpoint,
      '--bucket',
      bucket,
      '--region',
      s3.region,
      '--access-key-id',
      accessKeyId,
      '--secret-key-file',
      files.s3,
      '--encrypt-key-file',
      files.key,
    ]);
    t.is(add1.code, 0, add1.stderr);
    const add2 = await d.cli([
      'target',
      'add',
      'nas',
      '--ssh',
      `${ssh.user}@${ssh.host}:${ssh.port}:${sshPath}`,
      '--identity',
      files.id,
      '--known-hosts',
      files.kh,
    ]);
    t.is(add2.code, 0, add2.stderr);
  };

  // Backups of a 2-disk VM, copied to both targets by copy jobs.
  const d1 = await withDaemon(t);
  await addTargets(d1);
  const a1 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'dis-a1', 256 * 1024);
  const b1 = await vm.agent.writeSeededFile('/mnt/vdb/b.bin', 'dis-b1', 256 * 1024);
  const p1 = await d1.json<PointView>(['backup', vm.name]);
  const a2 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'dis-a2', 256 * 1024);
  const b2 = await vm.agent.writeSeededFile('/mnt/vdb/b.bin', 'dis-b2', 128 * 1024);
  const p2 = await d1.json<PointView>(['backup', vm.name]);
  t.is(p2.kind, 'incremental');
  // Point 2 to S3 (its full ancestor goes first), the whole chain over SSH.
  const c1 = await d1.json<CopyResultView>(['point', 'copy', p2.id, '--to', 'offsite']);
  t.deepEqual(
    c1.points.map((p) => p.pointId),
    [p1.id, p2.id],
  );
  const c2 = await d1.json<CopyResultView>(['chain', 'copy', p1.chainId, '--to', 'nas']);
  t.deepEqual(
    c2.points.map((p) => p.pointId),
    [p1.id, p2.id],
  );
  // A second copy finds every file there: only the manifests go up again.
  const again = await d1.json<CopyResultView>(['point', 'copy', p2.id, '--to', 'offsite']);
  t.deepEqual(
    again.points.map((p) => [p.bytes, p.skipped.length]),
    [
      [0, 2],
      [0, 2],
    ],
  );
  const copied = await d1.json<PointView>(['point', 'show', p2.id]);
  t.deepEqual(
    (copied as PointView & { copies?: { target: string; state: string }[] }).copies
      ?.map((c) => `${c.target}:${c.state}`)
      .sort(),
    ['nas:copied', 'offsite:copied'],
  );

  // The disaster: the VM and the whole state directory are gone.
  await removeDomain(vm.name);
  await d1.kill('SIGTERM');
  await rm(d1.stateDir, { recursive: true, force: true });

  const d2 = await withDaemon(t, { config: [`allowed_volume_dirs = ${vols}`] });
  t.deepEqual(await d2.json<PointView[]>(['point', 'list']), []);
  await addTargets(d2);
  const listed = await d2.json<RemoteListResult>(['remote', 'list', 'offsite']);
  t.deepEqual(
    listed.points.map((p) => [p.pointId, p.seq, p.complete, p.encrypted, p.hostName]),
    [
      [p1.id, 0, true, true, hostname()],
      [p2.id, 1, true, true, hostname()],
    ],
  );

  const restored: string[] = [];
  t.teardown(async () => {
    for (const n of restored) await removeDomain(n).catch(() => undefined);
  });
  const restore = async (target: string, point: string, as: string) => {
    restored.push(as);
    const r = await d2.json<RemoteRestoreResult>([
      'remote',
      'restore',
      target,
      '--point',
      point,
      '--as',
      as,
      '--dir',
      vols,
      '--start',
    ]);
    t.is(r.pointId, point);
    t.is(r.disks.length, 2);
    const agent = new GuestAgent(as);
    await agent.waitReady(180_000);
    return agent;
  };
  const g1 = await restore('offsite', p1.id, `${vm.name}-r1`);
  t.is(await g1.sha256File('/mnt/vda/a.bin'), a1);
  t.is(await g1.sha256File('/mnt/vdb/b.bin'), b1);
  const g2 = await restore('nas', p2.id, `${vm.name}-r2`);
  t.is(await g2.sha256File('/mnt/vda/a.bin'), a2);
  t.is(await g2.sha256File('/mnt/vdb/b.bin'), b2);
  // --from on a fresh host: a volume from point 2's vdb (fetched over SSH); a rollback of a
  // domain that is not the point's is refused; a linked image from a target is a usage error.
  const vol = await d2.json<VolumeView>([
    'volume',
    'create',
    '--point',
    p2.id,
    '--from',
    'nas',
    '--disk',
    'vdb',
    '--name',
    'vdb-from.qcow2',
    '--dir',
    vols,
  ]);
  t.like(vol, { pointId: p2.id, disk: 'vdb', path: join(vols, 'vdb-from.qcow2'), format: 'qcow2' });
  const info = JSON.parse((await run('qemu-img', ['info', '--output=json', vol.path])).stdout) as {
    'virtual-size': number;
    'backing-filename'?: string;
  };
  t.is(info['virtual-size'], 64 * 1024 * 1024);
  t.is(info['backing-filename'], undefined, 'flattened: no backing file');
  const other = await d2.cli(['rollback', `${vm.name}-r1`, '--point', p1.id, '--from', 'offsite']);
  t.is(other.code, 1, other.stderr);
  t.regex(other.stderr, /INVALID_ARGUMENT/);
  const linked = await d2.cli([
    'image',
    'create',
    '--point',
    p1.id,
    '--from',
    'offsite',
    '--disk',
    'vda',
    '--name',
    'g',
    '--linked',
  ]);
  t.is(linked.code, 2, linked.stderr);
  // Nothing fetched is left under the store.
  const left = await readdir(join(d2.stateDir, 'store')).catch(() => [] as string[]);
  t.deepEqual(
    left.filter((n) => n.startsWith('.remote-fetch-')),
    [],
  );
  t.regex(await virsh(['domstate', `${vm.name}-r2`]), /running/);
});
