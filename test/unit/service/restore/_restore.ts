/** Shared setup for the restore-side service tests: a domain with points made by the backup service. */

import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import type { Point } from '../../../../src/ports/catalog.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { ImageService } from '../../../../src/service/restore/images.js';
import { RollbackService } from '../../../../src/service/restore/rollback.js';
import { VolumeService } from '../../../../src/service/restore/volumes.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeHypervisor, type FakeDisk, type ShutdownBehaviour } from '../../../fakes/fake-hypervisor.js';
import { FakeStoragePools } from '../../../fakes/fake-storage-pools.js';

export const STORE = '/store';
export const GiB = 1024 ** 3;
export const IMAGES = '/var/lib/virtpoint/images';

export interface SetupOptions {
  state?: 'running' | 'shutoff';
  shutdown?: Partial<ShutdownBehaviour>;
  agent?: boolean;
  /** Extra disks of the domain, not backed up. */
  extra?: FakeDisk[];
  points?: number;
}

/**
 * Domain `db1`: vda (system, qcow2, 1 GiB) and vdb (data, qcow2, 2 GiB) in /vm, files 0640
 * owned by 107:107; `points` points of both disks (default 2).
 */
export async function setup(opts: SetupOptions = {}) {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const pools = new FakeStoragePools(fs, images);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const clock = new FakeClock();
  const disks: FakeDisk[] = [
    { target: 'vda', sourcePath: '/vm/db1-vda.qcow2', format: 'qcow2', capacity: GiB },
    { target: 'vdb', sourcePath: '/vm/db1-vdb.qcow2', format: 'qcow2', capacity: 2 * GiB },
  ];
  for (const d of [...disks, ...(opts.extra ?? [])]) {
    images.addSource(d.sourcePath, d.capacity, [], d.format === 'raw' ? 'raw' : 'qcow2');
    fs.files.get(d.sourcePath)!.mode = 0o640;
  }
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [...disks, ...(opts.extra ?? [])],
    ...(opts.shutdown ? { shutdown: opts.shutdown } : {}),
    ...(opts.agent === undefined ? {} : { agent: opts.agent }),
  });
  const common = {
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock,
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
  };
  const backup = new BackupService({ ...common, pollMs: 1 });
  const ps: Point[] = [];
  for (let i = 0; i < (opts.points ?? 2); i++)
    ps.push(await backup.backup({ domain: uuid, disks: ['vda', 'vdb'] }));
  hv.dom(uuid).state = opts.state ?? 'running';
  hv.calls.length = 0;
  const restore = new RollbackService({ ...common, pollMs: 1000, locks: backup.locks });
  const volumes = new VolumeService({ ...common, pools, allowedVolumeDirs: ['/srv/vols', '/data/'] });
  const imagesSvc = new ImageService({ ...common });
  const del = new DeleteService(common);
  /** The store file of a point's disk. */
  const file = (p: Point, target = 'vda') => `${STORE}/${p.disks.find((d) => d.target === target)!.path}`;
  /** Files whose name says they are temporary (rollback temps, kept originals, write temps). */
  const leftovers = () => [...fs.files.keys()].filter((f) => f.includes('.virtpoint-'));
  const data = (path: string) => fs.files.get(path)?.data;
  return {
    hv,
    fs,
    images,
    pools,
    catalog,
    clock,
    uuid,
    backup,
    restore,
    volumes,
    imagesSvc,
    del,
    ps,
    file,
    leftovers,
    data,
  };
}
