import test from 'ava';

import { silentLogger } from '../../../../src/ports/logger.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { RestoreApiImpl } from '../../../../src/service/restore/api.js';
import { setup } from './_restore.js';

// RestoreApiImpl: the services' checks run before anything is queued; the work runs as jobs of
// the point's domain, with progress and the created object as the job's result.

async function withControl(opts: Parameters<typeof setup>[0] = {}) {
  const s = await setup(opts);
  const runner = new JobRunner({ catalog: s.catalog, log: silentLogger });
  const ctl = new RestoreApiImpl({ runner, rollback: s.restore, volumes: s.volumes, images: s.imagesSvc });
  const jobs = () => s.catalog.jobs.list({}).length;
  return { ...s, runner, ctl, jobs };
}

test('bad input is refused before a job is queued', async (t) => {
  const s = await withControl({ state: 'shutoff' });
  const p = s.ps[0]!;
  const before = s.jobs();
  const refusals: [Promise<unknown>, string][] = [
    [s.ctl.startRollback({ domain: 'db1', point: 'ffffffffffff' }), 'POINT_NOT_FOUND'],
    [s.ctl.startRollback({ domain: 'db1', point: p.id, disks: ['vdz'] }), 'DISK_NOT_FOUND'],
    [s.ctl.startRollback({ domain: 'db1', point: p.id, map: { vdb: 'vda' } }), 'INVALID_ARGUMENT'],
    [s.ctl.startRollback({ domain: 'nope', point: p.id }), 'DOMAIN_NOT_FOUND'],
    [s.ctl.createVolume({ point: p.id, disk: 'vda', name: 'x', dir: '/etc' }), 'INVALID_ARGUMENT'],
    [s.ctl.createVolume({ point: p.id, disk: 'vda', name: '.x', dir: '/srv/vols' }), 'INVALID_ARGUMENT'],
    [s.ctl.createVolume({ point: p.id, disk: 'vda', name: 'x', pool: 'nope' }), 'POOL_NOT_FOUND'],
    [s.ctl.createImage({ point: p.id, disk: 'vdq', name: 'img' }), 'DISK_NOT_FOUND'],
  ];
  for (const [promise, code] of refusals) {
    const e = await t.throwsAsync(promise);
    t.is((e as { code?: string }).code, code, e?.message);
  }
  t.is(s.jobs(), before, 'nothing queued');
});

test('rollback runs as a restore job of the domain; the point is restoring during it, available after', async (t) => {
  const s = await withControl({ state: 'shutoff' });
  const p = s.ps[0]!;
  const seen = new Set<string>();
  s.runner.onJob(() => seen.add(s.catalog.getPoint(p.id)!.state));
  const job = await s.ctl.startRollback({ domain: 'db1', point: p.id, shutdownTimeout: 5, start: false });
  t.like(job, { type: 'rollback', state: 'queued', domain: s.uuid, pointId: p.id });
  const done = await s.runner.wait(job.id);
  t.is(done.state, 'succeeded', JSON.stringify(done.error));
  t.like(done.result, { started: false });
  t.true(seen.has('restoring'));
  t.is(s.catalog.getPoint(p.id)!.state, 'available');
  t.true((done.progress.total ?? 0) > 0);
  t.is(done.progress.done, done.progress.total ?? -1);
});

test('create-volume and create-image (linked too) are jobs whose result is the view; list, get, delete', async (t) => {
  const s = await withControl();
  await s.fs.mkdir('/srv/vols');
  const p = s.ps[1]!;
  const vj = await s.ctl.createVolume({
    point: p.id,
    disk: 'vdb',
    name: 'v.raw',
    dir: '/srv/vols',
    format: 'raw',
  });
  t.like(vj, { type: 'create-volume', pointId: p.id, domain: s.uuid });
  const vdone = await s.runner.wait(vj.id);
  t.is(vdone.state, 'succeeded', JSON.stringify(vdone.error));
  t.like(vdone.result, {
    name: 'v.raw',
    dir: '/srv/vols',
    pool: null,
    format: 'raw',
    path: '/srv/vols/v.raw',
  });
  const [vol] = await s.ctl.listVolumes();
  t.deepEqual(await s.ctl.getVolume(vol!.id), vol);
  t.deepEqual(vdone.result, vol);
  await s.ctl.deleteVolume(vol!.id);
  t.deepEqual(await s.ctl.listVolumes(), []);

  const ij = await s.ctl.createImage({ point: p.id, disk: 'vda', name: 'golden', linked: true });
  t.is(ij.type, 'create-image');
  const idone = await s.runner.wait(ij.id);
  t.is(idone.state, 'succeeded', JSON.stringify(idone.error));
  t.like(idone.result, { name: 'golden', linked: true, pointId: p.id });
  t.deepEqual(await s.ctl.getImage('golden'), idone.result);
  const dup = await t.throwsAsync(s.ctl.createImage({ point: p.id, disk: 'vda', name: 'golden' }));
  t.is((dup as { code?: string }).code, 'ALREADY_EXISTS');
  await s.ctl.deleteImage('golden');
  t.deepEqual(await s.ctl.listImages(), []);
});
