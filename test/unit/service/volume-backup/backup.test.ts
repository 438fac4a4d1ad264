import { randomBytes } from 'node:crypto';

import test from 'ava';

import { SqliteVolumeResources } from '../../../../src/adapters/sqlite/sqlite-volume-resources.js';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { manifestPath, readManifest } from '../../../../src/service/recovery/manifest-writer.js';
import { VolumeBackupService } from '../../../../src/service/volume-backup/backup.js';
import { resourceUuid, uuidV5 } from '../../../../src/service/volume-backup/resource.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeOffline } from '../../../fakes/fake-offline.js';

const VOL = '/vols/data.qcow2';
const GiB = 1024 ** 3;

function setup(format: 'qcow2' | 'raw' = 'qcow2') {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  images.addSource(VOL, GiB, [], format);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const offline = new FakeOffline(images);
  const svc = new VolumeBackupService({
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
    volumePath: async (pool, volume) => {
      if (pool !== 'default') throw new VirtpointError('POOL_NOT_FOUND', `no pool ${pool}`);
      return `/vols/${volume}`;
    },
    realPath: async (p) => p,
    allowedDirs: ['/vols'],
  });
  const uuid = resourceUuid(VOL);
  const backup = (extra: { full?: boolean; name?: string } = {}) =>
    svc.run(uuid, { volume: { path: VOL }, ...extra });
  return { hv, fs, images, catalog, offline, svc, uuid, backup };
}

test('uuidV5: the RFC 4122 example (DNS namespace, www.example.com); one path, one resource', (t) => {
  t.is(
    uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'),
    '2ed6657d-e927-568b-95e1-2665a8aea6a2',
  );
  t.is(resourceUuid('/a/b.qcow2'), resourceUuid('/a/b.qcow2'));
  t.not(resourceUuid('/a/b.qcow2'), resourceUuid('/a/c.qcow2'));
});

test('full, then incremental from the tip bitmap with the next one added and the old one removed', async (t) => {
  const { backup, offline, images, catalog, uuid, fs } = setup();
  const full = await backup();
  t.like(full, { kind: 'full', seq: 0, newChainReason: 'no-chain', state: 'available', domainUuid: uuid });
  t.like(offline.runs[0], { sync: 'full', newBitmap: `vp-${full.chainId}-0`, removeBitmaps: [] });
  t.is(catalog.getDomain(uuid)?.name, VOL);
  const inc = await backup();
  t.like(inc, { kind: 'incremental', seq: 1, chainId: full.chainId, state: 'available' });
  t.like(offline.runs[1], {
    sync: 'incremental',
    bitmap: `vp-${full.chainId}-0`,
    newBitmap: `vp-${full.chainId}-1`,
    removeBitmaps: [`vp-${full.chainId}-0`],
  });
  t.is(images.images.get(offline.runs[1]!.target)?.opts.backingFile, 'vol.0.qcow2');
  t.deepEqual(
    images.images.get(VOL)!.bitmaps.map((b) => b.name),
    [`vp-${full.chainId}-1`],
  );
  t.true(fs.ops.includes(`fsync ${offline.runs[1]!.target}`), 'the point is fsynced');
});

test('bitmap missing or inconsistent: a full with the reason; the inconsistent one removed first', async (t) => {
  const { backup, images } = setup();
  const full = await backup();
  images.images.get(VOL)!.bitmaps = [];
  t.like(await backup(), { kind: 'full', newChainReason: 'bitmap-missing' });
  const img = images.images.get(VOL)!;
  img.bitmaps = img.bitmaps.map((b) => ({ ...b, flags: ['in-use', 'auto'] }));
  const stale = img.bitmaps[0]!.name;
  const p = await backup();
  t.like(p, { kind: 'full', newChainReason: 'bitmap-inconsistent' });
  t.false(img.bitmaps.some((b) => b.name === stale));
  t.not(p.chainId, full.chainId);
});

