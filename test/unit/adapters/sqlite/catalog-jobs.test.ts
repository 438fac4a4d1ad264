import test from 'ava';

import { memoryCatalog, U1, U2 } from './_catalog.js';

test('job lifecycle: queued → running (progress) → succeeded with result', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const j = catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: U1 });
  t.deepEqual(j, {
    id: j.id,
    type: 'backup',
    state: 'queued',
    trigger: 'manual',
    domainUuid: U1,
    domainName: 'web',
    pointId: null,
    progress: { done: 0, total: null },
    error: null,
    result: null,
    createdAt: j.createdAt,
    startedAt: null,
    endedAt: null,
  });
  const r = catalog.jobs.start(j.id);
  t.is(r.state, 'running');
  t.true(r.startedAt! > j.createdAt);
  t.is(catalog.jobs.setPoint(j.id, 'abcdefabcdef').pointId, 'abcdefabcdef');
  t.deepEqual(catalog.jobs.progress(j.id, { done: 10, total: 100 }).progress, { done: 10, total: 100 });
  t.deepEqual(catalog.jobs.progress(j.id, { done: 60 }).progress, { done: 60, total: 100 });
  t.throws(() => catalog.jobs.progress(j.id, { done: -1 }), { code: 'INVALID_ARGUMENT' });
  const done = catalog.jobs.finish(j.id, {
    state: 'succeeded',
    result: { pointId: 'abcdefabcdef', bytes: 100 },
  });
  t.like(done, { state: 'succeeded', error: null, result: { pointId: 'abcdefabcdef', bytes: 100 } });
  t.true(done.endedAt! > done.startedAt!);
  t.deepEqual(catalog.jobs.get(j.id), done);
});

test('job transitions are checked; ended jobs take no progress', (t) => {
  const { catalog } = memoryCatalog();
  const j = catalog.jobs.create({ type: 'cleanup', trigger: 'retention' });
  t.throws(() => catalog.jobs.finish(j.id, { state: 'succeeded' }), { code: 'INVALID_STATE' });
  t.deepEqual(catalog.jobs.get(j.id), j);
  const c = catalog.jobs.finish(j.id, { state: 'canceled' });
  t.is(c.state, 'canceled');
  t.throws(() => catalog.jobs.start(j.id), { code: 'INVALID_STATE' });
  t.throws(() => catalog.jobs.progress(j.id, { done: 1 }), { code: 'INVALID_STATE' });
  t.throws(() => catalog.jobs.start('000000000000'), { code: 'JOB_NOT_FOUND' });
  t.is(catalog.jobs.get('000000000000'), null);
});

test('failed job keeps error code and message', (t) => {
  const { catalog } = memoryCatalog();
  const j = catalog.jobs.create({ type: 'rollback', trigger: 'manual' });
  catalog.jobs.start(j.id);
  const f = catalog.jobs.finish(j.id, {
    state: 'failed',
    error: { code: 'NO_SPACE', message: 'need 10 GiB more' },
  });
  t.deepEqual(f.error, { code: 'NO_SPACE', message: 'need 10 GiB more' });
});

test('createJob with an unknown domain is DOMAIN_NOT_FOUND', (t) => {
  const { catalog } = memoryCatalog();
  t.throws(() => catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: U1 }), {
    code: 'DOMAIN_NOT_FOUND',
  });
});

