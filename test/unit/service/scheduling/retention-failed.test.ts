import test from 'ava';
import { parseRetention } from '../../../../src/core/retention.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { RetentionRunner } from '../../../../src/service/scheduling/retention-run.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

/**
 * Issue 12 §4: failed scheduled fulls each leave an error point in a `failed` chain (the usable
 * chain stays open); retention prunes the scheduled ones as before (≤ 10 per resource), whole
 * failed chains with them, and never a manual one.
 */
test('retention: scheduled failed fulls pruned to 10 with their failed chains; manual error points stay', async (t) => {
  const { hv, deps, catalog, uuid } = fakeBackupHost();
  const svc = new BackupService(deps);
  const owner = { taskId: 'task00000001', name: 'nightly' }; // the task's chains: retention's own
  const p0 = await svc.backup({ domain: uuid, trigger: 'schedule', owner });
  hv.jobOutcome = 'failed';
  const manual = await svc
    .backup({ domain: uuid, full: true })
    .then(() => null)
    .catch(() => catalog.listPoints({ state: 'error' })[0]!);
  for (let i = 0; i < 12; i++)
    await svc.backup({ domain: uuid, full: true, trigger: 'schedule', owner }).catch(() => undefined);
  hv.jobOutcome = 'completed';
  const scheduled = catalog.listPoints({ state: 'error' }).filter((p) => p.trigger === 'schedule');
  t.is(scheduled.length, 12);
  t.deepEqual(
    catalog.listChains({ domainUuid: uuid, state: 'open' }).map((c) => c.id),
    [p0.chainId],
    'twelve failed fulls left the usable chain open',
  );
  t.is(catalog.listChains({ domainUuid: uuid, state: 'failed' }).length, 13);

  const retention = new RetentionRunner({
    catalog,
    del: new DeleteService(deps),
    runner: {
      submit: () => {
        throw new Error('not used');
      },
    },
    log: deps.log,
    now: () => Date.now(),
  });
  const res = await retention.apply({
    taskId: owner.taskId,
    taskName: 'nightly',
    retention: parseRetention('forever'),
    resource: { domainUuid: uuid, domainName: 'web1', disks: null },
    mode: 'rule',
  });
  t.deepEqual(
    [...res.deleted].sort(),
    scheduled
      .slice(0, 2)
      .map((p) => p.id)
      .sort(),
    'the two oldest',
  );
  t.deepEqual(res.failed, []);
  for (const p of scheduled.slice(0, 2)) t.is(catalog.getChain(p.chainId), null, 'its failed chain went too');
  t.is(catalog.getPoint(manual!.id)?.state, 'error', 'the manual error point stays');
  t.is(catalog.getChain(p0.chainId)?.state, 'open');
  const next = await svc.backup({ domain: uuid, trigger: 'schedule', owner });
  t.is(next.chainId, p0.chainId);
  t.is(next.kind, 'incremental');
});
