import test from 'ava';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { CatalogApiImpl } from '../../../../src/service/catalog/api.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

/** `point delete --errors` (issue 12 §4): error points and failed chains in one go. */

async function withFailures() {
  const host = fakeBackupHost();
  const { hv, deps, catalog } = host;
  const svc = new BackupService(deps);
  const del = new DeleteService(deps);
  const p0 = await svc.backup({ domain: 'web1' });
  const p1 = await svc.backup({ domain: 'web1' });
  hv.jobOutcome = 'failed';
  await svc.backup({ domain: 'web1' }).catch(() => undefined); // a failed incremental (seq 2)
  await svc.backup({ domain: 'web1', full: true }).catch(() => undefined); // a failed full
  hv.jobOutcome = 'completed';
  const p3 = await svc.backup({ domain: 'web1' }); // seq 3, after the failed one
  const errors = catalog.listPoints({ state: 'error' });
  return { ...host, svc, del, p0, p1, p3, errors };
}

test('deleteErrors: the failed chain goes whole, a failed incremental alone; the usable points stay', async (t) => {
  const { del, catalog, uuid, p0, p1, p3, errors, fs } = await withFailures();
  t.is(errors.length, 2);
  const failedChain = errors.find((p) => p.kind === 'full')!.chainId;
  t.is(catalog.getChain(failedChain)?.state, 'failed');
  const res = await del.deleteErrors(uuid);
  t.deepEqual([...res.deleted].sort(), errors.map((p) => p.id).sort());
  t.deepEqual(res.kept, []);
  t.deepEqual(catalog.listPoints({ state: 'error' }), []);
  t.is(catalog.getChain(failedChain), null, 'the failed chain is gone');
  t.deepEqual(
    catalog.listPoints().map((p) => p.id),
    [p0.id, p1.id, p3.id],
  );
  t.is(catalog.getChain(p0.chainId)?.state, 'open');
  for (const p of [p0, p1, p3]) t.true(await fs.exists(`/store/${p.disks[0]!.path}`));
});

test('deleteErrors keeps an error point whose checkpoint is still in libvirt (it proves the checkpoint ours)', async (t) => {
  const { del, catalog, uuid, hv, svc } = await withFailures();
  // A failed incremental whose checkpoint could not be deleted (libvirt refused twice).
  hv.jobOutcome = 'failed';
  hv.failNext('deleteCheckpoint');
  hv.failNext('deleteCheckpoint');
  await svc.backup({ domain: 'web1' }).catch(() => undefined);
  const stuck = catalog
    .listPoints({ state: 'error' })
    .find((p) => hv.dom(uuid).checkpoints.some((c) => c.name === p.disks[0]?.checkpoint));
  t.truthy(stuck, 'the checkpoint of the failed point is still there');
  const res = await del.deleteErrors(uuid);
  t.deepEqual(res.kept, [stuck!.id]);
  t.deepEqual(
    catalog.listPoints({ state: 'error' }).map((p) => p.id),
    [stuck!.id],
  );
});

test('CatalogApi.deleteErrorPoints: one delete job per domain with error points; --domain limits it', async (t) => {
  const { catalog, del, uuid, hv, errors } = await withFailures();
  const runner = new JobRunner({ catalog, log: silentLogger });
  const api = new CatalogApiImpl({
    hypervisor: hv,
    catalog,
    runner,
    del,
    storeRoot: '/store',
    version: 'test',
    startedAt: 0,
    libvirtConnected: () => true,
    storeStatus: () => ({ unknown: 0, badManifests: 0, scannedAt: null }) as never,
  });
  t.deepEqual(await api.deleteErrorPoints({ domain: 'nosuch' }), { points: [], jobs: [] });
  const res = await api.deleteErrorPoints({ domain: 'web1' });
  t.deepEqual([...res.points].sort(), errors.map((p) => p.id).sort());
  t.is(res.jobs.length, 1);
  t.is(res.jobs[0]?.domain, uuid);
  const done = await runner.wait(res.jobs[0]!.id);
  t.is(done.state, 'succeeded');
  t.deepEqual(catalog.listPoints({ state: 'error' }), []);
  t.deepEqual(await api.deleteErrorPoints({}), { points: [], jobs: [] }, 'nothing left to delete');
});
