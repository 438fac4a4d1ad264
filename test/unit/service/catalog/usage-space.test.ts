import test from 'ava';

import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { CatalogApiImpl } from '../../../../src/service/catalog/api.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { readSpace } from '../../../../src/service/catalog/space.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

function setup() {
  const host = fakeBackupHost({ name: 'web' });
  const api = new CatalogApiImpl({
    hypervisor: host.hv,
    catalog: host.catalog,
    runner: new JobRunner({ catalog: host.catalog, log: silentLogger }),
    del: new DeleteService(host.deps),
    storeRoot: '/store',
    version: 'test',
    startedAt: 0,
    libvirtConnected: () => true,
    storeStatus: () => ({ unknownFiles: 0, badManifests: 0, missingManifests: 0, scannedAt: null }),
    space: () => Promise.resolve({ storeFreeBytes: 123, catalogBytes: 456 }),
  });
  return { ...host, api };
}

test('usage counts the volumes and images made from the domain’s points', async (t) => {
  const s = setup();
  const p = await new BackupService(s.deps).backup({ domain: 'web' });
  const at = { kind: 'dir', dir: '/vols' } as const;
  s.catalog.artifacts.createVolume({
    name: 'a.qcow2',
    pointId: p.id,
    disk: 'vda',
    location: at as never,
    path: '/vols/a.qcow2',
    format: 'qcow2',
  });
  s.catalog.artifacts.createVolume({
    name: 'b.raw',
    pointId: p.id,
    disk: 'vda',
    location: at as never,
    path: '/vols/b.raw',
    format: 'raw',
  });
  s.catalog.artifacts.createImage({
    name: 'web-golden',
    pointId: p.id,
    disk: 'vda',
    path: '/img/web-golden',
    linked: true,
  });
  const [u] = await s.api.usage({});
  t.like(u, { domainName: 'web', points: 1, volumes: 2, images: 1 });
});

test('status carries the store’s free space and the catalog size', async (t) => {
  t.like(await setup().api.status(), { space: { storeFreeBytes: 123, catalogBytes: 456 } });
});

test('readSpace: catalog.db plus its WAL; unreadable values are null, not 0', async (t) => {
  const sizes: Record<string, number> = { '/c/catalog.db': 4096, '/c/catalog.db-wal': 8 };
  const fs = {
    freeBytes: () => Promise.resolve(10),
    stat: (p: string) =>
      p in sizes
        ? Promise.resolve({ size: sizes[p]!, mode: 0o600, uid: 0, gid: 0 })
        : Promise.reject(new Error('ENOENT')),
  };
  t.deepEqual(await readSpace(fs, '/s', '/c/catalog.db'), { storeFreeBytes: 10, catalogBytes: 4104 });
  t.deepEqual(
    await readSpace({ ...fs, freeBytes: () => Promise.reject(new Error('EACCES')) }, '/s', '/x.db'),
    {
      storeFreeBytes: null,
      catalogBytes: null,
    },
  );
});
