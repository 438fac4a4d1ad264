import test from 'ava';
import { VirtpointError } from '../../../../src/core/errors.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { reconcile } from '../../../../src/daemon/reconcile.js';
import { ownCheckpoint } from '../../../../src/service/backup/checkpoints.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

function setup() {
  const { hv, catalog, deps, uuid } = fakeBackupHost();
  return { hv, catalog, deps, svc: new BackupService(deps), uuid };
}

const names = (hv: FakeHypervisor, uuid: string) => hv.dom(uuid).checkpoints.map((c) => c.name);

test('a failed job whose bitmap cannot be deleted (QEMU gone): the checkpoint metadata is removed', async (t) => {
  const { hv, svc, uuid } = setup();
  const p0 = await svc.backup({ domain: uuid });
  hv.jobOutcome = 'failed';
  hv.failNext('deleteCheckpoint', new VirtpointError('LIBVIRT_ERROR', 'injected: bitmap not in the image'));
  await t.throwsAsync(svc.backup({ domain: uuid }), { code: 'JOB_FAILED' });
  t.deepEqual(names(hv, uuid), [`vp-${p0.chainId}-0`]);
  const metaOnly = hv.calls.filter((c) => c.method === 'deleteCheckpoint').at(-1);
  t.deepEqual(metaOnly?.args[2], { metadataOnly: true });
});

test('a failed job while libvirtd is gone: the checkpoint is removed once it is back', async (t) => {
  const { hv, svc, uuid } = setup();
  hv.jobOutcome = 'failed';
  hv.failNext(
    'deleteCheckpoint',
    new VirtpointError('LIBVIRT_DISCONNECTED', 'injected: libvirtd restarting'),
  );
  await t.throwsAsync(svc.backup({ domain: uuid }), { code: 'JOB_FAILED' });
  t.deepEqual(names(hv, uuid), []);
  t.is(hv.count('deleteCheckpoint'), 2);
});

test('left behind anyway: removed before the next backup; others\u2019 checkpoints and available points\u2019 are kept', async (t) => {
  const { hv, svc, uuid, catalog } = setup();
  const p0 = await svc.backup({ domain: uuid });
  hv.jobOutcome = 'failed';
  hv.failNext('deleteCheckpoint', new VirtpointError('LIBVIRT_ERROR', 'injected'));
  hv.failNext('deleteCheckpoint', new VirtpointError('LIBVIRT_ERROR', 'injected again'));
  await t.throwsAsync(svc.backup({ domain: uuid }), { code: 'JOB_FAILED' });
  const failed = catalog.listPoints({ state: 'error' })[0]!;
  t.true(names(hv, uuid).includes(`vp-${p0.chainId}-${failed.seq}`));
  // Checkpoints that are not ours: another tool's, and one named like ours from another catalog.
  const foreign = (name: string) => ({
    name,
    parent: null,
    creationTime: 1,
    description: null,
    disks: [],
    xml: '',
  });
  hv.dom(uuid).checkpoints.push(foreign('nightly-veeam'), foreign('vp-0123456789ab-3'));
  hv.jobOutcome = 'completed';
  const p2 = await svc.backup({ domain: uuid });
  t.is(p2.state, 'available');
  t.deepEqual(
    names(hv, uuid).sort(),
    [`vp-${p0.chainId}-0`, `vp-${p0.chainId}-${p2.seq}`, 'nightly-veeam', 'vp-0123456789ab-3'].sort(),
  );
});

test('reconcile removes the checkpoints of failed points', async (t) => {
  const { hv, svc, uuid, deps } = setup();
  const p0 = await svc.backup({ domain: uuid });
  hv.jobOutcome = 'failed';
  hv.failNext('deleteCheckpoint', new VirtpointError('LIBVIRT_ERROR', 'injected'));
  hv.failNext('deleteCheckpoint', new VirtpointError('LIBVIRT_ERROR', 'injected again'));
  await t.throwsAsync(svc.backup({ domain: uuid }), { code: 'JOB_FAILED' });
  t.is(names(hv, uuid).length, 2);
  const report = await reconcile(deps);
  t.deepEqual(names(hv, uuid), [`vp-${p0.chainId}-0`]);
  t.is(report.checkpoints.length, 1);
});

test('a domain destroyed during the job: metadata removed and the bitmap QEMU wrote is stripped from the image', async (t) => {
  const { hv, images, deps, uuid } = fakeBackupHost();
  hv.jobOutcome = 'hang';
  const backup = new BackupService(deps).backup({ domain: uuid });
  while (hv.backups.length === 0) await new Promise((r) => setTimeout(r, 1));
  const cp = hv.dom(uuid).checkpoints[0]!.name;
  // virsh destroy: QEMU stops (writing its bitmaps), libvirt refuses a full checkpoint delete.
  await hv.destroyDomain(uuid);
  images.images.get('/images/a.qcow2')!.bitmaps.push({ name: cp, flags: ['auto'] });
  hv.failNext(
    'deleteCheckpoint',
    new VirtpointError('UNSUPPORTED', 'cannot delete checkpoint for inactive domain'),
  );
  hv.failNext('getJobStats', new VirtpointError('LIBVIRT_ERROR', 'domain is not running'));
  await t.throwsAsync(backup);
  t.deepEqual(names(hv, uuid), []);
  t.deepEqual(images.images.get('/images/a.qcow2')!.bitmaps, []);
});

test('ownCheckpoint: ours only when the name is vp-<chain>-<seq> and the chain is in this catalog, of this domain', async (t) => {
  const { svc, uuid, catalog } = setup();
  const p0 = await svc.backup({ domain: uuid });
  t.deepEqual(ownCheckpoint(catalog, uuid, `vp-${p0.chainId}-0`), { chainId: p0.chainId, seq: 0 });
  t.deepEqual(ownCheckpoint(catalog, uuid, `vp-${p0.chainId}-7`), { chainId: p0.chainId, seq: 7 });
  t.is(ownCheckpoint(catalog, uuid, 'vp-0123456789ab-0'), null, 'a chain of another catalog');
  t.is(ownCheckpoint(catalog, uuid, 'nightly-veeam'), null, 'another tool');
  t.is(ownCheckpoint(catalog, '00000000-0000-4000-8000-000000000000', `vp-${p0.chainId}-0`), null);
});