test('a failed job: error point, no file, chain unchanged; the next backup is the incremental', async (t) => {
  const { backup, offline, fs, catalog } = setup();
  const full = await backup();
  offline.fail = new VirtpointError('JOB_FAILED', 'the volume backup job failed: I/O error');
  await t.throwsAsync(backup(), { code: 'JOB_FAILED' });
  const failed = catalog.listPoints({ chainId: full.chainId }).find((p) => p.state === 'error')!;
  t.false(fs.files.has(`/store/${failed.disks[0]!.path}`));
  t.is(catalog.getChain(full.chainId)?.state, 'open');
  t.like(await backup(), { kind: 'incremental', seq: 2, chainId: full.chainId });
});

test('a bitmap a killed attempt left (its point error) is removed before the next backup; others’ bitmaps stay', async (t) => {
  const { backup, offline, images, catalog } = setup();
  const full = await backup();
  offline.fail = new VirtpointError('DAEMON_RESTARTED', 'killed');
  await t.throwsAsync(backup());
  const failed = catalog.listPoints({ chainId: full.chainId }).find((p) => p.state === 'error')!;
  const img = images.images.get(VOL)!;
  img.bitmaps.push(
    { name: `vp-${full.chainId}-${failed.seq}`, flags: ['auto'] },
    { name: 'other-tool', flags: ['auto'] },
  );
  t.like(await backup(), { kind: 'incremental', chainId: full.chainId });
  t.false(img.bitmaps.some((b) => b.name === `vp-${full.chainId}-${failed.seq}`));
  t.true(img.bitmaps.some((b) => b.name === 'other-tool'));
});

test('raw volume: full copies only (non-qcow2-disk), no bitmap', async (t) => {
  const { backup, offline } = setup('raw');
  t.like(await backup(), { kind: 'full', newChainReason: 'non-qcow2-disk' });
  t.like(await backup(), { kind: 'full', newChainReason: 'non-qcow2-disk' });
  t.is(offline.runs[1]!.newBitmap, undefined);
});

test('IN_USE naming a running domain that has it attached; a shut-off domain’s disk: back it up through that domain', async (t) => {
  const { hv, backup, svc } = setup();
  hv.addDomain({ name: 'web1', disks: [{ target: 'vdb', sourcePath: VOL, format: 'qcow2', capacity: GiB }] });
  await t.throwsAsync(backup(), { code: 'IN_USE', message: /running domain web1/ });
  const h2 = setup();
  h2.hv.addDomain({
    name: 'db1',
    state: 'shutoff',
    disks: [{ target: 'vdc', sourcePath: VOL, format: 'qcow2', capacity: GiB }],
  });
  await t.throwsAsync(h2.svc.check({ volume: { pool: 'default', volume: 'data.qcow2' } }), {
    code: 'IN_USE',
    message: /domain db1 \(disk vdc\).*backed up through/,
  });
  t.truthy(svc);
});

test('a file outside allowed_volume_dirs or a relative path: INVALID_ARGUMENT, nothing written', async (t) => {
  const { svc, catalog } = setup();
  await t.throwsAsync(svc.check({ volume: { path: '/etc/passwd' } }), {
    code: 'INVALID_ARGUMENT',
    message: /allowed_volume_dirs/,
  });
  await t.throwsAsync(svc.check({ volume: { path: 'data.qcow2' } }), { code: 'INVALID_ARGUMENT' });
  await t.throwsAsync(svc.check({ volume: { pool: 'nope', volume: 'x' } }), { code: 'POOL_NOT_FOUND' });
  t.deepEqual(catalog.listPoints(), []);
});

test('the point’s manifest names the volume (resource), the domain its label', async (t) => {
  const { backup, fs } = setup('raw');
  const p = await backup();
  const m = await readManifest(fs, manifestPath('/store', p));
  t.deepEqual(m?.resource, { kind: 'volume', path: VOL, pool: null, volume: null, format: 'raw' });
  t.like(m?.domain, { uuid: p.domainUuid, name: VOL, xml: null });
  t.deepEqual(m?.chain.diskSet, ['vol']);
});
