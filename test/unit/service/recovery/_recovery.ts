import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import type { BackupDeps } from '../../../../src/service/backup/deps.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';

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
  const deps: BackupDeps = {
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
  const withEmptyCatalog = (): BackupDeps => ({ ...deps, catalog: new SqliteCatalog({ path: ':memory:' }) });
  return { hv, fs, images, catalog, deps, svc, uuid, points, storeFiles, withEmptyCatalog };
}
