import test from 'ava';

import { VirtpointError } from '../../../../src/core/errors.js';
import { copiesSetup as setup } from './_copies.js';

test('copy job: type copy on the point, its result per point; a chain job copies every point', async (t) => {
  const r = await setup();
  const p = r.points[1]!;
  const view = await r.jobs.copyPoint(p.id, 'off');
  t.like(view, { type: 'copy', pointId: p.id, domain: p.domainUuid });
  const done = await r.runner.wait(view.id);
  t.is(done.state, 'succeeded');
  t.deepEqual(
    (done.result as { points: { pointId: string }[] }).points.map((x) => x.pointId),
    [r.points[0]!.id, p.id],
  );
  const chain = await r.runner.wait((await r.jobs.copyChain(p.chainId, 'off')).id);
  t.is((chain.result as { points: unknown[] }).points.length, 3);
  await t.throwsAsync(() => r.jobs.copyPoint('nope', 'off'), { message: /no point/ });
  await t.throwsAsync(() => r.jobs.copyPoint(p.id, 'other'), { message: /no target other/ });
});

test('resume at start: unknown uploads under this host are aborted (others stay), an interrupted copy is queued again and continues its upload', async (t) => {
  const r = await setup();
  const full = r.points[0]!;
  let n = 0;
  r.store.failOn = (c) => {
    if (c.startsWith('part ') && ++n === 2) throw new VirtpointError('SHUTTING_DOWN', 'killed');
  };
  await t.throwsAsync(r.copy.copy([full], 'off', { jobId: null }));
  r.store.failOn = null;
  // As a killed daemon leaves it: still `copying`.
  const target = r.catalog.copies.requireTarget('off');
  r.catalog.copies.setCopy(full.id, target.id, { state: 'copying' });
  const host = r.catalog.copies.hostId();
  const stray = await r.store.beginUpload(`${host}/stray`);
  const foreign = await r.store.beginUpload('f6e5d4c3b2a1/theirs');
  const [rec] = r.catalog.copies.listUploads();
  r.store.calls.length = 0;
  await r.jobs.resume();
  t.true(r.store.calls.includes(`abort ${host}/stray`));
  t.false(r.store.uploads.has(stray));
  t.true(r.store.uploads.has(foreign));
  const [job] = r.catalog.jobs.list({ type: 'copy' }).filter((j) => j.state !== 'succeeded');
  t.truthy(job);
  await r.runner.wait(job!.id);
  t.like(r.catalog.copies.listCopies({ pointId: full.id })[0], { state: 'copied' });
  // vda went on from its part 2 with the same upload.
  t.true(r.store.calls.includes(`part ${rec!.key} 2`));
  t.false(r.store.calls.includes(`part ${rec!.key} 1`));
  t.false(r.store.calls.includes(`begin ${rec!.key}`));
});

test('remote retention runs after each copy to a target that has one; a failed prune never fails the copy', async (t) => {
  const pruned: string[] = [];
  const r = await setup((n) => {
    pruned.push(n);
    return Promise.reject(new VirtpointError('TARGET_ERROR', 'refused'));
  });
  const p = r.points[0]!;
  t.is((await r.runner.wait((await r.jobs.copyPoint(p.id, 'off')).id)).state, 'succeeded');
  t.deepEqual(pruned, []);
  t.is((await r.runner.wait((await r.jobs.copyPoint(p.id, 'kept')).id)).state, 'succeeded');
  t.deepEqual(pruned, ['kept']);
});
