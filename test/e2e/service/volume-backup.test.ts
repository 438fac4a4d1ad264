import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import test from 'ava';

import { runCommand } from '../../../src/adapters/process/run-command.js';
import type { JobView, PointView, VolumeResourceView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { withTestVm } from '../../helpers/test-vm.js';
import { virsh } from '../../helpers/virsh.js';

// Issue 19 on a real VM and a real qemu-storage-daemon: a detached qcow2 volume with ext4 is
// backed up full, attached again and written to, detached, and backed up incremental (its
// persistent bitmap kept tracking while the VM had it); each point gives back exactly the
// files of its moment; a backup while attached is IN_USE; a kill -9 of the daemon during a
// volume backup leaves no qemu-storage-daemon, no partial file, and the next backup works.

const MiB = 1024 * 1024;
const step = (what: string) =>
  process.stderr.write(`[volume-backup e2e ${new Date().toISOString()}] ${what}\n`);

async function makeVolume(path: string, sizeMiB: number): Promise<void> {
  const raw = `${path}.raw`;
  await runCommand(['truncate', '-s', `${sizeMiB}M`, raw]);
  await runCommand(['mkfs.ext4', '-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', raw], {
    timeoutMs: 120_000,
  });
  await runCommand(['qemu-img', 'convert', '-O', 'qcow2', raw, path], { timeoutMs: 120_000 });
  await rm(raw, { force: true });
}

const qsdPids = async () =>
  (await runCommand(['pgrep', '-x', 'qemu-storage-d'], { okCodes: [0, 1] })).stdout
    .toString()
    .split('\n')
    .filter((l) => l !== '');

test('detached volume: full, incremental after attach/write/detach, exact bytes from each point, IN_USE while attached, kill -9 mid-backup', async (t) => {
  const vm = await withTestVm(t, { label: 'vol', disks: [{ sizeMiB: 32 }] });
  const vol = join(vm.dir, 'data.qcow2');
  await makeVolume(vol, 256);
  const restoreDir = join(vm.dir, 'restored');
  await runCommand(['mkdir', '-p', restoreDir]);
  const d = await withDaemon(t, { config: [`allowed_volume_dirs = ${vm.dir},${restoreDir}`] });

  const attach = async () => {
    await virsh(['attach-disk', vm.name, vol, 'vdb', '--live', '--subdriver', 'qcow2']);
    const r = await vm.agent.exec(
      'for i in $(seq 50); do [ -b /dev/vdb ] && break; sleep 0.2; done; mkdir -p /mnt/v && mount -t ext4 /dev/vdb /mnt/v',
    );
    t.is(r.exitCode, 0, r.stderr);
  };
  const write = async (file: string, mib: number) => {
    const r = await vm.agent.exec(
      `dd if=/dev/urandom of=/mnt/v/${file} bs=1M count=${mib} 2>/dev/null && sync && sha256sum /mnt/v/${file}`,
    );
    t.is(r.exitCode, 0, r.stderr);
    return r.stdout.split(' ')[0]!;
  };
  const detach = async () => {
    const r = await vm.agent.exec('umount /mnt/v && sync');
    t.is(r.exitCode, 0, r.stderr);
    await virsh(['detach-disk', vm.name, 'vdb', '--live']);
    for (let i = 0; i < 50 && (await virsh(['domblklist', vm.name])).includes(vol); i++)
      await new Promise((r) => setTimeout(r, 200));
  };
  const backup = (...extra: string[]) => d.json<PointView>(['backup', '--volume-path', vol, ...extra]);

  // written through the guest, then detached; attached, a backup is refused naming the domain
  step('await attach();\n  const a =');
  await attach();
  const a = await write('a.bin', 8);
  const inUse = await d.cli(['backup', '--volume-path', vol]);
  t.not(inUse.code, 0);
  t.regex(inUse.stderr, new RegExp(`IN_USE`));
  t.true(inUse.stderr.includes(vm.name), inUse.stderr);
  await detach();

  step('const full = await backup();');
  const full = await backup();
  t.is(full.kind, 'full');
  t.is(full.state, 'available');

  // attached again, more written, detached: the persistent bitmap tracked the VM's writes
  await attach();
  const b = await write('b.bin', 4);
  await detach();
  step('const inc = await backup();');
  const inc = await backup();
  t.is(inc.kind, 'incremental');
  t.is(inc.chainId, full.chainId);
  const incSize = inc.disks[0]!.size!;
  t.log(`incremental: ${incSize} bytes for 4 MiB written`);
  t.true(incSize >= 4 * MiB && incSize < 12 * MiB, `incremental size ${incSize}`);

  const listed = await d.json<PointView[]>(['point', 'list', '--volume', vol]);
  t.deepEqual(
    listed.map((p) => p.id),
    [full.id, inc.id],
  );

  step('// create-volume from each poi');
  // create-volume from each point: exactly the files of its moment
  for (const [p, files] of [
    [full, { 'a.bin': a, 'b.bin': null }],
    [inc, { 'a.bin': a, 'b.bin': b }],
  ] as const) {
    const name = `from-${p.id}.qcow2`;
    const job = await d.json<JobView>([
      'volume',
      'create',
      '--point',
      p.id,
      '--disk',
      'vol',
      '--dir',
      restoreDir,
      '--name',
      name,
    ]);
    t.truthy(job);
    for (const [f, sum] of Object.entries(files))
      t.is(await sha256FileInImage(join(restoreDir, name), f), sum, `${p.kind} ${f}`);
  }

  step('// kill -9 of virtpointd');
  // kill -9 of virtpointd while its qemu-storage-daemon copies: nothing of it is left
  await attach();
  await write('c.bin', 64);
  await detach();
  const before = new Set(await qsdPids());
  const queued = await d.json<JobView>(['backup', '--volume-path', vol, '--full', '--no-wait']);
  const runDir = join(d.stateDir, 'volume-backup');
  let seen = false;
  for (let i = 0; i < 400 && !seen; i++) {
    seen = (await readdir(runDir).catch(() => [] as string[])).some((f) => f.endsWith('.pid'));
    if (!seen) await new Promise((r) => setTimeout(r, 10));
  }
  await d.kill('SIGKILL');
  t.log(`killed with the qsd ${seen ? 'running' : 'not seen yet'}`);
  step('await d.restart();');
  await d.restart();
  step('restarted');
  let job = await d.json<JobView>(['job', 'show', queued.id]);
  for (let i = 0; i < 120 && (job.state === 'running' || job.state === 'queued'); i++) {
    await new Promise((r) => setTimeout(r, 500));
    job = await d.json<JobView>(['job', 'show', queued.id]);
  }
  step(`job ${job.state}`);
  const after = (await qsdPids()).filter((p) => !before.has(p));
  t.deepEqual(after, [], 'no qemu-storage-daemon of ours left');
  t.deepEqual(
    (await readdir(runDir).catch(() => [] as string[])).filter((f) => f.endsWith('.pid')),
    [],
  );
  t.true(job.state === 'failed' || job.state === 'succeeded', job.state);
  const points = await d.json<PointView[]>(['point', 'list', '--volume', vol]);
  for (const p of points.filter((x) => x.state === 'error')) {
    for (const disk of p.disks)
      await t.throwsAsync(stat(join(d.stateDir, 'store', disk.path)), undefined, 'no partial file');
  }
  step('const next = await backup();');
  const next = await backup();
  t.is(next.state, 'available');
  const res = await d.json<VolumeResourceView[]>(['usage']).catch(() => null);
  t.log(JSON.stringify(res).slice(0, 300));
});
