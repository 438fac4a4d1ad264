import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { SqliteVolumeResources } from '../../../../src/adapters/sqlite/sqlite-volume-resources.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import type { BackupDeps } from '../../../../src/service/backup/deps.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { VolumeBackupService } from '../../../../src/service/volume-backup/backup.js';
import { resourceUuid } from '../../../../src/service/volume-backup/resource.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeOffline } from '../../../fakes/fake-offline.js';

export const STORE = '/store';

/** A domain with two disks and a full + two incrementals made through the real backup service. */
export async function storeWithPoints() {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  for (const p of ['/images/a.qcow2', '/images/b.qcow2']) images.addSource(p, 1 << 30);
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [
      { target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: 1 << 30 },
      { target: 'vdb', sourcePath: '/images/b.qcow2', format: 'qcow2', capacity: 1 << 30 },
    ],
  });
  const deps: BackupDeps & { resources: SqliteVolumeResources } = {
    resources: new SqliteVolumeResources(catalog.db),
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
    pollMs: 1,
  };
  const svc = new BackupService(deps);
  const points = [];
  for (let i = 0; i < 3; i++) points.push(await svc.backup({ domain: uuid, name: `p${i}` }));
  const storeFiles = () => [...fs.files.keys()].filter((f) => f.startsWith(`${STORE}/`)).sort();
  /** The same host with a new, empty catalog (the old one lost). */
  const withEmptyCatalog = () => {
    const empty = new SqliteCatalog({ path: ':memory:' });
    return { ...deps, catalog: empty, resources: new SqliteVolumeResources(empty.db) };
  };
  /** A detached volume `default/data.qcow2` (file VOLUME_PATH) backed up on its own in the same store. */
  const volumes = () => {
    images.addSource(VOLUME_PATH, 1 << 30);
    const offline = new FakeOffline(images);
    const base = {
      offline,
      runDir: '/state/volume-backup',
      volumePath: async (_pool: string, volume: string) => `/vols/${volume}`,
      realPath: async (p: string) => p,
      allowedDirs: ['/vols'],
    };
    const vuuid = resourceUuid(VOLUME_PATH);
    /** One backup of the volume, with this host's catalog or `d`'s (a rebuilt one). */
    const backup = (d: BackupDeps & { resources: SqliteVolumeResources } = deps) =>
      new VolumeBackupService({ ...d, ...base }).run(vuuid, {
        volume: { pool: 'default', volume: 'data.qcow2' },
      });
    return { offline, vuuid, backup };
  };
  return { hv, fs, images, catalog, deps, svc, uuid, points, storeFiles, withEmptyCatalog, volumes };
}

export const VOLUME_PATH = '/vols/data.qcow2';
