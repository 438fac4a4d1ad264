import { randomBytes } from 'node:crypto';

import test from 'ava';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { SqliteVolumeResources } from '../../../../src/adapters/sqlite/sqlite-volume-resources.js';
import type { OfflineBackup, OfflineBackupSpec } from '../../../../src/ports/offline-backup.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { DomainLocks } from '../../../../src/service/jobs/domain-locks.js';
import { VolumeBackupService } from '../../../../src/service/volume-backup/backup.js';
import { resourceUuid } from '../../../../src/service/volume-backup/resource.js';
import { VolumeRollbackService } from '../../../../src/service/volume-backup/rollback.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';

const VOL = '/vols/data.qcow2';

function setup() {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  images.addSource(VOL, 1024 ** 3);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const offline: OfflineBackup = {
    run: async (spec: OfflineBackupSpec) => {
      if (spec.newBitmap)
        images.images.get(spec.source)!.bitmaps.push({ name: spec.newBitmap, flags: ['auto'] });
    },
    stopLeftovers: async () => [],
  };
  const deps = {
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    offline,
    resources: new SqliteVolumeResources(catalog.db),
    runDir: '/state/volume-backup',
    volumePath: async (_p: string, v: string) => `/vols/${v}`,
    realPath: async (p: string) => p,
    allowedDirs: ['/vols'],
  };
  const locks = new DomainLocks();
  const backup = new VolumeBackupService({ ...deps, locks });
  const rollback = new VolumeRollbackService(deps, locks);
  return { hv, fs, images, catalog, backup, rollback };
}

test('rollback: the point flattened beside the volume, fsynced, renamed over it; the chain sealed restored; next backup full', async (t) => {
  const { backup, rollback, fs, images, catalog } = setup();
  const run = () => backup.run(resourceUuid(VOL), { volume: { path: VOL } });
  const p = await run();
  await rollback.run(p.id);
  const conv = images.converts.at(-1)!;
  t.true(conv.target.startsWith('/vols/.data.qcow2.virtpoint-tmp-'), conv.target);
  t.is(conv.opts.format, 'qcow2');
  const i = fs.ops.indexOf(`fsync ${conv.target}`);
  t.true(i >= 0 && fs.ops.indexOf(`rename ${conv.target} ${VOL}`) > i, fs.ops.join('\n'));
  t.is(fs.files.get(VOL)?.mode, 0o600, 'the volume keeps its mode');
  t.is(catalog.getChain(p.chainId)?.state, 'sealed');
  t.is(catalog.getPoint(p.id)?.state, 'available');
  t.like(await run(), { kind: 'full' });
});

test('rollback refused IN_USE while a domain uses the volume, and for a domain’s point; nothing written', async (t) => {
  const { backup, rollback, hv, images } = setup();
  const p = await backup.run(resourceUuid(VOL), { volume: { path: VOL } });
  hv.addDomain({
    name: 'web1',
    disks: [{ target: 'vdb', sourcePath: VOL, format: 'qcow2', capacity: 1024 ** 3 }],
  });
  await t.throwsAsync(rollback.run(p.id), { code: 'IN_USE', message: /web1/ });
  t.is(images.converts.length, 0);
  await t.throwsAsync(rollback.check('abcdefabcdef'), { code: 'POINT_NOT_FOUND' });
});
