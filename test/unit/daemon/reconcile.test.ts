import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { BackupService } from '../../../src/service/backup/backup.js';
import type { BackupDeps } from '../../../src/service/backup/deps.js';
import { reconcile } from '../../../src/daemon/reconcile.js';
import { FakeHypervisor } from '../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../fakes/fake-host.js';

const STORE = '/store';

test('after a crash: jobs failed, a half-made point undone, the guest thawed, deletes retryable, unknown files kept', async (t) => {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  images.addSource('/images/a.qcow2', 1 << 30);
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: 1 << 30 }],
  });
  const deps: BackupDeps = {
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
    pollMs: 1,
  };
  const svc = new BackupService(deps);
  const p0 = await svc.backup({ domain: uuid });
  const p1 = await svc.backup({ domain: uuid });

  // The "crash": a backup whose job still runs in libvirt, the guest frozen, a job record running,
  // a point being deleted, and a file nobody recorded.
  const crashed0 = catalog.createPoint({
    name: 'manualbk_crashed0001',
    domainUuid: uuid,
    chainId: p0.chainId,
    seq: 2,
    kind: 'incremental',
    trigger: 'manual',
    disks: [
      {
        target: 'vda',
        path: `${uuid}/${p0.chainId}/vda.2.qcow2`,
        virtualSize: 1 << 30,
        format: 'qcow2',
        checkpoint: `vp-${p0.chainId}-2`,
      },
    ],
  });
  const crashedPointId = crashed0.id;
  const job = catalog.jobs.create({
    type: 'backup',
    trigger: 'manual',
    domainUuid: uuid,
    pointId: crashedPointId,
  });
  catalog.jobs.start(job.id);
  fs.files.set(`${STORE}/${crashed0.disks[0]!.path}`, { mode: 0o600 });
  hv.jobOutcome = 'hang';
  await hv.beginBackup(uuid, {
    incrementalFrom: `vp-${p0.chainId}-1`,
    disks: [{ target: 'vda', targetPath: `${STORE}/${crashed0.disks[0]!.path}`, targetFormat: 'qcow2' }],
    checkpoint: { name: `vp-${p0.chainId}-2` },
  });
  hv.dom(uuid).frozen = true;
  // its copy-before-write failed: QEMU paused the guest for an I/O error
  hv.dom(uuid).state = 'paused';
  hv.dom(uuid).pausedBy = 'ioerror';
  catalog.updatePointState(p1.id, 'deleting');
  const orphan = `${STORE}/${uuid}/${p0.chainId}/vda.9.qcow2`;
  fs.files.set(orphan, { mode: 0o600 });

  const policy = catalog.scheduling.createPolicy({
    name: 'hourly',
    schedule: { kind: 'every-days', n: 1, times: ['01:00'] },
    enabled: true,
  });
  const task = catalog.scheduling.createTask({
    name: 'db',
    resources: [{ domainUuid: uuid, domainName: 'db1', disks: null }],
    policyIds: [policy.id],
    chainLength: 30,
    retention: { kind: 'forever' },
    receivers: [],
    enabled: true,
  });
  const cutOff = catalog.scheduling.createTaskRun({
    taskId: task.id,
    trigger: 'schedule',
    resources: [{ domain: uuid, domainName: 'db1', outcome: 'failed', jobId: job.id }],
  });

  const report = await reconcile(deps);

  t.is(report.taskRuns, 1);
  const run = catalog.scheduling.getTaskRun(cutOff.id);
  t.is(run?.outcome, 'failed');
  t.regex(run?.resources[0]?.error?.message ?? '', /daemon-restarted/);

  t.is(report.jobs, 1);
  t.is(catalog.jobs.get(job.id)?.state, 'failed');
  t.is(catalog.jobs.get(job.id)?.error?.code, 'DAEMON_RESTARTED');
  const crashed = catalog.getPoint(crashedPointId);
  t.is(crashed?.state, 'error');
  t.is(crashed?.error?.code, 'DAEMON_RESTARTED');
  t.regex(crashed?.error?.message ?? '', /daemon-restarted/);
  t.is(hv.dom(uuid).job, null, 'the libvirt job was aborted');
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    [`vp-${p0.chainId}-0`, `vp-${p0.chainId}-1`],
    'the interrupted point left no checkpoint',
  );
  t.false(fs.files.has(`${STORE}/${crashed!.disks[0]!.path}`), 'its file is gone');
  t.false(hv.dom(uuid).frozen, 'the guest is thawed');
  t.deepEqual(report.thawed, [uuid]);
  t.is(hv.dom(uuid).state, 'running', 'the guest paused by the interrupted backup runs again');
  t.deepEqual(report.resumed, [uuid]);
  t.is(catalog.getPoint(p1.id)?.state, 'delete-failed');
  t.deepEqual(report.store.unknown, [
    { path: `${uuid}/${p0.chainId}/vda.9.qcow2`, reason: 'no point of this catalog refers to it' },
  ]);
  t.true(fs.files.has(orphan), 'a file no point refers to is reported, never deleted');
  t.true(fs.files.has(`${STORE}/${p0.disks[0]!.path}`), 'recorded files stay');
});
