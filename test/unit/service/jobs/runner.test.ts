import test from 'ava';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { JobRunner, type JobContext } from '../../../../src/service/jobs/runner.js';

const D1 = '11111111-1111-4111-8111-111111111111';
const D2 = '22222222-2222-4222-8222-222222222222';

function setup(concurrency = 2) {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  catalog.upsertDomain({ uuid: D1, name: 'a' });
  catalog.upsertDomain({ uuid: D2, name: 'b' });
  const runner = new JobRunner({ catalog, log: silentLogger, concurrency });
  return { catalog, runner };
}

/** A job that runs until released (or aborted). */
function gate() {
  let release!: (v?: unknown) => void;
  const started: JobContext[] = [];
  const done = new Promise((r) => (release = r));
  const work = async (ctx: JobContext) => {
    started.push(ctx);
    await Promise.race([
      done,
      new Promise((_, rej) =>
        ctx.signal.addEventListener('abort', () => rej(new VirtpointError('JOB_CANCELED', 'aborted'))),
      ),
    ]);
    return { ok: true };
  };
  return { work, started, release };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('jobs of one domain run one after the other; other domains run beside them', async (t) => {
  const { runner, catalog } = setup(2);
  const g1 = gate();
  const g2 = gate();
  const g3 = gate();
  const a = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D1 }, g1.work);
  const b = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D1 }, g2.work);
  const c = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D2 }, g3.work);
  await tick();
  t.is(catalog.jobs.get(a.id)?.state, 'running');
  t.is(catalog.jobs.get(b.id)?.state, 'queued', 'same domain waits');
  t.is(catalog.jobs.get(c.id)?.state, 'running', 'the waiting job holds no slot');
  t.deepEqual(runner.counts(), { queued: 1, running: 2 });
  g1.release();
  await runner.wait(a.id);
  await tick();
  t.is(catalog.jobs.get(b.id)?.state, 'running');
  g2.release();
  g3.release();
  const done = await runner.wait(b.id);
  t.is(done.state, 'succeeded');
  t.deepEqual(done.result, { ok: true });
});

test('progress and point are recorded and announced', async (t) => {
  const { runner, catalog } = setup();
  const seen: string[] = [];
  runner.onJob((j) => seen.push(`${j.state}:${j.progress.done}`));
  const job = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D1 }, async (ctx) => {
    ctx.progress({ done: 5, total: 10 });
    ctx.progress({ done: 10, total: 10 });
  });
  await runner.wait(job.id);
  t.deepEqual(seen, ['queued:0', 'running:0', 'running:5', 'running:10', 'succeeded:10']);
  t.deepEqual(catalog.jobs.get(job.id)?.progress, { done: 10, total: 10 });
});

test('a failing job ends failed with the coded error', async (t) => {
  const { runner } = setup();
  const job = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D1 }, async () => {
    throw new VirtpointError('NO_SPACE', 'store full');
  });
  const done = await runner.wait(job.id);
  t.is(done.state, 'failed');
  t.deepEqual(done.error, { code: 'NO_SPACE', message: 'store full' });
});

test('cancel: a queued job at once, a running one through its signal; a final one is refused', async (t) => {
  const { runner } = setup(1);
  const g1 = gate();
  const g2 = gate();
  const a = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D1 }, g1.work);
  const b = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D2 }, g2.work);
  await tick();
  t.is(runner.cancel(b.id).state, 'canceled');
  runner.cancel(a.id);
  const ended = await runner.wait(a.id);
  t.is(ended.state, 'canceled');
  t.is(ended.error?.code, 'JOB_CANCELED');
  t.is(g2.started.length, 0, 'the canceled queued job never ran');
  t.throws(() => runner.cancel(a.id), { message: /already ended/ });
  t.throws(() => runner.cancel('000000000000'), { message: /no job/ });
});

test('shutdown: no new jobs, queued ones canceled, running ones aborted after the grace time', async (t) => {
  const { runner, catalog } = setup(1);
  const g1 = gate();
  const a = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D1 }, g1.work);
  const b = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D2 }, async () => undefined);
  await tick();
  await runner.shutdown(50);
  t.is(catalog.jobs.get(a.id)?.state, 'canceled');
  t.is(catalog.jobs.get(a.id)?.error?.code, 'SHUTTING_DOWN');
  t.is(catalog.jobs.get(b.id)?.state, 'canceled');
  const err = t.throws(() => runner.submit({ type: 'backup', trigger: 'manual' }, async () => undefined));
  t.is((err as VirtpointError).code, 'SHUTTING_DOWN');
});

