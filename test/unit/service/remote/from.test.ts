import test from 'ava';

import { remoteFileKey } from '../../../../src/core/remote-layout.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { RemoteSourcesImpl } from '../../../../src/service/remote/from.js';
import { RestoreApiImpl } from '../../../../src/service/restore/api.js';
import { ImageService } from '../../../../src/service/restore/images.js';
import { RollbackService } from '../../../../src/service/restore/rollback.js';
import { VolumeService } from '../../../../src/service/restore/volumes.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeStoragePools } from '../../../fakes/fake-storage-pools.js';
import { CHAIN, DOMAIN, HOST, P0, P1, P2, seed, setup, STORE } from './_remote.js';

// `--from NAME` on rollback, volume create and image create (docs/copies.md "Restore from a
// target"): the point is fetched from the target in the job (checked, decrypted), the restore
// services write from the fetched files as from local ones, and the fetch directory is gone after.

const GiB = 1 << 30;
const VDA = '/vm/db1-vda.qcow2';
const VDB = '/vm/db1-vdb.qcow2';

async function world(opts: { domainUuid?: string } = {}) {
  const r = setup();
  const { store } = await r.addTarget('off', true);
  await seed(store, [P0, P1, P2], r.key);
  const hv = new FakeHypervisor();
  for (const p of [VDA, VDB]) r.images.addSource(p, GiB);
  const uuid = hv.addDomain({
    name: 'db1',
    uuid: opts.domainUuid ?? DOMAIN,
    state: 'shutoff',
    disks: [
      { target: 'vda', sourcePath: VDA, format: 'qcow2', capacity: GiB },
      { target: 'vdb', sourcePath: VDB, format: 'qcow2', capacity: GiB },
    ],
  });
  await r.fs.mkdir('/srv/vols');
  const pools = new FakeStoragePools(r.fs, r.images);
  const common = { ...r.deps, hypervisor: hv, imageTool: r.images };
  const rollback = new RollbackService({ ...common, pollMs: 1 });
  const volumes = new VolumeService({ ...common, pools, allowedVolumeDirs: ['/srv/vols'] });
  const images = new ImageService({ ...common });
  const runner = new JobRunner({ catalog: r.catalog, log: r.deps.log });
  const sources = new RemoteSourcesImpl(r.deps);
  const api = new RestoreApiImpl({
    runner,
    rollback,
    volumes,
    images,
    remote: { sources, catalog: r.catalog },
  });
  /** Files of fetch directories still there (must be none once a job ended). */
  const fetched = () => [...r.fs.files.keys()].filter((k) => k.includes('/.remote-fetch-'));
  const fetchDirs = () => [...r.fs.dirs].filter((k) => k.includes('/.remote-fetch-'));
  const converts = () => r.images.converts.map((c) => c.source);
  return { ...r, store, hv, uuid, api, runner, fetched, fetchDirs, converts };
}

test('volume create --from: flattened from the fetched chain into the directory, recorded with the remote point id; fetch dir removed', async (t) => {
  const w = await world();
  t.is(w.catalog.listPoints().length, 0, 'no local point at all');
  const job = await w.api.createVolume({
    point: P1.id,
    disk: 'vdb',
    name: 'data.qcow2',
    dir: '/srv/vols',
    from: 'off',
  });
  t.like(job, { type: 'create-volume', pointId: P1.id, domain: null });
  const done = await w.runner.wait(job.id);
  t.is(done.state, 'succeeded', JSON.stringify(done.error));
  t.like(done.result, { pointId: P1.id, disk: 'vdb', path: '/srv/vols/data.qcow2', format: 'qcow2' });
  t.regex(w.converts()[0]!, new RegExp(`^${STORE}/\\.remote-fetch-[0-9a-f]{12}/vdb\\.1\\.qcow2$`));
  t.true(w.fs.files.has('/srv/vols/data.qcow2'));
  t.deepEqual(w.fetched(), []);
  t.deepEqual(w.fetchDirs(), []);
  t.is(w.catalog.artifacts.listVolumes({ pointId: P1.id }).length, 1);
});

test('image create --from: a full image from the fetched point; --linked --from is INVALID_ARGUMENT, nothing fetched or queued', async (t) => {
  const w = await world();
  const e = await t.throwsAsync(
    w.api.createImage({ point: P2.id, disk: 'vda', name: 'golden.qcow2', linked: true, from: 'off' }),
  );
  t.is((e as { code?: string }).code, 'INVALID_ARGUMENT');
  t.regex(e!.message, /temporary/);
  t.is(w.catalog.jobs.list({}).length, 0);
  const job = await w.api.createImage({ point: P2.id, disk: 'vda', name: 'golden.qcow2', from: 'off' });
  const done = await w.runner.wait(job.id);
  t.is(done.state, 'succeeded', JSON.stringify(done.error));
  t.like(done.result, { name: 'golden.qcow2', pointId: P2.id, linked: false });
  t.regex(w.converts()[0]!, /\/\.remote-fetch-[0-9a-f]{12}\/vda\.2\.qcow2$/);
  t.deepEqual(w.fetched(), []);
});

