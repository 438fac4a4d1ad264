import test from 'ava';
import { VirtpointError } from '../../../../src/core/errors.js';
import { jobScopedLogger } from '../../../../src/service/jobs/job-log.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { HOUR, schedHarness } from './_sched.js';

const T0 = Date.UTC(2025, 2, 3, 23, 30);

async function hourlyRuns(h: Awaited<ReturnType<typeof schedHarness>>, n: number, from = 1) {
  for (let i = from; i < from + n; i++) await h.at(T0 + i * HOUR);
}

test('count:3 over chains of 2: exactly the 3 newest automatic points remain; the full goes by a synthetic full', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('keep3', [p.id], { chainLength: 2, retention: { kind: 'count', n: 3 } });
  await h.at(T0);
  await hourlyRuns(h, 6);
  const made = h.db
    .listTaskRuns(task.id)
    .reverse()
    .map((r) => r.resources[0]!.pointId!);
  const left = h.catalog.listPoints();
  t.deepEqual(
    left.map((x) => x.id),
    made.slice(3),
  );
  // Runs: A0 A1 | B0 B1 | C0 C1. A0 went by drop-full-keep-rest (A1 became a synthetic full,
  // later deleted with its chain), B0 likewise: B1 is the synthetic full of chain B now.
  const b1 = left[0]!;
  t.is(b1.kind, 'full');
  t.is(b1.seq, 1);
  t.true(h.images.rebases.some((r) => r.path === h.file(b1) && r.backingFile === null));
  t.is(h.images.images.get(h.file(b1))?.opts.backingFile, undefined);
  t.deepEqual(
    left.map((x) => [x.kind, x.seq]),
    [
      ['full', 1],
      ['full', 0],
      ['incremental', 1],
    ],
  );
  const cleanups = h.catalog.jobs.list({ type: 'cleanup' });
  t.true(cleanups.length >= 6);
  t.true(cleanups.every((j) => j.trigger === 'retention' && j.state === 'succeeded'));
});

test('the synthetic full keeps its chain usable: the next backup is an incremental on it', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('keep2', [p.id], { chainLength: 5, retention: { kind: 'count', n: 2 } });
  await h.at(T0);
  await hourlyRuns(h, 3); // P0 P1 P2: P0 dropped, P1 synthetic full
  const [p1, p2] = h.catalog.listPoints();
  t.is(p1!.kind, 'full');
  t.is(h.catalog.getChain(p1!.chainId)?.state, 'open');
  t.deepEqual(
    h.hv.dom(h.uuids[0]!).checkpoints.map((c) => c.name),
    [`vp-${p1!.chainId}-1`, `vp-${p1!.chainId}-2`],
    "the old full's checkpoint is gone",
  );
  const next = await h.backup.backup({
    domain: h.uuids[0]!,
    trigger: 'schedule',
    chainLength: 5,
    owner: { taskId: task.id, name: task.name },
  });
  t.is(next.kind, 'incremental');
  t.is(next.chainId, p1!.chainId);
  t.is(next.seq, 3);
  t.is(h.hv.backups.at(-1)?.spec.incrementalFrom, `vp-${p2!.chainId}-2`);
  // Deleting the synthetic full by hand deletes its chain, as for any full point.
  const res = await h.del.deletePoint(p1!.id, { cascade: false });
  t.is(res.deleted.length, 3);
});

test('chains:1: the oldest automatic chain is deleted before a new chain starts; a manual chain stays', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('one', [p.id], { chainLength: 2, retention: { kind: 'chains', n: 1 } });
  const manual = await h.backup.backup({ domain: h.uuids[0]!, full: true, trigger: 'manual' });
  await h.at(T0);
  await hourlyRuns(h, 4);
  const made = h.db
    .listTaskRuns(task.id)
    .reverse()
    .map((r) => r.resources[0]!.pointId!);
  t.deepEqual(
    h.catalog.listPoints().map((x) => x.id),
    [manual.id, made[2]!, made[3]!],
  );
  t.is(h.catalog.getPoint(made[2]!)?.chainId, h.catalog.getPoint(made[3]!)?.chainId);
  t.not(h.catalog.getPoint(made[2]!)?.chainId, manual.chainId, 'the task has its own chains');
  // The cleanup that removed the task's chain A ran before the backup of run 3 (chain B).
  const jobs = h.catalog.jobs.list();
  const b3 = jobs.findIndex((j) => j.pointId === made[2]);
  const pre = jobs[b3 - 1]!;
  t.is(pre.type, 'cleanup');
  t.deepEqual((pre.result as { deleted: string[]; mode: string }).mode, 'before-new-chain');
  t.deepEqual((pre.result as { deleted: string[] }).deleted.sort(), [made[0]!, made[1]!].sort());
});

