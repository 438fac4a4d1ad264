import test from 'ava';
import type { JobView, PointView, UsageView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { withTestVm } from '../../helpers/test-vm.js';

// virtpointd + the virtpoint CLI on a real VM: backup, list, show, delete, job filters, wait with
// progress, usage — bytes checked in the point's files.

test('backup, list, show, job filters, usage and delete through the CLI', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const d = await withDaemon(t);
  const sha = await vm.agent.writeSeededFile('/mnt/vdb/a.bin', 'cli-a', 64 * 1024);

  const status = await d.json<{ libvirtConnected: boolean; version: string }>(['status']);
  t.true(status.libvirtConnected);
  const domains = await d.json<{ name: string; uuid: string }[]>(['domain', 'list']);
  t.true(domains.some((x) => x.uuid === vm.uuid));

  // Human output: waits, prints progress lines (not a TTY), then the point.
  const human = await d.cli(['backup', vm.name, '--name', 'first-点']);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /first-点/);
  t.regex(human.stdout + human.stderr, /succeeded|available/);

  const p1 = await d.json<PointView>(['backup', vm.uuid, '--disk', 'vdb']);
  t.is(p1.kind, 'full');
  t.is(p1.domain, vm.uuid);
  t.is(p1.domainName, vm.name);
  t.deepEqual(
    p1.disks.map((x) => x.target),
    ['vdb'],
  );
  t.is(p1.state, 'available');
  t.is(p1.consistency, 'filesystem');
  t.is(typeof p1.freezeMs, 'number');
  t.is(p1.error, null);
  t.is(await sha256FileInImage(p1.disks[0]!.path, '/a.bin'), sha);
  const sha2 = await vm.agent.writeSeededFile('/mnt/vdb/b.bin', 'cli-b', 64 * 1024);
  const p2 = await d.json<PointView>(['backup', vm.name, '--disk', 'vdb']);
  t.is(p2.kind, 'incremental');
  t.is(p2.chainId, p1.chainId);
  t.is(await sha256FileInImage(p2.disks[0]!.path, '/b.bin'), sha2);

  const listed = await d.json<PointView[]>(['point', 'list', '--domain', vm.name]);
  t.is(listed.length, 3);
  t.deepEqual(
    await d.json<PointView>(['point', 'show', p2.id]),
    listed.find((p) => p.id === p2.id),
  );
  t.is((await d.json<PointView[]>(['point', 'list', '--chain', p1.chainId])).length, 2);
  t.deepEqual(await d.json(['point', 'list', '--state', 'error']), []);
  const table = await d.cli(['point', 'list']);
  t.is(table.code, 0);
  t.true(table.stdout.split('\n').length >= 4, 'a header and three rows');

  const jobs = await d.json<JobView[]>([
    'job',
    'list',
    '--type',
    'backup',
    '--state',
    'succeeded',
    '--since',
    '24h',
  ]);
  t.is(jobs.length, 3);
  t.true(jobs.every((j) => j.progress.total !== null && j.progress.done === j.progress.total));
  t.deepEqual(await d.json(['job', 'list', '--type', 'delete']), []);
  t.deepEqual(await d.json(['job', 'list', '--until', '2000-01-01T00:00:00Z']), []);
  const shown = await d.json<JobView>(['job', 'show', jobs[0]!.id]);
  t.is(shown.id, jobs[0]!.id);

  const usage = await d.json<UsageView[]>(['usage', '--domain', vm.name]);
  t.is(usage[0]?.points, 3);
  t.true((usage[0]?.bytes ?? 0) > 0);

  // The newest point goes; the chain stays open and the next incremental builds on p1.
  const del = await d.cli(['point', 'delete', p2.id]);
  t.is(del.code, 0, del.stderr);
  t.is((await d.cli(['point', 'show', p2.id])).code, 1);
  const p3 = await d.json<PointView>(['backup', vm.name, '--disk', 'vdb']);
  t.is(p3.chainId, p1.chainId);
  t.is(await sha256FileInImage(p3.disks[0]!.path, '/b.bin'), sha2);
  // Deleting the full point takes the chain: the CLI asks for --yes.
  t.is((await d.cli(['point', 'delete', p1.id])).code, 2);
  t.is((await d.cli(['point', 'delete', p1.id, '--yes'])).code, 0);
  t.is((await d.json<PointView[]>(['point', 'list', '--domain', vm.uuid])).length, 1);
});

