import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { LibvirtHypervisor } from '../../../src/adapters/libvirt/hypervisor.js';
import { nodeFs, systemClock } from '../../../src/adapters/node-fs.js';
import { QemuImg } from '../../../src/adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../../../src/adapters/sqlite/sqlite-catalog.js';
import { resolveStorePath } from '../../../src/core/store-layout.js';
import type { Point } from '../../../src/ports/catalog.js';
import type { Logger } from '../../../src/ports/logger.js';
import { BackupService } from '../../../src/service/backup/backup.js';
import { DeleteService } from '../../../src/service/catalog/delete.js';
import { ImageService } from '../../../src/service/restore/images.js';
import { RollbackService } from '../../../src/service/restore/rollback.js';
import { VolumeService } from '../../../src/service/restore/volumes.js';
import { prepareRunDir, RUN_DIR } from '../../helpers/run-dir.js';

/** A BackupService on the real adapters, with its own catalog and store under this run's directory. */
export interface Engine {
  readonly svc: BackupService;
  readonly restore: RollbackService;
  readonly volumes: VolumeService;
  readonly images: ImageService;
  readonly del: DeleteService;
  /** Directory the engine may create volumes in (allowed_volume_dirs) and its image directory. */
  readonly volumeDir: string;
  readonly imageDir: string;
  readonly hv: LibvirtHypervisor;
  readonly catalog: SqliteCatalog;
  readonly storeRoot: string;
  readonly warnings: string[];
  /** Absolute path of a point's file for `target`. */
  file(point: Point, target: string): string;
}

let n = 0;

export async function withEngine(t: ExecutionContext): Promise<Engine> {
  await prepareRunDir();
  const dir = join(RUN_DIR, `engine-${process.pid}-${++n}`);
  await mkdir(dir, { recursive: true });
  const storeRoot = join(dir, 'store');
  const hv = await LibvirtHypervisor.connect();
  const catalog = new SqliteCatalog({ path: join(dir, 'catalog.db') });
  const warnings: string[] = [];
  const log: Logger = {
    debug: () => undefined,
    info: (o, m) => t.log(`info: ${m} ${JSON.stringify(o)}`),
    warn: (o, m) => (warnings.push(m), t.log(`warn: ${m} ${JSON.stringify(o)}`)),
    error: (o, m) => (warnings.push(m), t.log(`ERROR: ${m} ${JSON.stringify(o)}`)),
  };
  const common = {
    hypervisor: hv,
    imageTool: new QemuImg(),
    catalog,
    fs: nodeFs,
    clock: systemClock,
    random: randomBytes,
    log,
    storeRoot,
  };
  const svc = new BackupService(common);
  const volumeDir = join(dir, 'volumes');
  const imageDir = join(dir, 'images');
  await mkdir(volumeDir, { recursive: true });
  const restore = new RollbackService({ ...common, locks: svc.locks });
  const volumes = new VolumeService({ ...common, pools: hv, allowedVolumeDirs: [volumeDir] });
  const images = new ImageService({ ...common, imageDir });
  const del = new DeleteService(common);
  t.teardown(async () => {
    catalog.close();
    await hv.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    svc,
    restore,
    volumes,
    images,
    del,
    volumeDir,
    imageDir,
    hv,
    catalog,
    storeRoot,
    warnings,
    file(point, target) {
      const d = point.disks.find((x) => x.target === target);
      if (!d) throw new Error(`point ${point.id} has no disk ${target}`);
      return resolveStorePath(storeRoot, d.path);
    },
  };
}
