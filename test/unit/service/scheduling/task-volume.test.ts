import test from 'ava';
import { SchedulingApiImpl } from '../../../../src/service/scheduling/api.js';
import { SchedulingService } from '../../../../src/service/scheduling/policies-tasks.js';
import { resolveVolume, resourceUuid } from '../../../../src/service/volume-backup/resource.js';
import { renderTask } from '../../../../src/cli/render-scheduling.js';
import { schedHarness, TZ } from './_sched.js';

/**
 * Issue 19: detached volumes as task resources (`task create --volume POOL/VOL --volume-path
 * FILE`). Each run backs the volume up on its own (the real VolumeBackupService on a fake engine),
 * in the task's own chain, with the task's retention; a volume a running domain has attached
 * fails its resource with IN_USE and changes nothing.
 */

const VOL = '/vols/data.qcow2';

async function setup() {
  const h = await schedHarness();
  h.addVolume(VOL);
  const svc = new SchedulingService({
    catalog: h.catalog,
    hypervisor: h.hv,
    runTask: h.scheduler.runTask,
    domainBusy: (uuid) => h.exec.busy(uuid),
    volumes: { resolve: (ref) => resolveVolume(h.volumeDeps, ref) },
  });
  const api = new SchedulingApiImpl(svc, { now: () => h.clock.now, timeZone: TZ });
  const p = h.policy('hourly', h.hourly);
  const runOnce = async (name: string) => {
    const task = h.db.getTask(name)!;
    const run = await h.scheduler.runTask({ task, trigger: 'schedule', policy: p, scheduledFor: null });
    await h.scheduler.idle();
    return h.db.getTaskRun(run.id)!;
  };
  return { h, svc, api, runOnce };
}

test('task create --volume-path and --volume: resolved to the resource UUID, shown as volume:…; the same file twice refused', async (t) => {
  const { h, api, svc } = await setup();
  h.addVolume('/vols/default-other.qcow2');
  const view = await api.createTask({
    name: 'vols',
    policies: ['hourly'],
    domains: ['web'],
    volumePaths: [VOL],
    volumes: ['default/other.qcow2'],
  });
  t.deepEqual(
    view.resources.map((r) => [r.domain, r.domainName, r.volume ?? null]),
    [
      [h.uuids[0], 'web', null],
      [resourceUuid('/vols/default-other.qcow2'), 'default/other.qcow2', 'default/other.qcow2'],
      [resourceUuid(VOL), VOL, VOL],
    ],
  );
  t.regex(renderTask(view), /volume:\/vols\/data\.qcow2/);
  // the pool volume default/data.qcow2 is /vols/default-data.qcow2 here: name one file two ways
  h.addVolume('/vols/default-data.qcow2');
  await t.throwsAsync(
    svc.createTask({
      name: 'twice',
      policies: ['hourly'],
      volumePaths: ['/vols/default-data.qcow2'],
      volumes: ['default/data.qcow2'],
    }),
    {
      code: 'INVALID_ARGUMENT',
      message: /volume \/vols\/default-data\.qcow2 is the same file as default\/data\.qcow2; list it once/,
    },
  );
  h.addVolume('/etc/vol.qcow2');
  await t.throwsAsync(
    svc.createTask({ name: 'out', policies: ['hourly'], volumePaths: ['/etc/vol.qcow2'] }),
    {
      code: 'INVALID_ARGUMENT',
      message: /not under allowed_volume_dirs/,
    },
  );
  await t.throwsAsync(
    svc.createTask({ name: 'gone', policies: ['hourly'], volumePaths: ['/vols/none.qcow2'] }),
    {
      code: 'NOT_FOUND',
    },
  );
  t.deepEqual(
    h.db.listTasks().map((x) => x.name),
    ['vols'],
    'nothing saved for the refused ones',
  );
});

test('a run backs the volume up in the task’s own chain: full, then incremental; the retention keeps count:2', async (t) => {
  const { h, svc, runOnce } = await setup();
  // a manual chain of the volume first: the task does not continue it
  const manual = await h.volumes.run(resourceUuid(VOL), { volume: { path: VOL } });
  await svc.createTask({ name: 'vols', policies: ['hourly'], volumePaths: [VOL], retention: 'count:2' });
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await runOnce('vols'));
  t.deepEqual(
    runs.map((r) => r.outcome),
    ['succeeded', 'succeeded', 'succeeded'],
  );
  const r = runs[0]!.resources[0]!;
  t.is(r.domain, resourceUuid(VOL));
  t.is(r.domainName, VOL);
  t.is(r.kind, 'full');
  t.is(runs[1]!.resources[0]!.kind, 'incremental');
  const last = h.catalog.getPoint(runs[2]!.resources[0]!.pointId!)!;
  t.not(last.chainId, manual.chainId, 'its own chain');
  t.regex(last.name, /^autobk_/);
  const task = h.db.getTask('vols')!;
  t.is(h.catalog.getChain(last.chainId)?.ownerTaskId, task.id);
  const mine = h.catalog
    .listPoints({ domainUuid: resourceUuid(VOL) })
    .filter((p) => p.state === 'available' && p.chainId === last.chainId);
  t.is(mine.length, 2, 'count:2 kept two of the three');
  t.truthy(h.catalog.getPoint(manual.id), 'the manual point is not the task’s to delete');
  t.is(h.offline.runs.length, 4);
});

test('a volume a running domain has attached: the resource fails IN_USE, the domain beside it is backed up, no volume job runs', async (t) => {
  const { h, svc, runOnce } = await setup();
  await svc.createTask({ name: 'mixed', policies: ['hourly'], domains: ['web'], volumePaths: [VOL] });
  h.hv.addDomain({
    name: 'db1',
    disks: [{ target: 'vdb', sourcePath: VOL, format: 'qcow2', capacity: 1 << 30 }],
  });
  const run = await runOnce('mixed');
  t.is(run.outcome, 'partial');
  const [web, vol] = run.resources;
  t.is(web?.outcome, 'succeeded');
  t.is(vol?.outcome, 'failed');
  t.is(vol?.error?.code, 'IN_USE');
  t.regex(vol?.error?.message ?? '', /running domain db1/);
  t.is(h.offline.runs.length, 0);
  t.deepEqual(h.catalog.listPoints({ domainUuid: resourceUuid(VOL) }), []);
});
