import test from 'ava';

import { HOUR, schedHarness } from './_sched.js';

/** A task copying to two targets (and verifying, for the corrupt case), run by schedule. */
async function setup(o: { verifyAfter?: boolean; copyTo?: string[] } = {}) {
  const h = await schedHarness();
  const ids = ['t1', 't2'].map(
    (name) =>
      h.catalog.copies.addTarget({
        name,
        config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: `/srv/${name}` },
        keyId: null,
        bwlimit: null,
        retention: 'forever',
      }).id,
  );
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], {
    receivers: [{ kind: 'journal' }],
    verifyAfter: o.verifyAfter ?? false,
    copyTo: o.copyTo ?? ids,
  });
  const runOnce = async () => {
    h.clock.now += HOUR;
    const run = await h.scheduler.runTask({ task, trigger: 'schedule', policy: null, scheduledFor: null });
    await h.scheduler.idle();
    await h.exec.idle();
    return h.db.getTaskRun(run.id)!;
  };
  return { h, ids, task, runOnce };
}

test('copy-to: each new point is handed to the copies with the task targets in order; the run records them', async (t) => {
  const { h, ids, task, runOnce } = await setup();
  t.deepEqual(
    task.copyTo.map((g) => g.name),
    ['t1', 't2'],
  );
  const run = await runOnce();
  t.is(run.outcome, 'succeeded');
  const r = run.resources[0]!;
  t.deepEqual(h.copied, [{ pointId: r.pointId!, targetIds: ids }]);
  t.deepEqual(
    r.copies?.map((c) => [c.target, c.state]),
    [
      [`name-of-${ids[0]}`, 'queued'],
      [`name-of-${ids[1]}`, 'queued'],
    ],
  );
  t.deepEqual(h.sent.at(-1)?.payload.resources[0]?.copies, r.copies, 'in the notification too');
});

test('without copy targets nothing is copied and the run has no copies field', async (t) => {
  const { h, runOnce } = await setup({ copyTo: [] });
  const run = await runOnce();
  t.is(run.outcome, 'succeeded');
  t.deepEqual(h.copied, []);
  t.false('copies' in run.resources[0]!);
});

test('a new point that fails its verify is not copied', async (t) => {
  const { h, runOnce } = await setup({ verifyAfter: true });
  h.images.checkError = () => 'ERROR cluster 5 refcount=0 reference=1';
  const run = await runOnce();
  t.is(run.resources[0]?.error?.code, 'POINT_CORRUPT');
  t.deepEqual(h.copied, []);
});

test('a target a task copies to cannot be removed (IN_USE naming the task); an update to no targets frees it', (t) => {
  return setup().then(({ h, ids, task }) => {
    const err = t.throws(() => h.catalog.copies.removeTarget(ids[0]!));
    t.like(err, { code: 'IN_USE' });
    t.regex(
      err!.message,
      /task web copies its points to target t1: 'virtpoint task update web --no-copy-to'/,
    );
    const updated = h.db.updateTask(task.id, { copyTo: [ids[1]!] });
    t.deepEqual(
      updated.copyTo.map((g) => g.name),
      ['t2'],
    );
    h.catalog.copies.removeTarget(ids[0]!);
    t.is(h.catalog.copies.getTarget('t1'), null);
    t.like(
      t.throws(() => h.db.updateTask(task.id, { copyTo: ['nope12345678'] })),
      { code: 'TARGET_NOT_FOUND' },
    );
    t.deepEqual(
      h.db.getTask('web')?.copyTo.map((g) => g.name),
      ['t2'],
      'a failed update changes nothing',
    );
  });
});
