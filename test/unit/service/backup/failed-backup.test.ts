import test from 'ava';
import { VirtpointError } from '../../../../src/core/errors.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { submitBackup } from '../../../../src/service/backup/submit.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { reconcile } from '../../../../src/daemon/reconcile.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';

/**
 * Issue 12 §4: a backup that fails or is canceled changes no chain. A new chain is `pending`
 * until its full point is available; a failed full leaves an error point in a `failed` chain, a
 * canceled one nothing at all; the chain it would have replaced stays open and the next backup
 * continues it.
 */

async function withChain() {
  const host = fakeBackupHost();
  const svc = new BackupService(host.deps);
  const p0 = await svc.backup({ domain: 'web1' });
  const p1 = await svc.backup({ domain: 'web1' });
  const storeFiles = () => [...host.fs.files.keys()].filter((f) => f.startsWith('/store/')).sort();
  return { ...host, svc, p0, p1, storeFiles };
}

test('canceled full: old chain open, no point, no new chain, job pointId null, the next backup an incremental on the old chain', async (t) => {
  const { svc, hv, catalog, uuid, p0, p1, storeFiles } = await withChain();
  const filesBefore = storeFiles();
  const runner = new JobRunner({ catalog, log: silentLogger });
  hv.jobOutcome = 'hang';
  const job = submitBackup(
    { catalog, runner, backup: svc },
    { uuid, name: 'web1' },
    { domain: uuid, full: true },
  );
  // Cancel once the point exists and the libvirt job runs.
  while (hv.count('beginBackup') < 3) await new Promise((r) => setTimeout(r, 2));
  t.not(catalog.jobs.get(job.id)?.pointId ?? null, null, 'the running job names its point');
  runner.cancel(job.id);
  const done = await runner.wait(job.id);
  t.is(done.state, 'canceled');
  t.is(done.pointId, null, 'a canceled job names no point');
  t.deepEqual(
    catalog.listPoints().map((p) => p.id),
    [p0.id, p1.id],
    'no point is left',
  );
  const chains = catalog.listChains({ domainUuid: uuid });
  t.deepEqual(
    chains.map((c) => [c.id, c.state]),
    [[p0.chainId, 'open']],
    'no pending or failed chain is left; the old chain is open',
  );
  t.deepEqual(storeFiles(), filesBefore, 'no file is left');
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    [`vp-${p0.chainId}-0`, `vp-${p0.chainId}-1`],
  );

  hv.jobOutcome = 'completed';
  const plan = await svc.plan({ domain: uuid });
  t.is(plan.decision.kind, 'incremental');
  t.is(plan.decision.kind === 'incremental' ? plan.decision.chainId : null, p0.chainId);
  const next = await svc.backup({ domain: uuid });
  t.is(next.kind, 'incremental');
  t.is(next.chainId, p0.chainId);
  t.is(next.seq, 2);
});

test('failed full: an error point with its reason in a failed chain, the old chain open, the next backup incremental', async (t) => {
  const { svc, hv, catalog, uuid, p0, storeFiles } = await withChain();
  const filesBefore = storeFiles();
  hv.jobOutcome = 'failed';
  const err = await t.throwsAsync(svc.backup({ domain: uuid, full: true }));
  t.is((err as VirtpointError).code, 'JOB_FAILED');

  const failed = catalog.listPoints({ state: 'error' });
  t.is(failed.length, 1);
  t.is(failed[0]?.kind, 'full');
  t.is(failed[0]?.error?.code, 'JOB_FAILED');
  t.is(catalog.getChain(failed[0]!.chainId)?.state, 'failed');
  t.is(catalog.getChain(p0.chainId)?.state, 'open', 'the old chain is not sealed');
  t.is(catalog.getChain(p0.chainId)?.sealReason, null);
  t.deepEqual(storeFiles(), filesBefore, 'the failed attempt left no file');
  t.false(
    hv.dom(uuid).checkpoints.some((c) => c.name.includes(failed[0]!.chainId)),
    'nor a checkpoint',
  );

  hv.jobOutcome = 'completed';
  const next = await svc.backup({ domain: uuid });
  t.is(next.kind, 'incremental');
  t.is(next.chainId, p0.chainId);
  t.is(hv.backups.at(-1)?.spec.incrementalFrom, `vp-${p0.chainId}-1`);
  // A full that succeeds later opens its chain and seals the old one.
  const full = await svc.backup({ domain: uuid, full: true });
  t.is(catalog.getChain(full.chainId)?.state, 'open');
  t.is(catalog.getChain(p0.chainId)?.state, 'sealed');
  t.is(catalog.getChain(p0.chainId)?.sealReason, 'requested');
  t.is(catalog.getChain(failed[0]!.chainId)?.state, 'failed', 'the failed chain never opens');
});