test('a yielding job gives way: a running one is canceled when a job of its domain comes, a queued one at once', async (t) => {
  const { runner, catalog } = setup(2);
  const bg = gate();
  const verify = runner.submit({ type: 'verify', trigger: 'schedule', domainUuid: D1 }, bg.work, {
    yields: true,
  });
  while (bg.started.length === 0) await tick();
  const other = gate();
  const besides = runner.submit({ type: 'verify', trigger: 'schedule', domainUuid: D2 }, other.work, {
    yields: true,
  });
  const fg = gate();
  const backup = runner.submit({ type: 'backup', trigger: 'schedule', domainUuid: D1 }, fg.work);
  const ended = await runner.wait(verify.id);
  t.is(ended.state, 'canceled');
  t.is(ended.error?.code, 'JOB_CANCELED');
  t.regex(ended.error?.message ?? '', new RegExp(`gave way to backup job ${backup.id}`));
  while (fg.started.length === 0) await tick();
  t.is(catalog.jobs.get(backup.id)?.state, 'running', 'the backup runs at once');
  t.is(catalog.jobs.get(besides.id)?.state, 'running', "another domain's background job goes on");
  // queued behind the backup, a yielding job is canceled when yet another job comes
  const bg2 = gate();
  const queued = runner.submit({ type: 'verify', trigger: 'schedule', domainUuid: D1 }, bg2.work, {
    yields: true,
  });
  t.is(catalog.jobs.get(queued.id)?.state, 'queued');
  const del = gate();
  const second = runner.submit({ type: 'delete', trigger: 'manual', domainUuid: D1 }, del.work);
  t.like(catalog.jobs.get(queued.id), { state: 'canceled' });
  fg.release();
  await runner.wait(backup.id);
  while (del.started.length === 0) await tick();
  del.release();
  other.release();
  t.is((await runner.wait(second.id)).state, 'succeeded');
  t.is((await runner.wait(besides.id)).state, 'succeeded');
  t.is(bg2.started.length, 0, 'the canceled queued job never ran');
  // a job that does not yield is never canceled by another
  const plain = gate();
  const a = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: D2 }, plain.work);
  while (plain.started.length === 0) await tick();
  const b = gate();
  const next = runner.submit({ type: 'delete', trigger: 'manual', domainUuid: D2 }, b.work);
  await tick();
  t.is(catalog.jobs.get(a.id)?.state, 'running');
  plain.release();
  while (b.started.length === 0) await tick();
  b.release();
  t.is((await runner.wait(next.id)).state, 'succeeded');
});

test('yielding jobs of a domain do not cancel each other: the second queues behind the first', async (t) => {
  const { runner, catalog } = setup(2);
  const first = gate();
  const a = runner.submit({ type: 'copy', trigger: 'schedule', domainUuid: D1 }, first.work, {
    yields: true,
  });
  while (first.started.length === 0) await tick();
  const second = gate();
  const b = runner.submit({ type: 'verify', trigger: 'schedule', domainUuid: D1 }, second.work, {
    yields: true,
  });
  await tick();
  t.is(catalog.jobs.get(a.id)?.state, 'running');
  t.is(catalog.jobs.get(b.id)?.state, 'queued');
  first.release();
  t.is((await runner.wait(a.id)).state, 'succeeded');
  while (second.started.length === 0) await tick();
  second.release();
  t.is((await runner.wait(b.id)).state, 'succeeded');
});

test('busy: a queued or running job makes its domain busy; a yielding one does not', async (t) => {
  const { runner } = setup(2);
  const bg = gate();
  const v = runner.submit({ type: 'verify', trigger: 'schedule', domainUuid: D1 }, bg.work, { yields: true });
  while (bg.started.length === 0) await tick();
  t.false(runner.busy(D1), 'only a yielding job runs');
  const fg = gate();
  const b = runner.submit({ type: 'backup', trigger: 'schedule', domainUuid: D1 }, fg.work);
  t.true(runner.busy(D1));
  t.is((await runner.wait(v.id)).state, 'canceled');
  while (fg.started.length === 0) await tick();
  t.true(runner.busy(D1));
  fg.release();
  await runner.wait(b.id);
  t.false(runner.busy(D1));
});
