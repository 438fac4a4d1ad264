import test from 'ava';

import { VirtpointError } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import type { Copy } from '../../../../src/ports/copies-catalog.js';
import { AutoCopies } from '../../../../src/service/copies/auto-copy.js';
import { copiesSetup } from './_copies.js';

const tick = () => new Promise((r) => setImmediate(r));

/** Timers that fire only when told: each entry is one pending timeout. */
function manualTimers() {
  const due: { fn: () => void; ms: number; live: boolean }[] = [];
  return {
    due,
    setTimeout: (fn: () => void, ms: number) => {
      const h = { fn, ms, live: true };
      due.push(h);
      return h;
    },
    clearTimeout: (h: unknown) => {
      (h as { live: boolean }).live = false;
    },
    /** Fires every live timer, returns the delays they had. */
    fire(): number[] {
      const now = due.splice(0).filter((h) => h.live);
      for (const h of now) h.fn();
      return now.map((h) => h.ms);
    },
  };
}

async function setup() {
  const r = await copiesSetup();
  const timers = manualTimers();
  let now = 1_000_000;
  const givenUp: Copy[] = [];
  const auto = new AutoCopies({
    catalog: r.catalog,
    runner: r.runner,
    jobs: r.jobs,
    log: silentLogger,
    now: () => now,
    timers,
    delays: [60_000, 300_000],
    onGiveUp: (c) => givenUp.push(c),
  });
  const off = r.catalog.copies.requireTarget('off');
  const copyOf = (pointId: string) => r.catalog.copies.listCopies({ pointId, targetId: off.id })[0];
  return { ...r, auto, timers, off, copyOf, givenUp, advance: (ms: number) => (now += ms) };
}

test('after: one yielding copy job per target, recorded queued; the point and its ancestors copied', async (t) => {
  const r = await setup();
  const p = r.points[2]!;
  const kept = r.catalog.copies.requireTarget('kept');
  const queued = await r.auto.after(p.id, [r.off.id, kept.id]);
  t.is(queued.length, 2);
  t.like(queued[0], { target: 'off', state: 'queued' });
  t.like(queued[1], { target: 'kept', state: 'queued' });
  const job = r.catalog.jobs.get(queued[0]!.jobId!);
  t.like(job, { type: 'copy', trigger: 'schedule', pointId: p.id });
  t.false(r.runner.busy(p.domainUuid), 'a yielding copy does not make the domain busy');
  t.like(
    r.copyOf(p.id),
    { state: 'copying', jobId: queued[0]!.jobId },
    'copying from the moment it is queued',
  );
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'copied', attempts: 0, retryAt: null });
  for (const a of r.points)
    t.is(r.catalog.copies.listCopies({ pointId: a.id, targetId: r.off.id })[0]?.state, 'copied');
});

test('a failed copy is retried after each backoff delay, then given up and reported; a success resets the count', async (t) => {
  const r = await setup();
  const p = r.points[0]!;
  r.store.failOn = () => {
    throw new VirtpointError('TARGET_UNREACHABLE', 'nas: connection refused');
  };
  await r.auto.after(p.id, [r.off.id]);
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'failed', attempts: 1, retryAt: 1_000_000 + 60_000 });
  t.is(r.copyOf(p.id)?.error?.code, 'TARGET_UNREACHABLE');
  t.deepEqual(r.timers.fire(), [60_000], 'the first retry after the first delay');
  await tick();
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'failed', attempts: 2, retryAt: 1_000_000 + 300_000 });
  t.deepEqual(r.timers.fire(), [300_000]);
  await tick();
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'failed', attempts: 3, retryAt: null });
  t.is(r.givenUp.length, 1, 'given up after 1 + 2 retries, and reported');
  t.deepEqual(r.timers.fire(), [], 'no retry after the last');
  // a later success (a copy by hand) resets the count
  r.store.failOn = null;
  await r.runner.wait((await r.jobs.copyPoint(p.id, 'off')).id);
  t.like(r.copyOf(p.id), { state: 'copied', attempts: 0, retryAt: null });
});

test('a retry that succeeds ends the retries; the copy is complete on the target', async (t) => {
  const r = await setup();
  const p = r.points[0]!;
  let fail = true;
  r.store.failOn = (call) => {
    if (fail && call.startsWith('put')) throw new VirtpointError('TARGET_ERROR', 'slow down');
  };
  await r.auto.after(p.id, [r.off.id]);
  await r.auto.idle();
  t.is(r.copyOf(p.id)?.attempts, 1);
  fail = false;
  r.timers.fire();
  await tick();
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'copied', attempts: 0, retryAt: null });
  t.deepEqual(r.timers.fire(), []);
  t.true(
    [...r.store.objects.keys()].some((k) => k.endsWith('.json')),
    'its manifest is there',
  );
});

