import test from 'ava';
import { reconcile } from '../../../src/daemon/reconcile.js';
import { BackupService } from '../../../src/service/backup/backup.js';
import { fakeBackupHost } from '../../fakes/backup-host.js';

const GiB = 1 << 30;
const ID = 'abcdefabcdef';

async function setup() {
  const { hv, fs, catalog, deps, uuid } = fakeBackupHost({ name: 'db1', source: '/vms/a.qcow2' });
  const p0 = await new BackupService(deps).backup({ domain: uuid });
  const put = (path: string, data: string) => fs.files.set(path, { mode: 0o600, data });
  /** A job record left `running` by the kill. */
  const running = (type: 'backup' | 'rollback' | 'create-volume', pointId: string) => {
    const j = catalog.jobs.create({ type, trigger: 'manual', domainUuid: uuid, pointId });
    catalog.jobs.start(j.id);
    return j.id;
  };
  return { hv, catalog, deps, uuid, p0, put, running };
}

test('a backup job whose point was recorded available before the kill: succeeded, with a note', async (t) => {
  const { catalog, deps, p0, running } = await setup();
  const job = running('backup', p0.id);
  await reconcile(deps);
  const j = catalog.jobs.get(job)!;
  t.is(j.state, 'succeeded');
  t.is(j.error, null);
  t.like(j.result, { pointId: p0.id });
  t.regex((j.result as { note: string }).note, /daemon-restarted/);
});

test('a backup job whose point was creating: failed, saying what was undone', async (t) => {
  const { catalog, deps, p0, running, uuid } = await setup();
  const half = catalog.createPoint({
    name: 'manualbk_half00000001',
    domainUuid: uuid,
    chainId: p0.chainId,
    seq: 1,
    kind: 'incremental',
    trigger: 'manual',
    disks: [
      {
        target: 'vda',
        path: `${uuid}/${p0.chainId}/vda.1.qcow2`,
        virtualSize: GiB,
        format: 'qcow2',
        checkpoint: `vp-${p0.chainId}-1`,
      },
    ],
  });
  const job = running('backup', half.id);
  await reconcile(deps);
  const j = catalog.jobs.get(job)!;
  t.is(j.state, 'failed');
  t.is(j.error?.code, 'DAEMON_RESTARTED');
  t.regex(j.error?.message ?? '', /undone: .*checkpoint vp-.*-1 deleted.*partial file/);
});

test('a rollback job that reconcile completed: succeeded; one it undid: failed, saying so', async (t) => {
  const { catalog, deps, p0, running, put, hv, uuid } = await setup();
  hv.dom(uuid).state = 'shutoff';
  put('/vms/a.qcow2', 'new:a');
  put(`/vms/.a.qcow2.virtpoint-orig-${ID}`, 'old:a');
  const done = running('rollback', p0.id);
  await reconcile(deps);
  t.is(catalog.jobs.get(done)?.state, 'succeeded');
  t.regex((catalog.jobs.get(done)?.result as { note: string }).note, /completed the rollback/);

  const cut = running('rollback', p0.id);
  put('/vms/a.qcow2', 'new:a');
  put(`/vms/.a.qcow2.virtpoint-orig-${ID}`, 'old:a');
  put(`/vms/.a.qcow2.virtpoint-restore-${ID}`, 'new:a');
  await reconcile(deps);
  t.is(catalog.jobs.get(cut)?.state, 'failed');
  t.regex(catalog.jobs.get(cut)?.error?.message ?? '', /undone: .*original/);
});

test('a create-volume job whose volume was recorded: succeeded; a queued job: failed, not started', async (t) => {
  const { catalog, deps, p0, running } = await setup();
  const job = running('create-volume', p0.id);
  catalog.artifacts.createVolume({
    name: 'v1',
    pointId: p0.id,
    disk: 'vda',
    location: { kind: 'dir', dir: '/vols' },
    path: '/vols/v1.qcow2',
    format: 'qcow2',
  });
  const queued = catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: p0.domainUuid }).id;
  await reconcile(deps);
  t.is(catalog.jobs.get(job)?.state, 'succeeded');
  t.like(catalog.jobs.get(job)?.result, { path: '/vols/v1.qcow2' });
  t.is(catalog.jobs.get(queued)?.state, 'failed');
  t.regex(catalog.jobs.get(queued)?.error?.message ?? '', /had not started/);
});
