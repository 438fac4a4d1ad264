import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { BackupDeps } from '../../src/service/backup/deps.js';
import { FakeHypervisor } from './fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from './fake-host.js';

/**
 * The backup service's ports in memory with one domain of one qcow2 disk `vda`: the fake
 * hypervisor, files and qemu-img, an in-memory catalog, store root `/store`, job stats polled
 * every 1 ms. Shared by the unit tests of backup, its failure handling and reconcile.
 */
export function fakeBackupHost(opts: { name?: string; source?: string; capacity?: number } = {}) {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const source = opts.source ?? '/images/a.qcow2';
  const capacity = opts.capacity ?? 1024 ** 3;
  images.addSource(source, capacity);
  const uuid = hv.addDomain({
    name: opts.name ?? 'web1',
    disks: [{ target: 'vda', sourcePath: source, format: 'qcow2', capacity }],
  });
  const deps: BackupDeps = {
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    pollMs: 1,
  };
  return { hv, fs, images, catalog, deps, uuid };
}
