import test from 'ava';
import { join } from 'node:path';
import { isVirtpointError } from '../../../../src/core/errors.js';
import { runCommand } from '../../../../src/adapters/process/run-command.js';
import type { HypervisorEvent, JobStats } from '../../../../src/ports/hypervisor.js';
import { imageInfo, sha256FileInImage } from '../../../helpers/host-image.js';
import { withTestVm } from '../../../helpers/test-vm.js';
import { virsh } from '../../../helpers/virsh.js';
import { bigints, waitEvent, withHypervisor } from './helpers.js';

// Push-mode backups through our client on a real VM: a full backup with a checkpoint, an
// incremental into a pre-created qcow2 overlay (REUSE_EXTERNAL), job stats while the job runs,
// the job-completed event, and the checkpoint calls (list, delete metadata-only, redefine).

type JobDone = Extract<HypervisorEvent, { kind: 'job-completed' }>;

function checkStatsShape(t: import('ava').ExecutionContext, s: JobStats, what: string): void {
  t.is(s.operation, 'backup', `${what}: operation`);
  t.true(typeof s.dataTotal === 'number' && s.dataTotal > 0, `${what}: dataTotal ${s.dataTotal}`);
  t.true(
    typeof s.dataProcessed === 'number' && s.dataProcessed >= 0 && s.dataProcessed <= (s.dataTotal ?? 0),
    `${what}: dataProcessed ${s.dataProcessed} of ${s.dataTotal}`,
  );
  t.true(typeof s.timeElapsedMs === 'number' && s.timeElapsedMs >= 0, `${what}: timeElapsed`);
}

test('full backup with checkpoint, incremental (REUSE_EXTERNAL), job stats, job-completed, checkpoint list/delete/redefine', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 256 }] });
  const { hv, events } = await withHypervisor(t);
  const full = join(vm.dir, 'backup-full.qcow2');
  const inc = join(vm.dir, 'backup-inc.qcow2');

  // Some MiB of data so the job runs a while, and a file whose bytes we follow into the backups.
  await vm.agent.sh('dd if=/dev/urandom of=/mnt/vda/bulk.bin bs=1M count=96 2>/dev/null && sync', 180_000);
  const sha1 = await vm.agent.writeSeededFile('/mnt/vda/one.bin', 'client-e2e-one', 200 * 1024);

  // ---- full ---------------------------------------------------------------------------------
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', full, '256M']);
  const before = events.length;
  await hv.beginBackup(vm.uuid, {
    disks: [{ target: 'vda', targetPath: full, targetFormat: 'qcow2' }],
    checkpoint: { name: 'cp0', description: 'full' },
  });
  const seen: JobStats[] = [];
  for (;;) {
    const s = await hv.getJobStats(vm.uuid);
    if (s.type === 'none' || s.type === 'completed') break;
    seen.push(s);
    await new Promise((r) => setTimeout(r, 20));
  }
  const done0 = await waitEvent(
    events,
    (e): e is JobDone => e.kind === 'job-completed' && e.domainUuid === vm.uuid,
    120_000,
    'job-completed (full)',
    before,
  );
  t.log(`full: ${seen.length} stats while running; completed ${JSON.stringify(done0.stats.raw, bigints)}`);
  if (seen.length > 0) {
    // Stats of the running job.
    for (const s of seen) {
      t.true(['bounded', 'unbounded'].includes(s.type), `running job type ${s.type}`);
      checkStatsShape(t, s, 'running');
    }
    t.true(
      seen.every((s, i) => i === 0 || s.dataProcessed! >= seen[i - 1]!.dataProcessed!),
      'progress grows',
    );
  } else {
    t.log('the full backup ended before the first stats call: checking the completed job stats only');
  }
  t.is(done0.stats.type, 'completed');
  checkStatsShape(t, done0.stats, 'job-completed event');
  t.true(done0.stats.dataTotal! >= 96 * 1024 * 1024, `dataTotal ${done0.stats.dataTotal} covers the data`);
  t.is(done0.stats.dataProcessed, done0.stats.dataTotal);
  const last = await hv.getJobStats(vm.uuid, { completed: true });
  t.is(last.type, 'completed');
  checkStatsShape(t, last, 'completed stats');
  t.is(await sha256FileInImage(full, '/one.bin'), sha1, 'full backup holds the guest file');

  // ---- incremental into a pre-created overlay -------------------------------------------------
  const sha2 = await vm.agent.writeSeededFile('/mnt/vda/two.bin', 'client-e2e-two', 300 * 1024);
  const sha1b = await vm.agent.writeSeededFile('/mnt/vda/one.bin', 'client-e2e-one-rewritten', 64 * 1024);
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', full, '-F', 'qcow2', inc]);
  const mark = events.length;
  await hv.beginBackup(vm.uuid, {
    incrementalFrom: 'cp0',
    disks: [{ target: 'vda', targetPath: inc, targetFormat: 'qcow2' }],
    checkpoint: { name: 'cp1' },
  });
  const running = await hv.getJobStats(vm.uuid);
  t.true(['bounded', 'unbounded', 'none', 'completed'].includes(running.type), running.type);
  if (running.type !== 'none' && running.type !== 'completed') checkStatsShape(t, running, 'incremental');
  const done1 = await waitEvent(
    events,
    (e): e is JobDone => e.kind === 'job-completed' && e.domainUuid === vm.uuid,
    120_000,
    'job-completed (incremental)',
    mark,
  );
  t.is(done1.stats.type, 'completed');
  t.true(done1.stats.dataTotal! < done0.stats.dataTotal! / 4, 'incremental copies only the changes');
  t.is((await imageInfo(inc))['backing-filename'], full, 'REUSE_EXTERNAL kept our overlay');
  t.is(await sha256FileInImage(inc, '/two.bin'), sha2);
  t.is(await sha256FileInImage(inc, '/one.bin'), sha1b);
  t.is(await sha256FileInImage(full, '/one.bin'), sha1, 'the full backup is unchanged');
  t.is(await sha256FileInImage(full, '/two.bin'), null);

  // ---- checkpoints ----------------------------------------------------------------------------
  const cps = await hv.listCheckpoints(vm.uuid);
  t.deepEqual(
    cps.map((c) => [c.name, c.parent, c.description, c.disks]),
    [
      ['cp0', null, 'full', [{ target: 'vda', bitmap: 'cp0' }]],
      ['cp1', 'cp0', null, [{ target: 'vda', bitmap: 'cp1' }]],
    ],
  );
  t.deepEqual((await virsh(['checkpoint-list', vm.name, '--name'])).split('\n').sort(), ['cp0', 'cp1']);
  const cp1Xml = cps[1]!.xml;

  const missing = await t.throwsAsync(hv.deleteCheckpoint(vm.uuid, 'no-such-cp'));
  t.true(isVirtpointError(missing, 'CHECKPOINT_NOT_FOUND'), String(missing));

  await hv.deleteCheckpoint(vm.uuid, 'cp1', { metadataOnly: true });
  t.deepEqual(
    (await hv.listCheckpoints(vm.uuid)).map((c) => c.name),
    ['cp0'],
  );
  t.is(await virsh(['checkpoint-list', vm.name, '--name']), 'cp0');
  // Metadata only: the bitmap stayed in QEMU, so the redefinition validates.
  await hv.redefineCheckpoint(vm.uuid, cp1Xml, { validate: true });
  const back = await hv.listCheckpoints(vm.uuid);
  t.deepEqual(
    back.map((c) => [c.name, c.parent]),
    [
      ['cp0', null],
      ['cp1', 'cp0'],
    ],
  );
  t.is(back[1]!.creationTime, cps[1]!.creationTime);

  // Redefining a checkpoint whose bitmap does not exist fails validation.
  const ghost = cp1Xml
    .replace(/<name>cp1<\/name>/, '<name>ghost</name>')
    .replace(/bitmap=['"]cp1['"]/, "bitmap='ghost'");
  const inconsistent = await t.throwsAsync(hv.redefineCheckpoint(vm.uuid, ghost, { validate: true }));
  t.true(isVirtpointError(inconsistent, 'CHECKPOINT_INCONSISTENT'), String(inconsistent));

  // A third backup from the redefined checkpoint still works (its bitmap is live).
  const sha3 = await vm.agent.writeSeededFile('/mnt/vda/three.bin', 'client-e2e-three', 100 * 1024);
  const inc2 = join(vm.dir, 'backup-inc2.qcow2');
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', inc, '-F', 'qcow2', inc2]);
  const mark2 = events.length;
  await hv.beginBackup(vm.uuid, {
    incrementalFrom: 'cp1',
    disks: [{ target: 'vda', targetPath: inc2, targetFormat: 'qcow2' }],
  });
  await waitEvent(
    events,
    (e): e is JobDone => e.kind === 'job-completed' && e.domainUuid === vm.uuid,
    120_000,
    'job-completed (from redefined cp1)',
    mark2,
  );
  t.is(await sha256FileInImage(inc2, '/three.bin'), sha3);
  t.is(await sha256FileInImage(inc2, '/two.bin'), sha2);

  // Delete with children: both go.
  await hv.deleteCheckpoint(vm.uuid, 'cp0', { children: true });
  t.deepEqual(await hv.listCheckpoints(vm.uuid), []);
  t.is(await virsh(['checkpoint-list', vm.name, '--name']), '');

  await hv.destroyDomain(vm.uuid);
  t.is(await vm.state(), 'shut off');
});

