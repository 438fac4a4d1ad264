import test from 'ava';

import { memoryCatalog, U1, U2 } from './_catalog.js';

test('job lifecycle: queued → running (progress) → succeeded with result', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const j = catalog.createJob({ type: 'backup', trigger: 'manual', domainUuid: U1 });
  t.deepEqual(j, {
    id: j.id,
    type: 'backup',
    state: 'queued',
    trigger: 'manual',
    domainUuid: U1,
    pointId: null,
    progress: { done: 0, total: null },
    error: null,
    result: null,
    createdAt: j.createdAt,
    startedAt: null,
    endedAt: null,
  });
  const r = catalog.startJob(j.id);
  t.is(r.state, 'running');
  t.true(r.startedAt! > j.createdAt);
  t.is(catalog.setJobPoint(j.id, 'abcdefabcdef').pointId, 'abcdefabcdef');
  t.deepEqual(catalog.updateJobProgress(j.id, { done: 10, total: 100 }).progress, { done: 10, total: 100 });
  t.deepEqual(catalog.updateJobProgress(j.id, { done: 60 }).progress, { done: 60, total: 100 });
  t.throws(() => catalog.updateJobProgress(j.id, { done: -1 }), { code: 'INVALID_ARGUMENT' });
  const done = catalog.finishJob(j.id, {
    state: 'succeeded',
    result: { pointId: 'abcdefabcdef', bytes: 100 },
  });
  t.like(done, { state: 'succeeded', error: null, result: { pointId: 'abcdefabcdef', bytes: 100 } });
  t.true(done.endedAt! > done.startedAt!);
  t.deepEqual(catalog.getJob(j.id), done);
});

test('job transitions are checked; ended jobs take no progress', (t) => {
  const { catalog } = memoryCatalog();
  const j = catalog.createJob({ type: 'cleanup', trigger: 'retention' });
  t.throws(() => catalog.finishJob(j.id, { state: 'succeeded' }), { code: 'INVALID_STATE' });
  t.deepEqual(catalog.getJob(j.id), j);
  const c = catalog.finishJob(j.id, { state: 'canceled' });
  t.is(c.state, 'canceled');
  t.throws(() => catalog.startJob(j.id), { code: 'INVALID_STATE' });
  t.throws(() => catalog.updateJobProgress(j.id, { done: 1 }), { code: 'INVALID_STATE' });
  t.throws(() => catalog.startJob('000000000000'), { code: 'JOB_NOT_FOUND' });
  t.is(catalog.getJob('000000000000'), null);
});

test('failed job keeps error code and message', (t) => {
  const { catalog } = memoryCatalog();
  const j = catalog.createJob({ type: 'restore', trigger: 'manual' });
  catalog.startJob(j.id);
  const f = catalog.finishJob(j.id, {
    state: 'failed',
    error: { code: 'NO_SPACE', message: 'need 10 GiB more' },
  });
  t.deepEqual(f.error, { code: 'NO_SPACE', message: 'need 10 GiB more' });
});

test('createJob with an unknown domain is DOMAIN_NOT_FOUND', (t) => {
  const { catalog } = memoryCatalog();
  t.throws(() => catalog.createJob({ type: 'backup', trigger: 'manual', domainUuid: U1 }), {
    code: 'DOMAIN_NOT_FOUND',
  });
});

test('listJobs filters: type, state, trigger, domain, point, time window, order, limit', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'a' }); // t=1000
  catalog.upsertDomain({ uuid: U2, name: 'b' }); // t=2000
  const j1 = catalog.createJob({ type: 'backup', trigger: 'schedule', domainUuid: U1 }); // 3000
  const j2 = catalog.createJob({ type: 'backup', trigger: 'manual', domainUuid: U2 }); // 4000
  const j3 = catalog.createJob({
    type: 'delete',
    trigger: 'retention',
    domainUuid: U1,
    pointId: 'aaaaaaaaaaaa',
  }); // 5000
  const j4 = catalog.createJob({ type: 'verify', trigger: 'manual' }); // 6000
  catalog.startJob(j2.id);
  catalog.startJob(j3.id);
  catalog.finishJob(j3.id, { state: 'failed', error: { code: 'IO_ERROR', message: 'x' } });
  const ids = (f: Parameters<typeof catalog.listJobs>[0]) => catalog.listJobs(f).map((j) => j.id);
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
  t.throws(() => catalog.listJobs({ limit: -1 }), { code: 'INVALID_ARGUMENT' });
});

test('deleteJob removes a finished job only; deleteJobs removes every failed one', (t) => {
  const c = memoryCatalog().catalog;
  const a = c.createJob({ type: 'backup', trigger: 'manual' });
  const b = c.createJob({ type: 'backup', trigger: 'manual' });
  const d = c.createJob({ type: 'backup', trigger: 'manual' });
  t.is(t.throws(() => c.deleteJob(a.id))?.message.includes('cancel it first'), true);
  c.finishJob(a.id, { state: 'failed', error: { code: 'JOB_FAILED', message: 'x' } });
  c.finishJob(b.id, { state: 'failed', error: { code: 'JOB_FAILED', message: 'y' } });
  c.startJob(d.id);
  c.finishJob(d.id, { state: 'succeeded' });
  c.deleteJob(d.id);
  t.is(c.getJob(d.id), null);
  t.is(c.deleteJobs('failed'), 2);
  t.deepEqual(c.listJobs(), []);
  t.throws(() => c.deleteJob('000000000000'), { message: /not in the catalog/ });
});
