import test from 'ava';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { CatalogApiImpl } from '../../../../src/service/catalog/api.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

// The catalog API shows each point's and chain's owner (manual, the task's name, or the deleted
// task's name) and lists the points of deleted tasks (orphaned).

async function setup() {
  const host = fakeBackupHost({ name: 'web' });
  const { catalog, deps } = host;
  const backup = new BackupService(deps);
  const runner = new JobRunner({ catalog, log: silentLogger });
  const api = new CatalogApiImpl({
    hypervisor: host.hv,
    catalog,
    runner,
    del: new DeleteService(deps),
    storeRoot: '/store',
    version: 'test',
    startedAt: 0,
    libvirtConnected: () => true,
    storeStatus: () => ({}) as never,
  });
  const db = catalog.scheduling;
  const policy = db.createPolicy({
    name: 'nightly',
    schedule: { kind: 'every-days', n: 1, times: ['02:00'] },
    enabled: true,
  });
  const task = (name: string) =>
    db.createTask({
      name,
      resources: [{ domainUuid: host.uuid, domainName: 'web', disks: null }],
      policyIds: [policy.id],
      chainLength: 30,
      retention: { kind: 'count', n: 14 },
      receivers: [],
      enabled: true,
    });
  return { ...host, backup, api, db, task };
}

test('owner in point and chain views: manual, the task name, (deleted task NAME); --orphaned lists the deleted task’s points', async (t) => {
  const s = await setup();
  const a = s.task('task-a');
  const b = s.task('task-b');
  const pa = await s.backup.backup({
    domain: 'web',
    trigger: 'schedule',
    owner: { taskId: a.id, name: a.name },
  });
  const pb = await s.backup.backup({
    domain: 'web',
    trigger: 'schedule',
    owner: { taskId: b.id, name: b.name },
  });
  const pm = await s.backup.backup({ domain: 'web' });
  const owners = async () =>
    Object.fromEntries((await s.api.listPoints({})).map((p) => [p.id, [p.owner, p.ownerTaskId]]));
  t.deepEqual(await owners(), {
    [pa.id]: ['task-a', a.id],
    [pb.id]: ['task-b', b.id],
    [pm.id]: ['manual', null],
  });
  t.deepEqual(await s.api.listPoints({ orphaned: true }), []);

  s.db.deleteTask(b.id);
  t.truthy(s.catalog.getPoint(pb.id), 'the points of a deleted task are kept');
  t.is((await s.api.getPoint(pb.id)).owner, '(deleted task task-b)');
  t.like(await s.api.getChain(pb.chainId), { owner: '(deleted task task-b)', ownerTaskId: b.id });
  t.is((await s.api.getChain(pa.chainId)).owner, 'task-a');
  t.deepEqual(
    (await s.api.listChains({})).map((c) => c.owner),
    ['task-a', '(deleted task task-b)', 'manual'],
  );
  t.deepEqual(
    (await s.api.listPoints({ orphaned: true })).map((p) => p.id),
    [pb.id],
  );
  // A renamed task shows its name now.
  s.db.updateTask(a.id, { name: 'task-a2' });
  t.is((await s.api.getPoint(pa.id)).owner, 'task-a2');
});

test('orphaned listing pages after the filter', async (t) => {
  const s = await setup();
  const gone = s.task('gone');
  const owner = { taskId: gone.id, name: gone.name };
  const ids = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await s.backup.backup({ domain: 'web', trigger: 'schedule', owner })).id);
    await s.backup.backup({ domain: 'web' });
  }
  s.db.deleteTask(gone.id);
  const first = await s.api.listPoints({ orphaned: true, limit: 2 });
  t.deepEqual(
    first.map((p) => p.id),
    ids.slice(0, 2),
  );
  const rest = await s.api.listPoints({ orphaned: true, limit: 2, after: first[1]!.id });
  t.deepEqual(
    rest.map((p) => p.id),
    ids.slice(2),
  );
});