test('days:N deletes older automatic points; manual points are never deleted', async (t) => {
  const h = await schedHarness();
  const p = h.policy('daily', { kind: 'every-days', n: 1, times: ['02:00'] });
  const task = h.task('days', [p.id], { retention: { kind: 'days', n: 2 } });
  await h.at(T0);
  const manual = await h.backup.backup({ domain: h.uuids[0]!, trigger: 'manual' });
  for (let day = 0; day < 4; day++) await h.at(T0 + day * 24 * HOUR + 2 * HOUR);
  const left = h.catalog.listPoints();
  t.true(left.some((x) => x.id === manual.id));
  const auto = left.filter((x) => x.trigger === 'schedule');
  t.is(auto.length, 3, 'the points of the last 2 days (48 h) remain');
  t.is(h.db.getTaskById(task.id)?.runCount, 4);
});

test('failed automatic backups: at most 10 kept per resource', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  h.task('fails', [p.id]);
  await h.at(T0);
  h.hv.jobOutcome = 'failed';
  await hourlyRuns(h, 12);
  const errors = h.catalog.listPoints({ state: 'error' });
  t.is(errors.length, 10);
});

test('a point a linked image depends on is held; the rest of the plan still runs', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  h.task('held', [p.id], { chainLength: 1, retention: { kind: 'count', n: 1 } });
  await h.at(T0);
  await h.at(T0 + HOUR);
  const first = h.catalog.listPoints()[0]!;
  h.catalog.artifacts.createImage({
    name: 'gold',
    pointId: first.id,
    disk: 'vda',
    path: '/images/gold.qcow2',
    linked: true,
  });
  await hourlyRuns(h, 2, 2);
  const left = h.catalog.listPoints().map((x) => x.id);
  t.true(left.includes(first.id), 'protected');
  t.is(left.length, 2, 'the protected one and the newest');
  const last = h.catalog.jobs.list({ type: 'cleanup' }).at(-1)!;
  t.deepEqual((last.result as { held: string[] }).held, [first.id]);
  t.deepEqual((last.result as { skipped: unknown[] }).skipped, [
    { pointId: first.id, reason: 'protected', images: ['gold'] },
  ]);
});

test('two tasks on one domain: B (count:2) never deletes a point of A (count:14); each task has its own chain', async (t) => {
  const h = await schedHarness();
  const odd = h.policy('odd', { kind: 'every-days', n: 1, times: ['01:00', '03:00', '05:00', '07:00'] });
  const even = h.policy('even', { kind: 'every-days', n: 1, times: ['02:00', '04:00', '06:00', '08:00'] });
  const a = h.task('a', [odd.id], { retention: { kind: 'count', n: 14 } });
  const b = h.task('b', [even.id], { retention: { kind: 'count', n: 2 } });
  await h.at(T0);
  // The tasks' runs alternate (whole domain both); a manual backup first.
  const manual = await h.backup.backup({ domain: h.uuids[0]!, trigger: 'manual' });
  await hourlyRuns(h, 8);
  const pointsOf = (taskId: string) =>
    h.catalog.listPoints().filter((x) => h.catalog.getChain(x.chainId)?.ownerTaskId === taskId);
  const madeBy = (taskId: string) =>
    h.db
      .listTaskRuns(taskId)
      .flatMap((r) => r.resources.map((x) => x.pointId))
      .filter((id): id is string => id !== undefined);
  const aMade = madeBy(a.id);
  t.true(aMade.length >= 3, 'task A ran several times');
  t.true(madeBy(b.id).length >= 3, 'task B ran several times');
  t.deepEqual(
    pointsOf(a.id)
      .map((x) => x.id)
      .sort(),
    [...aMade].sort(),
    "every point A made is still there: B's cleanups deleted none",
  );
  t.is(pointsOf(b.id).length, 2, 'B kept its 2 newest');
  t.truthy(h.catalog.getPoint(manual.id), 'the manual point stays');
  const aChains = new Set(pointsOf(a.id).map((x) => x.chainId));
  const bChains = new Set(pointsOf(b.id).map((x) => x.chainId));
  t.is(aChains.size, 1);
  t.false(
    [...aChains].some((c) => bChains.has(c) || c === manual.chainId),
    'no shared chain',
  );
  // A's chain goes on with incrementals although B and the manual backup made checkpoints.
  t.true(
    pointsOf(a.id)
      .slice(1)
      .every((x) => x.kind === 'incremental'),
  );
  for (const j of h.catalog.jobs.list({ type: 'cleanup' })) {
    const deleted = (j.result as { deleted?: string[] } | null)?.deleted ?? [];
    t.false(
      deleted.some((id) => aMade.includes(id) || id === manual.id),
      'no cleanup deleted a point of another owner',
    );
  }
});

