import type { LibvirtHypervisor } from '../adapters/libvirt/hypervisor.js';
import type { BackupDeps, BackupService } from '../service/backup/backup.js';
import { ImageService } from '../service/restore/images.js';
import type { RestoreServices } from '../service/restore/api.js';
import { RestoreService } from '../service/restore/rollback.js';
import { VolumeService } from '../service/restore/volumes.js';
import { imageDir, type Config } from './config.js';

/**
 * The restore side of the daemon (docs/restore.md): rollback sharing the backup service's domain
 * locks (a rollback never overlaps a backup of its domain), volumes into libvirt pools or the
 * config's `allowed_volume_dirs`, images in `image_dir` (default `<state_dir>/images`).
 */
export function createRestoreServices(
  config: Config,
  deps: BackupDeps,
  hypervisor: LibvirtHypervisor,
  backup: BackupService,
): RestoreServices {
  return {
    restore: new RestoreService({ ...deps, locks: backup.locks }),
    volumes: new VolumeService({
      ...deps,
      pools: hypervisor,
      allowedVolumeDirs: config.allowedVolumeDirs,
      hypervisor,
    }),
    images: new ImageService({ ...deps, imageDir: imageDir(config), hypervisor }),
  };
}
