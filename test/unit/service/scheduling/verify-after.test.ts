import test from 'ava';
import { submitBackup } from '../../../../src/service/backup/submit.js';
import { HOUR, schedHarness } from './_sched.js';

/** A task on an hourly policy, run by hand once; the run's record and the jobs it made. */
async function setup(o: { verifyAfter: boolean; retention?: { kind: 'count'; n: number } }) {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], {
    receivers: [{ kind: 'journal' }],
    verifyAfter: o.verifyAfter,
    ...(o.retention === undefined ? {} : { retention: o.retention }),
  });
  const runOnce = async (trigger: 'manual' | 'schedule' = 'schedule') => {
    h.clock.now += HOUR; // retention orders points by time
    const run = await h.scheduler.runTask({ task, trigger, policy: null, scheduledFor: null });
    await h.scheduler.idle();
    await h.exec.idle();
    return h.db.getTaskRun(run.id)!;
  };
  return { h, task, runOnce };
}

test('verify-after: each new point is verified by a verify job of the run; the run records it ok', async (t) => {
  const { h, runOnce } = await setup({ verifyAfter: true });
  const run = await runOnce();
  t.is(run.outcome, 'succeeded');
  const r = run.resources[0]!;
  t.deepEqual(r.verify, { state: 'ok', summary: r.verify?.summary ?? '' });
  t.regex(r.verify!.summary, /^ok/);
  const point = h.catalog.getPoint(r.pointId!)!;
  t.is(point.verify.state, 'ok');
  const jobs = h.catalog.jobs.list({ type: 'verify' });
  t.is(jobs.length, 1);
  t.is(jobs[0]?.pointId, point.id);
  t.is(jobs[0]?.trigger, 'schedule');
  t.is(h.sent.at(-1)?.payload.resources[0]?.verify?.state, 'ok');
});

test('without verify-after no verify job runs and the point stays never verified', async (t) => {
  const { h, runOnce } = await setup({ verifyAfter: false });
  const run = await runOnce();
  t.is(run.outcome, 'succeeded');
  t.false('verify' in run.resources[0]!);
  t.is(h.catalog.jobs.list({ type: 'verify' }).length, 0);
  t.is(h.catalog.getPoint(run.resources[0]!.pointId!)!.verify.state, 'never');
});

test('verify-after fails: the resource fails with POINT_CORRUPT, retention is not run, a verify event goes to the receivers', async (t) => {
  const { h, runOnce } = await setup({ verifyAfter: true, retention: { kind: 'count', n: 1 } });
  const first = await runOnce();
  t.is(first.outcome, 'succeeded');
  const good = first.resources[0]!.pointId!;

  // the new point's own file (seq 1) is broken; the full it reads through is fine
  h.images.checkError = (path) =>
    path.endsWith('vda.1.qcow2') ? 'ERROR cluster 5 refcount=0 reference=1' : null;
  const run = await runOnce();
  const r = run.resources[0]!;
  t.is(run.outcome, 'failed');
  t.is(r.outcome, 'failed');
  t.is(r.error?.code, 'POINT_CORRUPT');
  t.is(r.verify?.state, 'failed');
  t.regex(r.verify!.summary, /qemu-img-error/);
  t.is(h.catalog.getPoint(r.pointId!)!.state, 'corrupt');
  // count:1 would have deleted the good point: retention did not run after the failed verify
  t.is(h.catalog.getPoint(good)?.state, 'available');

  t.is(h.verified.length, 1);
  const ev = h.verified[0]!;
  t.is(ev.event, 'verify');
  t.is(ev.task.name, 'web');
  t.is(ev.verify.trigger, 'after-backup');
  t.is(ev.point.id, r.pointId!);
  t.deepEqual(ev.corrupt, [r.pointId!]);
  t.is(h.sent.at(-1)?.payload.resources[0]?.error?.code, 'POINT_CORRUPT');

  // the next backup starts a new full chain
  h.images.checkError = null;
  const next = await runOnce();
  t.is(next.outcome, 'succeeded', JSON.stringify(next.resources));
  const p = h.catalog.getPoint(next.resources[0]!.pointId!)!;
  t.is(p.kind, 'full');
  t.is(p.newChainReason, 'previous-point-corrupt');
});

test('a verify by hand (or the sweep) that fails on a task point tells the owning task; a manual chain tells no one', async (t) => {
  const { h, runOnce } = await setup({ verifyAfter: false });
  const run = await runOnce();
  const pointId = run.resources[0]!.pointId!;
  h.images.checkError = () => 'ERROR leaked cluster';
  const res = await h.verify.verifyPoint(pointId);
  t.false(res.ok);
  await h.exec.idle();
  t.is(h.verified.length, 1);
  t.is(h.verified[0]?.verify.trigger, 'manual');
  t.is(h.verified[0]?.point.domain, h.uuids[0]);
  t.is(h.verified[0]?.host, 'kvm1');

  // a point of a manual chain (no owning task): nothing is sent
  h.images.checkError = null;
  const uuid = h.uuids[0]!;
  const job = submitBackup(h, { uuid, name: 'web' }, { domain: uuid });
  const ended = await h.runner.wait(job.id);
  t.is(ended.state, 'succeeded');
  t.is(h.catalog.getChain(h.catalog.getPoint(ended.pointId!)!.chainId)?.ownerTaskId, null);
  h.images.checkError = () => 'ERROR leaked cluster';
  t.false((await h.verify.verifyPoint(ended.pointId!)).ok);
  await h.exec.idle();
  t.is(h.verified.length, 1);
});
