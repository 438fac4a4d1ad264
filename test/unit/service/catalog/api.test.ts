import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import type { Point } from '../../../../src/ports/catalog.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { CatalogApiImpl } from '../../../../src/service/catalog/api.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { ImageService } from '../../../../src/service/restore/images.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';

// The catalog feature's API on fakes: what `point delete` and `chain delete` refuse at submit.

const STORE = '/store';

async function setup(points = 3) {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const imageTool = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  imageTool.addSource('/images/a.qcow2', 1 << 30);
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: 1 << 30 }],
  });
  const common = { hypervisor: hv, imageTool, catalog, fs, log: silentLogger, storeRoot: STORE };
  const backup = new BackupService({ ...common, clock: new FakeClock(), random: randomBytes, pollMs: 1 });
  const del = new DeleteService(common);
  const images = new ImageService({ ...common, random: randomBytes });
  const runner = new JobRunner({ catalog, log: silentLogger });
  const api = new CatalogApiImpl({
    hypervisor: hv,
    catalog,
    runner,
    del,
    storeRoot: STORE,
    version: 'test',
    startedAt: 0,
    libvirtConnected: () => true,
    storeStatus: () => {
      throw new Error('not used here');
    },
  });
  const ps: Point[] = [];
  for (let i = 0; i < points; i++) ps.push(await backup.backup({ domain: uuid }));
  return { catalog, del, images, runner, api, ps };
}

for (const linked of [false, true]) {
  const kind = linked ? 'linked' : 'full';
  test(`chain delete of a chain with a point a ${kind} image protects is refused at submit (POINT_PROTECTED naming the image): no job queued, nothing changes`, async (t) => {
    const s = await setup();
    await s.images.createImage({ pointId: s.ps[1]!.id, disk: 'vda', name: 'golden', linked });
    const jobsBefore = s.catalog.jobs.list({}).length;
    await t.throwsAsync(s.api.deleteChain(s.ps[0]!.chainId), {
      code: 'POINT_PROTECTED',
      message: /image golden/,
    });
    await t.throwsAsync(s.api.deletePoint(s.ps[1]!.id, { cascade: false }), {
      code: 'POINT_PROTECTED',
      message: /image golden/,
    });
    await t.throwsAsync(s.api.deletePoint(s.ps[0]!.id, { cascade: false }), { code: 'POINT_PROTECTED' });
    t.is(s.catalog.jobs.list({}).length, jobsBefore, 'no delete job was queued');
    t.deepEqual(
      s.catalog.listPoints().map((p) => p.state),
      ['available', 'available', 'available'],
    );
    // Once the image is gone the chain delete is queued and runs.
    await s.images.deleteImage('golden');
    const job = await s.api.deleteChain(s.ps[0]!.chainId);
    t.is((await s.runner.wait(job.id)).state, 'succeeded');
    t.is(s.catalog.getChain(s.ps[0]!.chainId), null);
  });
}

test('chain delete of an unknown chain: CHAIN_NOT_FOUND, nothing queued', async (t) => {
  const s = await setup(1);
  await t.throwsAsync(s.api.deleteChain('000000000000'), { code: 'CHAIN_NOT_FOUND' });
  t.is(s.catalog.jobs.list({ type: 'delete' }).length, 0);
});