test('cancel a backup of ~1 GiB midway: job canceled, no point, no checkpoint, no file', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 1400 }], memoryMiB: 256 });
  const d = await withDaemon(t);
  await vm.agent.sh('dd if=/dev/urandom of=/mnt/vda/fill bs=1M count=1024 2>/dev/null; sync', 600_000);
  const job = await d.json<JobView>(['backup', vm.name, '--no-wait']);
  // Cancel as soon as it runs.
  for (let i = 0; i < 200; i++) {
    const j = await d.json<JobView>(['job', 'show', job.id]);
    if (j.state === 'running') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const cancel = await d.cli(['job', 'cancel', job.id]);
  t.is(cancel.code, 0, cancel.stderr);
  const wait = await d.cli(['job', 'wait', job.id]);
  t.is(wait.code, 1, 'a canceled job exits 1');
  const ended = await d.json<JobView>(['job', 'show', job.id]);
  t.is(ended.state, 'canceled');
  t.deepEqual(await d.json(['point', 'list', '--domain', vm.name]), []);
  const { virsh } = await import('../../helpers/virsh.js');
  t.is(await virsh(['checkpoint-list', vm.name, '--name']), '');
  const { readdir } = await import('node:fs/promises');
  const files = await readdir(`${d.stateDir}/store/${vm.uuid}`, { recursive: true }).catch(() => []);
  t.deepEqual(
    files.filter((f) => String(f).endsWith('.qcow2')),
    [],
  );
  // The next backup works.
  const p = await d.json<PointView>(['backup', vm.name]);
  t.is(p.state, 'available');
});

test('SIGKILL of the daemon mid-backup: after restart the point is error daemon-restarted, no orphan checkpoint, the next backup works', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 1400 }], memoryMiB: 256 });
  const d = await withDaemon(t);
  await vm.agent.sh('dd if=/dev/urandom of=/mnt/vda/fill bs=1M count=768 2>/dev/null; sync', 600_000);
  const p0 = await d.json<PointView>(['backup', vm.name]);
  await vm.agent.sh('dd if=/dev/urandom of=/mnt/vda/more bs=1M count=512 2>/dev/null; sync', 600_000);
  const job = await d.json<JobView>(['backup', vm.name, '--no-wait']);
  for (let i = 0; i < 400; i++) {
    const j = await d.json<JobView>(['job', 'show', job.id]);
    if (j.state === 'running' && j.pointId !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await d.kill('SIGKILL');
  await d.restart();
  // Reconciliation runs once libvirt answers; wait for the job to be settled.
  let ended: JobView | null = null;
  for (let i = 0; i < 100; i++) {
    ended = await d.json<JobView>(['job', 'show', job.id]);
    if (ended.state !== 'running' && ended.state !== 'queued') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.is(ended?.state, 'failed');
  t.is(ended?.error?.code, 'DAEMON_RESTARTED');
  const failed = await d.json<PointView[]>(['point', 'list', '--state', 'error']);
  t.is(failed.length, 1);
  t.regex(failed[0]?.error?.message ?? '', /daemon-restarted/);
  const { virsh } = await import('../../helpers/virsh.js');
  t.is(await virsh(['checkpoint-list', vm.name, '--name']), `vp-${p0.chainId}-0`, 'no orphan checkpoint');
  t.is(await vm.agent.fsfreezeStatus(), 'thawed');
  const next = await d.json<PointView>(['backup', vm.name]);
  t.is(next.state, 'available');
  t.is(next.chainId, p0.chainId);
});
