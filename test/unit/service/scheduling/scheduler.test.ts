import test from 'ava';
import { Scheduler } from '../../../../src/service/scheduling/scheduler.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { HOUR, schedHarness, TZ } from './_sched.js';

const T0 = Date.UTC(2025, 2, 3, 23, 30); // 2025-03-04 00:30 Berlin (UTC+1)
const berlin = (day: number, h: number, m = 0) => Date.UTC(2025, 2, day, h - 1, m);

test('fires at the policy times across days, with automatic points; nothing in between', async (t) => {
  const h = await schedHarness();
  const p = h.policy('twice', { kind: 'every-days', n: 1, times: ['02:00', '14:00'] });
  const task = h.task('web', [p.id]);
  t.deepEqual((await h.at(T0)).runs, []);
  const r1 = await h.at(berlin(4, 2, 1));
  t.is(r1.runs.length, 1);
  t.is(r1.runs[0]!.scheduledFor, berlin(4, 2));
  t.deepEqual((await h.at(berlin(4, 13, 59))).runs, []);
  t.is((await h.at(berlin(4, 14))).runs.length, 1);
  t.is((await h.at(berlin(5, 2, 0))).runs.length, 1);
  const hist = h.db.listTaskRuns(task.id);
  t.deepEqual(
    hist.map((r) => [r.trigger, r.outcome, r.scheduledFor]),
    [
      ['schedule', 'succeeded', berlin(5, 2)],
      ['schedule', 'succeeded', berlin(4, 14)],
      ['schedule', 'succeeded', berlin(4, 2)],
    ],
  );
  t.is(h.db.getTaskById(task.id)?.runCount, 3);
  const points = h.catalog.listPoints();
  t.is(points.length, 3);
  t.true(points.every((x) => x.trigger === 'schedule' && x.name.startsWith('autobk_')));
  t.deepEqual(hist[0]!.resources[0]?.pointId, points[2]!.id);
  const jobs = h.catalog.jobs.list();
  t.deepEqual(
    jobs.map((j) => [j.type, j.trigger]),
    [
      ['backup', 'schedule'],
      ['cleanup', 'retention'],
      ['backup', 'schedule'],
      ['cleanup', 'retention'],
      ['backup', 'schedule'],
      ['cleanup', 'retention'], // the daily cleanup (00:00 on the 5th passed)
      ['cleanup', 'retention'],
    ],
  );
});

test('disabled tasks and policies fire nothing; enabling does not replay the time they were off', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], { enabled: false });
  await h.at(T0);
  t.deepEqual((await h.at(T0 + 3 * HOUR)).runs, []);
  h.db.updateTask(task.id, { enabled: true });
  h.db.updatePolicy(p.id, { enabled: false });
  t.deepEqual((await h.at(T0 + 4 * HOUR)).runs, []);
  h.db.updatePolicy(p.id, { enabled: true });
  const r = await h.at(T0 + 5 * HOUR);
  t.deepEqual(
    r.runs.map((x) => [x.outcome === 'running' ? 'ran' : x.outcome, x.scheduledFor]),
    [['ran', berlin(4, 5)]],
  );
});

test('a run whose domain has a job queued or running is skipped; partly busy → partial', async (t) => {
  const h = await schedHarness({ domains: ['web', 'db'] });
  const p = h.policy('hourly', h.hourly);
  const one = h.task('one', [p.id]);
  const two = h.task('two', [p.id], { domains: h.uuids });
  await h.at(T0);
  let release!: () => void;
  const blocker = new Promise<void>((r) => (release = r));
  h.catalog.upsertDomain({ uuid: h.uuids[0]!, name: 'web' });
  h.runner.submit({ type: 'backup', trigger: 'manual', domainUuid: h.uuids[0]! }, () => blocker);
  h.clock.now = T0 + HOUR;
  const r = h.scheduler.tick(T0 + HOUR);
  t.deepEqual(r.runs.map((x) => x.outcome).sort(), ['running', 'skipped']);
  release();
  await h.scheduler.idle();
  const skipped = h.db.listTaskRuns(one.id)[0]!;
  t.is(skipped.outcome, 'skipped');
  t.is(skipped.resources[0]?.outcome, 'skipped');
  t.is(skipped.startedAt, skipped.scheduledFor ?? -1);
  t.is(h.db.getTaskById(one.id)?.runCount, 0, 'a skipped run is not an execution');
  const partial = h.db.listTaskRuns(two.id)[0]!;
  t.is(partial.outcome, 'partial');
  t.deepEqual(
    partial.resources.map((x) => x.outcome),
    ['skipped', 'succeeded'],
  );
});