test('a copy that gives way to another job of the domain is queued again at once, not counted', async (t) => {
  const r = await setup();
  const p = r.points[1]!;
  let release!: () => void;
  const held = new Promise<void>((res) => (release = res));
  const backup = r.runner.submit({ type: 'backup', trigger: 'manual', domainUuid: p.domainUuid }, () => held);
  const [q] = await r.auto.after(p.id, [r.off.id]);
  t.is(r.catalog.jobs.get(q!.jobId!)?.state, 'queued', 'behind the running backup');
  const second = r.runner.submit(
    { type: 'delete', trigger: 'manual', domainUuid: p.domainUuid },
    async () => null,
  );
  const gaveWay = await r.runner.wait(q!.jobId!);
  t.is(gaveWay.state, 'canceled');
  t.regex(gaveWay.error?.message ?? '', /gave way to delete job/);
  release();
  await r.runner.wait(backup.id);
  await r.runner.wait(second.id);
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'copied', attempts: 0 });
  t.deepEqual(r.timers.fire(), [], 'no backoff for a copy that gave way');
  const copyJobs = r.catalog.jobs.list({}).filter((j) => j.type === 'copy');
  t.is(copyJobs.length, 2, 'the canceled one and the one queued again');
});

test('canceled by hand: not retried; a deleted point ends its retries; start picks up the retries the catalog has', async (t) => {
  const r = await setup();
  const [a, b] = [r.points[0]!, r.points[1]!];
  let release!: () => void;
  const held = new Promise<void>((res) => (release = res));
  const backup = r.runner.submit({ type: 'backup', trigger: 'manual', domainUuid: a.domainUuid }, () => held);
  const [q] = await r.auto.after(a.id, [r.off.id]);
  r.runner.cancel(q!.jobId!);
  release();
  await r.runner.wait(backup.id);
  await r.auto.idle();
  t.like(r.copyOf(a.id), { state: 'failed', retryAt: null, error: { code: 'JOB_CANCELED' } }, 'not retried');
  t.deepEqual(r.timers.fire(), []);

  // a retry whose point is gone when it is due does nothing
  r.catalog.copies.setCopy(b.id, r.off.id, {
    state: 'failed',
    error: { code: 'TARGET_ERROR', message: 'x' },
    attempts: 1,
    retryAt: 500,
  });
  const fresh = new AutoCopies({
    catalog: r.catalog,
    runner: r.runner,
    jobs: r.jobs,
    log: silentLogger,
    now: () => 1_000_000,
    timers: r.timers,
  });
  fresh.start();
  t.deepEqual(
    r.timers.due.map((d) => d.ms),
    [0],
    'a retry already due runs at once',
  );
  r.timers.fire();
  await tick();
  await fresh.idle();
  t.like(r.copyOf(b.id), { state: 'copied', attempts: 0, retryAt: null });
  r.catalog.copies.setCopy(a.id, r.off.id, {
    state: 'failed',
    error: { code: 'TARGET_ERROR', message: 'x' },
    attempts: 1,
    retryAt: 2_000_000,
  });
  fresh.start();
  t.deepEqual(
    r.timers.due.map((d) => d.ms),
    [1_000_000],
  );
  r.catalog.deletePoint(a.id);
  r.timers.fire();
  await tick();
  await fresh.idle();
  t.is(
    r.catalog.jobs.list({}).filter((j) => j.type === 'copy' && j.pointId === a.id).length,
    1,
    'no new job',
  );
  fresh.stop();
});

test('a copy a killed daemon left copying (even one whose job never started) is handed back by resume and completes', async (t) => {
  const r = await setup();
  const p = r.points[1]!;
  // what a killed daemon leaves: the task's copy job (reconcile failed it) and the row copying
  const dead = r.catalog.jobs.create({
    type: 'copy',
    trigger: 'schedule',
    domainUuid: p.domainUuid,
    pointId: p.id,
  });
  r.catalog.jobs.finish(dead.id, { state: 'failed', error: { code: 'INTERNAL', message: 'daemon died' } });
  r.catalog.copies.setCopy(p.id, r.off.id, { state: 'copying', jobId: dead.id });
  const handed: string[] = [];
  await r.jobs.resume((pointId) => handed.push(pointId));
  t.deepEqual(handed, [p.id], "a task's copy goes back to the task copies, not to a plain copy job");
  t.is(r.catalog.jobs.list({}).filter((j) => j.type === 'copy').length, 1, 'resume queued no job of its own');
  r.auto.resumeNow(p.id, r.off.id);
  await tick();
  await r.auto.idle();
  t.like(r.copyOf(p.id), { state: 'copied', attempts: 0 });
});
