import { randomBytes } from 'node:crypto';

import test from 'ava';

import { VirtpointError } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { CopyJobs } from '../../../../src/service/copies/copy-jobs.js';
import { CopyService } from '../../../../src/service/copies/copy.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { FakeTarget } from '../../../helpers/fake-target.js';
import { seededBytes } from '../../../helpers/seeded.js';
import { storeWithPoints } from '../recovery/_recovery.js';
import type { FakeFs } from '../../../fakes/fake-host.js';

const PART = 1000;

function source(fs: FakeFs) {
  return {
    async *chunks(path: string, offset: number, size: number): AsyncIterable<Buffer> {
      const b = Buffer.from(fs.files.get(path)?.data ?? '', 'latin1');
      for (let i = offset; i < b.length; i += size) yield await Promise.resolve(b.subarray(i, i + size));
    },
  };
}

async function setup(prune?: (n: string) => Promise<unknown>) {
  const s = await storeWithPoints();
  for (const [path, f] of s.fs.files) {
    if (!/\.qcow2$/.test(path)) continue;
    const b = seededBytes(path, 2 * PART + 10);
    f.data = b.toString('latin1');
    f.size = b.length;
  }
  // The manifests' recorded sizes are not checked by the copy (it uploads what the store holds).
  s.catalog.copies.addTarget({
    name: 'off',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv' },
    keyId: null,
    bwlimit: null,
    retention: 'forever',
  });
  s.catalog.copies.addTarget({
    name: 'kept',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv2' },
    keyId: null,
    bwlimit: null,
    retention: 'chains:1',
  });
  const store = new FakeTarget();
  const other = new FakeTarget();
  const offId = s.catalog.copies.requireTarget('off').id;
  const stores = {
    open: (id: string) => Promise.resolve(id === offId ? store : other),
    encryptionKey: () => Promise.resolve(null),
  };
  const runner = new JobRunner({ catalog: s.catalog, log: silentLogger });
  const copy = new CopyService({
    catalog: s.catalog,
    fs: s.fs,
    files: source(s.fs),
    stores,
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    hostName: 'h1',
    partSize: PART,
  });
  const jobs = new CopyJobs({
    catalog: s.catalog,
    runner,
    copy,
    stores,
    log: silentLogger,
    ...(prune ? { prune } : {}),
  });
  return { ...s, store, runner, jobs, copy };
}

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