test('two policies firing at the same instant: the second run finds the domain busy and is skipped', async (t) => {
  const h = await schedHarness();
  const a = h.policy('a', { kind: 'weekly', days: ['tue'], times: ['02:00'] });
  const b = h.policy('b', { kind: 'every-days', n: 1, times: ['02:00'] });
  const task = h.task('web', [a.id, b.id]);
  await h.at(T0);
  await h.at(berlin(4, 2, 5));
  t.deepEqual(
    h.db
      .listTaskRuns(task.id)
      .map((r) => r.outcome)
      .sort(),
    ['skipped', 'succeeded'],
  );
});

test('at start: the newest missed run within the window is caught up, older ones are missed', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id]);
  await h.at(T0);
  // The daemon "restarts" 5 h 10 min later.
  const restart = (catchUpHours: number) =>
    new Scheduler({
      catalog: h.catalog,
      exec: h.exec,
      retention: h.retention,
      log: silentLogger,
      now: () => h.clock.now,
      timeZone: TZ,
      catchUpHours,
    });
  h.clock.now = T0 + 5 * HOUR + 10 * 60_000;
  const r = restart(6).tick();
  await h.scheduler.idle();
  t.deepEqual(
    r.runs.map((x) => [x.trigger, x.outcome === 'running' ? 'ran' : x.outcome, x.scheduledFor]),
    [
      ['schedule', 'missed', berlin(4, 1)],
      ['schedule', 'missed', berlin(4, 2)],
      ['schedule', 'missed', berlin(4, 3)],
      ['schedule', 'missed', berlin(4, 4)],
      ['catch-up', 'ran', berlin(4, 5)],
    ],
  );
  t.is(h.db.listTaskRuns(task.id, { limit: 1 })[0]?.outcome, 'succeeded');
  t.is(h.db.listSchedulerState({ taskId: task.id })[0]?.lastFiredAt, h.clock.now);
  // Down longer than the window: all missed, nothing runs.
  h.clock.now += 3 * HOUR + 30 * 60_000;
  const r2 = restart(0).tick();
  t.deepEqual(
    r2.runs.map((x) => x.outcome),
    ['missed', 'missed', 'missed', 'missed'],
  );
  t.is(h.db.getTaskById(task.id)?.runCount, 1);
});

test('history keeps the newest 100 executions per task', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], { retention: { kind: 'count', n: 2 } });
  await h.at(T0);
  for (let i = 1; i <= 103; i++) await h.at(T0 + i * HOUR);
  const runs = h.db.listTaskRuns(task.id, { limit: 1000 });
  t.is(runs.length, 100);
  t.is(h.db.getTaskById(task.id)?.runCount, 103);
  t.is(runs[0]!.scheduledFor, T0 + 103 * HOUR - 30 * 60_000);
  t.is(h.catalog.listPoints().length, 2);
});