test('rollback --from: the domain of the manifest gets the fetched disks; its record is created; fetch dir removed', async (t) => {
  const w = await world();
  const job = await w.api.startRollback({ domain: 'db1', point: P1.id, from: 'off', start: false });
  t.like(job, { type: 'rollback', domain: DOMAIN, pointId: P1.id });
  const done = await w.runner.wait(job.id);
  t.is(done.state, 'succeeded', JSON.stringify(done.error));
  t.deepEqual(
    w.converts().map((s) => s.replace(/^.*\//, '')),
    ['vda.1.qcow2', 'vdb.1.qcow2'],
  );
  t.regex(w.fs.files.get(VDA)!.data ?? '', /^flat:\/store\/\.remote-fetch-[0-9a-f]{12}\/vda\.1\.qcow2$/);
  t.regex(w.fs.files.get(VDB)!.data ?? '', /vdb\.1\.qcow2$/);
  t.deepEqual(w.fetched(), []);
  t.deepEqual(w.fetchDirs(), []);
  t.not(w.catalog.getDomain(DOMAIN), null);
});

test("rollback --from onto another domain than the point's is refused before anything is queued", async (t) => {
  const w = await world({ domainUuid: '99999999-2222-4333-8444-555555555555' });
  const e = await t.throwsAsync(w.api.startRollback({ domain: 'db1', point: P1.id, from: 'off' }));
  t.is((e as { code?: string }).code, 'INVALID_ARGUMENT');
  t.regex(e!.message, new RegExp(DOMAIN));
  t.is(w.catalog.jobs.list({}).length, 0);
  t.deepEqual(w.converts(), []);
});

test('refusals at submit: unknown target, unknown point, disk the point lacks, incomplete point', async (t) => {
  const w = await world();
  const vol = (over: Record<string, unknown>) =>
    w.api.createVolume({ point: P1.id, disk: 'vda', name: 'x', dir: '/srv/vols', from: 'off', ...over });
  const cases: [Promise<unknown>, string][] = [
    [vol({ from: 'nope' }), 'TARGET_NOT_FOUND'],
    [vol({ point: 'ffffffffffff' }), 'REMOTE_NOT_FOUND'],
    [vol({ disk: 'vdz' }), 'DISK_NOT_FOUND'],
    [vol({ dir: '/etc' }), 'INVALID_ARGUMENT'],
  ];
  for (const [p, code] of cases) {
    const e = await t.throwsAsync(p);
    t.is((e as { code?: string }).code, code, e?.message);
  }
  w.store.objects.delete(remoteFileKey(HOST, DOMAIN, CHAIN, 'vda', 0, true));
  const e = await t.throwsAsync(vol({}));
  t.is((e as { code?: string }).code, 'REMOTE_NOT_FOUND');
  t.regex(e!.message, /vda\.0\.qcow2/);
  t.is(w.catalog.jobs.list({}).length, 0);
});

test('a tampered object fails the job with DATA_CORRUPT: no volume, nothing fetched left, originals untouched on rollback', async (t) => {
  const w = await world();
  const k = remoteFileKey(HOST, DOMAIN, CHAIN, 'vda', 0, true);
  const job = await w.api.createVolume({
    point: P1.id,
    disk: 'vda',
    name: 'x',
    dir: '/srv/vols',
    from: 'off',
  });
  const o = w.store.objects.get(k)!; // tampered after the submit's check, before the fetch
  o.body[100] = o.body[100]! ^ 1;
  const done = await w.runner.wait(job.id);
  t.is(done.state, 'failed');
  t.is(done.error?.code, 'DATA_CORRUPT', done.error?.message);
  t.false(w.fs.files.has('/srv/vols/x'));
  t.deepEqual(w.fetched(), []);
  const rb = await w.api.startRollback({ domain: 'db1', point: P1.id, from: 'off' });
  t.is((await w.runner.wait(rb.id)).state, 'failed');
  t.is(w.fs.files.get(VDA)!.data, `orig:${VDA}`);
  t.deepEqual(w.fetched(), []);
  t.deepEqual(w.converts(), []);
});

test('a restore that fails after the fetch still removes the fetched files', async (t) => {
  const w = await world();
  w.images.failNext('convert');
  const job = await w.api.createVolume({
    point: P2.id,
    disk: 'vda',
    name: 'y',
    dir: '/srv/vols',
    from: 'off',
  });
  const done = await w.runner.wait(job.id);
  t.is(done.state, 'failed');
  t.deepEqual(w.fetched(), []);
  t.deepEqual(w.fetchDirs(), []);
  t.false(w.fs.files.has('/srv/vols/y'));
});
