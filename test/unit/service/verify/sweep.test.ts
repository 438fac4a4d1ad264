import test from 'ava';

import { silentLogger } from '../../../../src/ports/logger.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { VerifySweep } from '../../../../src/service/verify/sweep.js';
import { setup, U } from './_verify.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T12:00:00Z');

function sweepOf(s: ReturnType<typeof setup>, settings = { at: '03:00', maxAgeDays: 7, budgetMinutes: 60 }) {
  const runner = new JobRunner({ catalog: s.catalog, log: silentLogger });
  const sweep = new VerifySweep(
    { catalog: s.catalog, runner, verify: s.verify, log: silentLogger, timeZone: 'UTC' },
    settings,
  );
  return { runner, sweep };
}

test('a sweep verifies the due points, never-verified first, as yielding verify jobs', async (t) => {
  const s = setup(3);
  const { sweep, runner } = sweepOf(s);
  const report = await sweep.sweep(Date.now());
  t.deepEqual(report, { verified: 3, failed: 0, skipped: 0, left: 0 });
  for (const p of s.points) t.is(s.catalog.getPoint(p.id)?.verify.state, 'ok');
  const jobs = s.catalog.jobs.list({ type: 'verify' });
  t.is(jobs.length, 3);
  t.true(jobs.every((j) => j.trigger === 'schedule' && j.state === 'succeeded'));
  // verified just now: nothing is due again within max age
  t.deepEqual(await sweep.sweep(Date.now()), { verified: 0, failed: 0, skipped: 0, left: 0 });
  // a week later they are due again
  t.is((await sweep.sweep(Date.now() + 8 * DAY)).verified, 3);
  t.is(runner.counts().running, 0);
});

test('a sweep finds a damaged point, skips a busy domain and stops at its budget', async (t) => {
  const s = setup(3);
  s.fs.files.get(s.file(1, 'vda'))!.data = 'bit rot';
  const { sweep } = sweepOf(s);
  const r = await sweep.sweep(Date.now());
  // p0 ok; p1 fails (p1, p2 corrupt); p2 is no longer available when its turn comes
  t.deepEqual(r, { verified: 1, failed: 1, skipped: 1, left: 0 });
  t.is(s.catalog.getPoint(s.points[2]!.id)?.state, 'corrupt');

  const s2 = setup(2);
  const busy = sweepOf(s2);
  let release!: () => void;
  const blocker = busy.runner.submit(
    { type: 'backup', trigger: 'manual', domainUuid: U },
    () => new Promise<void>((r2) => (release = r2)),
  );
  t.deepEqual(await busy.sweep.sweep(Date.now()), { verified: 0, failed: 0, skipped: 2, left: 0 });
  while (s2.catalog.jobs.get(blocker.id)?.state !== 'running') await new Promise((r2) => setTimeout(r2, 1));
  release();
  await busy.runner.wait(blocker.id);

  const s3 = setup(3);
  let clock = 0;
  const tight = sweepOf(s3, { at: '03:00', maxAgeDays: 7, budgetMinutes: 1 });
  const report = await tight.sweep.sweep(Date.now(), () => (clock += 40_000));
  t.deepEqual(report, { verified: 1, failed: 0, skipped: 0, left: 2 }, 'the budget ran out after the first');
});

test('tick: a sweep starts when the verify time passes (local time), once; off never', async (t) => {
  const s = setup(1);
  const { sweep } = sweepOf(s);
  sweep.tick(T0); // 12:00: the first tick only remembers the time
  sweep.tick(T0 + 10 * 3_600_000); // 22:00
  await sweep.idle();
  t.is(s.catalog.jobs.list({ type: 'verify' }).length, 0);
  sweep.tick(T0 + 15.5 * 3_600_000); // 03:30 the next day
  await sweep.idle();
  t.is(s.catalog.jobs.list({ type: 'verify' }).length, 1);
  sweep.tick(T0 + 16 * 3_600_000);
  await sweep.idle();
  t.is(s.catalog.jobs.list({ type: 'verify' }).length, 1, 'once a day');
  sweep.settings = { at: null, maxAgeDays: 7, budgetMinutes: 60 };
  sweep.tick(T0 + 40 * 3_600_000);
  await sweep.idle();
  t.is(s.catalog.jobs.list({ type: 'verify' }).length, 1, 'off');
});