test('notifications: sent after each execution, delivery results recorded on the run, failures kept', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], {
    receivers: [
      { kind: 'webhook', url: 'http://127.0.0.1:9/hook' },
      { kind: 'exec', path: '/bin/hook' },
    ],
  });
  h.setDeliver((r) =>
    r.kind === 'exec'
      ? {
          receiver: 'exec:/bin/hook',
          ok: false,
          attempts: 1,
          durationMs: 2,
          error: { code: 'COMMAND_FAILED', message: 'exit 3' },
        }
      : {
          receiver: 'webhook:http://127.0.0.1:9/hook',
          ok: true,
          attempts: 1,
          durationMs: 1,
          httpStatus: 204,
        },
  );
  await h.at(T0);
  await h.at(T0 + HOUR);
  t.is(h.sent.length, 1);
  const payload = h.sent[0]!.payload;
  t.is(payload.host, 'kvm1');
  t.is(payload.task.name, 'web');
  t.is(payload.run.outcome, 'succeeded');
  t.is(payload.run.trigger, 'schedule');
  t.regex(payload.run.startedAt, /\+01:00$/);
  t.is(payload.resources[0]?.outcome, 'succeeded');
  t.is(payload.resources[0]?.kind, 'full');
  t.false('jobId' in payload.resources[0]!);
  const run = h.db.listTaskRuns(task.id)[0]!;
  t.deepEqual(
    run.notifications.map((n) => [n.receiver, n.ok]),
    [
      ['webhook:http://127.0.0.1:9/hook', true],
      ['exec:/bin/hook', false],
    ],
  );
  // Skipped and missed runs are notified too.
  const restart = new Scheduler({
    catalog: h.catalog,
    exec: h.exec,
    retention: h.retention,
    log: silentLogger,
    now: () => h.clock.now,
    timeZone: TZ,
    catchUpHours: 0,
  });
  h.clock.now = T0 + 3 * HOUR + 5 * 60_000;
  restart.tick();
  await h.scheduler.idle();
  t.deepEqual(
    h.sent.slice(1).map((s) => s.payload.run.outcome),
    ['missed', 'missed'],
  );
});

test('task run: trigger manual, points backup_<id> in the task chain that retention neither counts nor deletes; a failed backup fails the run', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], { retention: { kind: 'count', n: 1 } });
  const run = await h.scheduler.runTask({ task, trigger: 'manual', policy: null, scheduledFor: null });
  t.is(run.outcome, 'running');
  await h.scheduler.idle();
  await h.scheduler.runTask({ task, trigger: 'manual', policy: null, scheduledFor: null });
  await h.scheduler.idle();
  const points = h.catalog.listPoints();
  t.is(points.length, 2, 'count:1 counts no manual-run point and deletes none');
  for (const x of points) {
    t.is(x.trigger, 'manual');
    t.regex(x.name, /^backup_[0-9a-f]{12}$/);
    t.is(h.catalog.getChain(x.chainId)?.ownerTaskId, task.id, 'in the task chain');
  }
  t.is(points[1]!.kind, 'incremental');
  // A scheduled run then: one automatic point, kept by count:1; the manual-run points stay.
  await h.at(T0);
  await h.at(T0 + HOUR);
  const after = h.catalog.listPoints();
  t.is(after.length, 3);
  t.regex(after[2]!.name, /^autobk_/);
  t.is(after[2]!.chainId, points[0]!.chainId);
  // Another scheduled point: count:1 drops the older automatic one (merged into the newer); the
  // manual-run points (the chain's full among them) stay, and so does the chain.
  await h.at(T0 + 2 * HOUR);
  const last = h.catalog.listPoints();
  t.deepEqual(
    last.map((x) => x.id).slice(0, 2),
    points.map((x) => x.id),
  );
  t.is(last.length, 3);
  t.not(last[2]!.id, after[2]!.id);
  t.is(h.catalog.getChain(points[0]!.chainId)?.state, 'open');
  t.deepEqual(
    h.db.listTaskRuns(task.id).map((r) => [r.trigger, r.outcome]),
    [
      ['schedule', 'succeeded'],
      ['schedule', 'succeeded'],
      ['manual', 'succeeded'],
      ['manual', 'succeeded'],
    ],
  );
  h.hv.jobOutcome = 'failed';
  await h.scheduler.runTask({ task, trigger: 'manual', policy: null, scheduledFor: null });
  await h.scheduler.idle();
  const failed = h.db.listTaskRuns(task.id)[0]!;
  t.is(failed.outcome, 'failed');
  t.truthy(failed.resources[0]?.error?.code);
});