test('dropFullKeepRest refuses a wrong shape; makeSyntheticFull checks its state rules', async (t) => {
  const h = await schedHarness();
  const uuid = h.uuids[0]!;
  const ps = [];
  for (let i = 0; i < 3; i++) ps.push(await h.backup.backup({ domain: uuid }));
  const [p0, p1, p2] = ps as [(typeof ps)[0], (typeof ps)[0], (typeof ps)[0]];
  await t.throwsAsync(h.del.dropFullKeepRest(p0.id, p2.id), { code: 'INVALID_ARGUMENT' } as never);
  await t.throwsAsync(h.del.dropFullKeepRest(p1.id, p2.id), { code: 'INVALID_ARGUMENT' } as never);
  const e = t.throws(() => h.catalog.makeSyntheticFull(p1.id));
  t.is((e as VirtpointError).code, 'INVALID_STATE', 'the full point before it is not being deleted');
  t.throws(() => h.catalog.makeSyntheticFull(p0.id), { message: /needs an available incremental/ });
  // A failed rebase leaves everything as it was but the old full, which is delete-failed.
  h.images.failRebase = new VirtpointError('COMMAND_FAILED', 'qemu-img rebase failed');
  await t.throwsAsync(h.del.dropFullKeepRest(p0.id, p1.id), { code: 'COMMAND_FAILED' } as never);
  t.is(h.catalog.getPoint(p0.id)?.state, 'delete-failed');
  t.is(h.catalog.getPoint(p1.id)?.kind, 'incremental');
  h.images.failRebase = null;
  const res = await h.del.dropFullKeepRest(p0.id, p1.id);
  t.deepEqual(res.deleted, [p0.id]);
  t.is(h.catalog.getPoint(p1.id)?.kind, 'full');
  t.is(h.catalog.getPoint(p1.id)?.newChainReason, 'no-chain');
  t.false(h.fs.files.has(h.file(p0)));
});

test('retention deletions are logged with the rule and task as reason, and the cleanup job, domain and name', async (t) => {
  const rec = recordingLogger();
  const h = await schedHarness({ log: jobScopedLogger(rec.log) }); // as daemon/compose.ts wires it
  const p = h.policy('hourly', h.hourly);
  h.task('keep1', [p.id], { chainLength: 1, retention: { kind: 'count', n: 1 } });
  await h.at(T0);
  await hourlyRuns(h, 2);
  const gone = rec.records.filter((r) => r.msg === 'point deleted');
  t.is(gone.length, 1);
  const cleanup = h.catalog.jobs
    .list({ type: 'cleanup' })
    .find((j) => j.result !== null && (j.result as { deleted: string[] }).deleted.length > 0);
  t.like(gone[0]!.obj, {
    job: cleanup?.id,
    domain: h.uuids[0],
    domainName: 'web',
    how: 'chain',
    reason: 'retention count:1 of task keep1 (delete-chain)',
  });
  t.is(typeof gone[0]!.obj.point, 'string');
  t.is(typeof gone[0]!.obj.chain, 'string');
});

test('a cleanup never looks at a pending chain of the task (its full point is being made)', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('keep1', [p.id], { retention: { kind: 'count', n: 1 } });
  await h.at(T0);
  await hourlyRuns(h, 1);
  const uuid = h.uuids[0]!;
  const pending = h.catalog.createChain({
    domainUuid: uuid,
    diskSet: ['vda'],
    owner: { taskId: task.id, name: task.name },
    pending: true,
  });
  h.catalog.createPoint({
    name: 'autobk_pending0000',
    domainUuid: uuid,
    chainId: pending.id,
    seq: 0,
    kind: 'full',
    trigger: 'schedule',
    newChainReason: 'requested',
    disks: [
      {
        target: 'vda',
        path: `${uuid}/${pending.id}/vda.0.qcow2`,
        virtualSize: 1 << 30,
        format: 'qcow2',
        checkpoint: null,
      },
    ],
  });
  const plan = h.retention.plan({
    taskId: task.id,
    taskName: task.name,
    retention: task.retention,
    resource: task.resources[0]!,
    mode: 'rule',
  });
  const pendingPoints = h.catalog.listPoints({ chainId: pending.id }).map((x) => x.id);
  t.is(pendingPoints.length, 1);
  t.false(
    plan.keptPointIds.some((id) => pendingPoints.includes(id)),
    'not an input of the plan',
  );
  t.deepEqual(plan.deferred, []);
  t.is(plan.keptPointIds.length, 1);
});
