import test from 'ava';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

function setup() {
  const { hv, catalog, deps, uuid, fs } = fakeBackupHost();
  return { hv, catalog, svc: new BackupService(deps), uuid, fs };
}

/** libvirtd "restarts" once the first backup job runs: the job is lost, the connection back after 30 ms. */
async function restartLibvirtdDuringJob(hv: FakeHypervisor, during?: () => void) {
  while (hv.backups.length === 0) await new Promise((r) => setTimeout(r, 1));
  hv.disconnect();
  during?.();
  hv.jobOutcome = 'completed';
  setTimeout(() => hv.reconnect(), 30);
}

test('libvirtd restarted during a backup: retried once after the reconnect, in the same call, the reason reported', async (t) => {
  const { hv, svc, uuid, catalog, fs } = setup();
  hv.jobOutcome = 'hang';
  const retries: string[] = [];
  const points: string[] = [];
  const backup = svc.backup(
    { domain: uuid },
    { onRetry: (r) => retries.push(r), onPoint: (p) => points.push(p) },
  );
  await restartLibvirtdDuringJob(hv);
  const p = await backup;
  t.is(p.state, 'available');
  t.is(retries.length, 1);
  t.regex(retries[0]!, /libvirtd went away.*retried once/);
  t.is(hv.backups.length, 2);
  t.is(points.length, 2);
  // The failed attempt left nothing: no checkpoint, no file, no error point.
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    [p.disks[0]!.checkpoint],
  );
  t.deepEqual(catalog.listPoints({ state: 'error' }), []);
  t.is([...fs.files.keys()].filter((f) => f.startsWith('/store/') && f.endsWith('.qcow2')).length, 1);
});

test('libvirtd restarted and the domain changed state meanwhile: no retry, LIBVIRT_DISCONNECTED', async (t) => {
  const { hv, svc, uuid } = setup();
  hv.jobOutcome = 'hang';
  const retries: string[] = [];
  const backup = svc.backup({ domain: uuid }, { onRetry: (r) => retries.push(r) });
  await restartLibvirtdDuringJob(hv, () => (hv.dom(uuid).state = 'shutoff'));
  await t.throwsAsync(backup, { code: 'LIBVIRT_DISCONNECTED' });
  t.deepEqual(retries, []);
  t.is(hv.backups.length, 1);
  t.deepEqual(hv.dom(uuid).checkpoints, []);
});

test('retried at most once: a second disconnect fails the backup', async (t) => {
  const { hv, svc, uuid } = setup();
  hv.jobOutcome = 'hang';
  const backup = svc.backup({ domain: uuid });
  await restartLibvirtdDuringJob(hv);
  hv.jobOutcome = 'hang';
  while (hv.backups.length < 2) await new Promise((r) => setTimeout(r, 1));
  hv.disconnect();
  setTimeout(() => hv.reconnect(), 30);
  await t.throwsAsync(backup, { code: 'LIBVIRT_DISCONNECTED' });
  t.is(hv.backups.length, 2);
  t.deepEqual(hv.dom(uuid).checkpoints, []);
});