test('daily cleanup at 00:00 local queues cleanup jobs (days:N)', async (t) => {
  const h = await schedHarness();
  const p = h.policy('weekly', { kind: 'weekly', days: ['tue'], times: ['02:00'] });
  const task = h.task('web', [p.id], { retention: { kind: 'days', n: 1 } });
  await h.at(T0);
  await h.at(berlin(4, 2, 1));
  t.is(h.catalog.listPoints().length, 1);
  t.is((await h.at(berlin(4, 23))).cleanups, 0);
  const r = await h.at(berlin(6, 0, 1));
  t.is(r.cleanups, 1);
  await h.runner.wait(h.catalog.jobs.list({ type: 'cleanup' }).at(-1)!.id);
  t.is(h.catalog.listPoints().length, 0, 'the point was more than a day old');
  t.is(h.db.getTaskById(task.id)?.runCount, 1);
});

test('daily cleanup prunes jobs that ended over job_retention_days ago; never a queued or running one', async (t) => {
  const h = await schedHarness();
  const DAY = 24 * HOUR;
  const jobs = h.catalog.jobs;
  const finished = (state: 'succeeded' | 'failed' | 'canceled') => {
    const j = jobs.create({ type: 'backup', trigger: 'manual' });
    jobs.start(j.id);
    jobs.finish(j.id, { state });
    return j.id;
  };
  h.clock.now = T0 - 100 * DAY;
  const queued = jobs.create({ type: 'backup', trigger: 'manual' }).id;
  const running = jobs.create({ type: 'cleanup', trigger: 'retention' }).id;
  jobs.start(running);
  finished('succeeded');
  finished('failed');
  finished('canceled');
  h.clock.now = T0 - 80 * DAY;
  const recent = finished('failed');
  const ids = () => jobs.list().map((j) => j.id);

  t.is((await h.at(T0)).prunedJobs, 0, 'only at a local midnight');
  t.is(ids().length, 6);
  t.is((await h.at(berlin(4, 12))).prunedJobs, 0);
  const r = await h.at(berlin(5, 0, 1));
  t.is(r.prunedJobs, 3);
  t.deepEqual(ids(), [queued, running, recent]);

  h.scheduler.jobRetentionDays = 0; // keep forever
  h.clock.now += 200 * DAY;
  const fresh = finished('succeeded');
  t.is((await h.at(h.clock.now + DAY)).prunedJobs, 0);
  h.scheduler.jobRetentionDays = 30;
  t.is(
    (await h.at(h.clock.now + DAY)).prunedJobs,
    1,
    'the one from 280 days ago, not the one from 2 days ago',
  );
  t.deepEqual(ids(), [queued, running, fresh]);
});

test('a tick writes its last-fired marks in one transaction (one commit, not one per task)', async (t) => {
  const h = await schedHarness();
  const p = h.policy('hourly', h.hourly);
  h.task('web', [p.id]);
  h.task('db', [p.id]);
  h.task('mail', [p.id]);
  let txs = 0;
  let inTx = false;
  const writesOutside: string[] = [];
  const catalog = {
    scheduling: new Proxy(h.catalog.scheduling, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'setLastFired')
          return (...args: unknown[]) => {
            if (!inTx) writesOutside.push(String(args[0]));
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        return typeof v === 'function' ? (v as () => unknown).bind(target) : v;
      },
    }),
    jobs: h.catalog.jobs,
    transaction: <T>(fn: () => T): T => {
      txs++;
      inTx = true;
      try {
        return h.catalog.transaction(fn);
      } finally {
        inTx = false;
      }
    },
  };
  const s = new Scheduler({
    catalog,
    exec: h.exec,
    retention: h.retention,
    log: silentLogger,
    now: () => h.clock.now,
    timeZone: TZ,
  });
  s.tick();
  t.is(txs, 1);
  t.deepEqual(writesOutside, []);
  t.is(h.db.listSchedulerState().length, 3);
  h.clock.now += 60_000;
  s.tick();
  t.is(txs, 2);
});