test('listJobs filters: type, state, trigger, domain, point, time window, order, limit', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'a' }); // t=1000
  catalog.upsertDomain({ uuid: U2, name: 'b' }); // t=2000
  const j1 = catalog.jobs.create({ type: 'backup', trigger: 'schedule', domainUuid: U1 }); // 3000
  const j2 = catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: U2 }); // 4000
  const j3 = catalog.jobs.create({
    type: 'delete',
    trigger: 'retention',
    domainUuid: U1,
    pointId: 'aaaaaaaaaaaa',
  }); // 5000
  const j4 = catalog.jobs.create({ type: 'verify', trigger: 'manual' }); // 6000
  catalog.jobs.start(j2.id);
  catalog.jobs.start(j3.id);
  catalog.jobs.finish(j3.id, { state: 'failed', error: { code: 'IO_ERROR', message: 'x' } });
  const ids = (f: Parameters<typeof catalog.jobs.list>[0]) => catalog.jobs.list(f).map((j) => j.id);
  t.deepEqual(ids({}), [j1.id, j2.id, j3.id, j4.id]);
  t.deepEqual(ids({ type: 'backup' }), [j1.id, j2.id]);
  t.deepEqual(ids({ type: ['delete', 'verify'] }), [j3.id, j4.id]);
  t.deepEqual(ids({ state: 'queued' }), [j1.id, j4.id]);
  t.deepEqual(ids({ state: ['running', 'failed'] }), [j2.id, j3.id]);
  t.deepEqual(ids({ trigger: 'manual' }), [j2.id, j4.id]);
  t.deepEqual(ids({ domainUuid: U1 }), [j1.id, j3.id]);
  t.deepEqual(ids({ pointId: 'aaaaaaaaaaaa' }), [j3.id]);
  t.deepEqual(ids({ since: 4000, until: 6000 }), [j2.id, j3.id]);
  t.deepEqual(ids({ newestFirst: true, limit: 2 }), [j4.id, j3.id]);
  t.deepEqual(ids({ domainUuid: U1, type: 'backup', state: 'queued', trigger: 'schedule' }), [j1.id]);
  t.throws(() => catalog.jobs.list({ limit: -1 }), { code: 'INVALID_ARGUMENT' });
});

test('deleteJob removes a finished job only; deleteJobs removes every failed one', (t) => {
  const c = memoryCatalog().catalog;
  const a = c.jobs.create({ type: 'backup', trigger: 'manual' });
  const b = c.jobs.create({ type: 'backup', trigger: 'manual' });
  const d = c.jobs.create({ type: 'backup', trigger: 'manual' });
  t.is(t.throws(() => c.jobs.delete(a.id))?.message.includes('cancel it first'), true);
  c.jobs.finish(a.id, { state: 'failed', error: { code: 'JOB_FAILED', message: 'x' } });
  c.jobs.finish(b.id, { state: 'failed', error: { code: 'JOB_FAILED', message: 'y' } });
  c.jobs.start(d.id);
  c.jobs.finish(d.id, { state: 'succeeded' });
  c.jobs.delete(d.id);
  t.is(c.jobs.get(d.id), null);
  t.is(c.jobs.deleteFinished({ state: 'failed' }), 2);
  t.deepEqual(c.jobs.list(), []);
  t.throws(() => c.jobs.delete('000000000000'), { message: /not in the catalog/ });
});

test('deleteFinished by state and by end time: never a queued or running job', (t) => {
  const { catalog: c, clock } = memoryCatalog();
  const make = (end: 'succeeded' | 'failed' | 'canceled' | 'running' | 'queued', at: number) => {
    clock.t = at;
    const j = c.jobs.create({ type: 'backup', trigger: 'schedule' });
    if (end === 'queued') return j.id;
    c.jobs.start(j.id);
    if (end !== 'running') c.jobs.finish(j.id, { state: end }); // ends at `at` + 3000
    return j.id;
  };
  const oldOk = make('succeeded', 10_000);
  const oldCanceled = make('canceled', 20_000);
  const oldQueued = make('queued', 30_000);
  const oldRunning = make('running', 40_000);
  const newFailed = make('failed', 100_000);
  const newCanceled = make('canceled', 110_000);
  const left = () => c.jobs.list().map((j) => j.id);

  t.is(c.jobs.deleteFinished({ state: 'canceled', endedBefore: 50_000 }), 1);
  t.deepEqual(left(), [oldOk, oldQueued, oldRunning, newFailed, newCanceled]);
  t.is(c.jobs.deleteFinished({ endedBefore: 1_000_000 }), 3, 'every finished job, whatever its state');
  t.deepEqual(left(), [oldQueued, oldRunning]);
  t.is(c.jobs.deleteFinished({}), 0);
  t.deepEqual(left(), [oldQueued, oldRunning]);
  void oldCanceled;
});

test('a job carries its domain name from the catalog; a job without a domain has none', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const j = catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: U1 });
  const free = catalog.jobs.create({ type: 'cleanup', trigger: 'manual' });
  t.is(catalog.jobs.get(j.id)?.domainName, 'web');
  t.is(catalog.jobs.get(free.id)?.domainName, null);
  catalog.upsertDomain({ uuid: U1, name: 'web-renamed' });
  t.deepEqual(
    catalog.jobs.list({ domainUuid: U1 }).map((x) => x.domainName),
    ['web-renamed'],
  );
});