test('abortJob stops a running backup; the job ends cancelled', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 512, fs: 'none' }] });
  const { hv, events } = await withHypervisor(t);
  // Fill the blank disk from the guest so there is data to copy.
  await vm.agent.sh('dd if=/dev/urandom of=/dev/vda bs=1M count=160 2>/dev/null && sync', 240_000);
  const target = join(vm.dir, 'abort.qcow2');
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', target, '512M']);
  const mark = events.length;
  await hv.beginBackup(vm.uuid, { disks: [{ target: 'vda', targetPath: target, targetFormat: 'qcow2' }] });
  const s = await hv.getJobStats(vm.uuid);
  if (s.type === 'none') {
    t.log('backup ended before abort; checking no job remains');
    const err = await t.throwsAsync(hv.abortJob(vm.uuid));
    t.true(isVirtpointError(err, 'INVALID_STATE'), String(err));
    return;
  }
  checkStatsShape(t, s, 'before abort');
  await hv.abortJob(vm.uuid);
  // libvirt sends job-completed for successful jobs only; an aborted one may have none.
  const done = await waitEvent(
    events,
    (e): e is JobDone => e.kind === 'job-completed' && e.domainUuid === vm.uuid,
    5_000,
    'job-completed (aborted)',
    mark,
  ).catch(() => null);
  const last = await hv.getJobStats(vm.uuid, { completed: true });
  t.log(`aborted job: event ${done ? done.stats.type : 'none'}, stats ${last.type}`);
  if (done) t.is(done.stats.type, 'failed', 'an aborted job is not reported as a success');
  t.true(['cancelled', 'failed'].includes(last.type), last.type);
  t.is((await hv.getJobStats(vm.uuid)).type, 'none');
});