test('failed quiesce=required full: an error point (AGENT_UNAVAILABLE), no chain change, nothing written', async (t) => {
  const { svc, hv, catalog, uuid, p0, storeFiles } = await withChain();
  const filesBefore = storeFiles();
  hv.failNext('freezeFilesystems', new VirtpointError('AGENT_UNAVAILABLE', 'agent gone'));
  const err = await t.throwsAsync(svc.backup({ domain: uuid, full: true, quiesce: 'required' }));
  t.is((err as VirtpointError).code, 'AGENT_UNAVAILABLE');
  const failed = catalog.listPoints({ state: 'error' });
  t.is(failed.length, 1);
  t.is(failed[0]?.error?.code, 'AGENT_UNAVAILABLE');
  t.is(catalog.getChain(failed[0]!.chainId)?.state, 'failed');
  t.deepEqual(
    catalog.listChains({ domainUuid: uuid, state: 'open' }).map((c) => c.id),
    [p0.chainId],
  );
  t.is(hv.count('beginBackup'), 2, 'no backup job was started');
  t.deepEqual(storeFiles(), filesBefore);
  const next = await svc.backup({ domain: uuid });
  t.is(next.chainId, p0.chainId);
  t.is(next.kind, 'incremental');
});

test('daemon killed during a full: reconcile fails the pending chain with its error point, the old chain stays open', async (t) => {
  const { catalog, deps, fs, uuid, p0, storeFiles } = await withChain();
  const filesBefore = storeFiles();
  // What the killed daemon left: a pending chain replacing p0's, its full point creating, a
  // partial file.
  const chain = catalog.createChain({
    domainUuid: uuid,
    diskSet: ['vda'],
    pending: true,
    seal: { chainId: p0.chainId, reason: 'requested' },
  });
  const path = `${uuid}/${chain.id}/vda.0.qcow2`;
  const p = catalog.createPoint({
    name: 'manualbk_crashedfull1',
    domainUuid: uuid,
    chainId: chain.id,
    seq: 0,
    kind: 'full',
    trigger: 'manual',
    newChainReason: 'requested',
    disks: [{ target: 'vda', path, virtualSize: 1 << 30, format: 'qcow2', checkpoint: `vp-${chain.id}-0` }],
  });
  await fs.mkdir(`/store/${uuid}/${chain.id}`);
  await fs.writeFile(`/store/${path}`, 'partial', 0o600);
  t.is(catalog.getChain(p0.chainId)?.state, 'open', 'a pending chain seals nothing yet');

  await reconcile(deps);
  t.is(catalog.getPoint(p.id)?.state, 'error');
  t.is(catalog.getPoint(p.id)?.error?.code, 'DAEMON_RESTARTED');
  t.is(catalog.getChain(chain.id)?.state, 'failed');
  t.is(catalog.getChain(p0.chainId)?.state, 'open');
  t.deepEqual(storeFiles(), filesBefore, "the failed chain's files are not left behind");
  const next = await new BackupService(deps).backup({ domain: uuid });
  t.is(next.chainId, p0.chainId);
  t.is(next.kind, 'incremental');
});

test('canceled, but its checkpoint cannot be deleted: the error point stays (it proves the checkpoint ours) and the job names it', async (t) => {
  const { svc, hv, catalog, uuid, p0 } = await withChain();
  const runner = new JobRunner({ catalog, log: silentLogger });
  hv.jobOutcome = 'hang';
  const job = submitBackup({ catalog, runner, backup: svc }, { uuid, name: 'web1' }, { domain: uuid });
  while (hv.count('beginBackup') < 3) await new Promise((r) => setTimeout(r, 2));
  hv.failNext('deleteCheckpoint');
  hv.failNext('deleteCheckpoint');
  runner.cancel(job.id);
  const done = await runner.wait(job.id);
  t.is(done.state, 'canceled');
  const kept = catalog.listPoints({ state: 'error' });
  t.is(kept.length, 1);
  t.is(done.pointId, kept[0]!.id);
  t.true(hv.dom(uuid).checkpoints.some((c) => c.name === kept[0]!.disks[0]!.checkpoint));
  // The next backup removes that checkpoint first and continues the chain.
  hv.jobOutcome = 'completed';
  const next = await svc.backup({ domain: uuid });
  t.is(next.chainId, p0.chainId);
  t.false(hv.dom(uuid).checkpoints.some((c) => c.name === kept[0]!.disks[0]!.checkpoint));
});

test('a failed job that left its running guest paused for an I/O error resumes it; a guest paused before is left paused', async (t) => {
  const host = fakeBackupHost();
  const { log, records } = recordingLogger();
  const svc = new BackupService({ ...host.deps, log });
  const { hv, uuid } = host;
  await svc.backup({ domain: 'web1' });
  hv.jobOutcome = 'failed';
  hv.pauseOnJobFailure = true; // QEMU: copy-before-write to a full store broke a guest write
  const err = await t.throwsAsync(svc.backup({ domain: 'web1' }));
  t.is((err as VirtpointError).code, 'JOB_FAILED');
  t.is(hv.dom(uuid).state, 'running', 'resumed once the failed job had ended');
  t.is(hv.count('resumeDomain'), 1);
  t.true(records.some((r) => r.level === 'warn' && /paused by QEMU.*resumed it/.test(r.msg)));

  // A domain the operator paused (any reason) before the backup stays as it was.
  hv.dom(uuid).state = 'paused';
  hv.dom(uuid).pausedBy = 'ioerror';
  await t.throwsAsync(svc.backup({ domain: 'web1' }));
  t.is(hv.dom(uuid).state, 'paused');
  t.is(hv.count('resumeDomain'), 1, 'not resumed: it was not running when the backup began');
});
