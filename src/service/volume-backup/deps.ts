import type { OfflineBackup } from '../../ports/offline-backup.js';
import type { VolumeResourceCatalog } from '../../ports/volume-resources.js';
import type { BackupDeps } from '../backup/deps.js';
import type { ResourceDeps } from './resource.js';

/** The ports a volume backup works with: a domain backup's, plus the offline backup engine. */
export interface VolumeBackupDeps extends BackupDeps, Omit<ResourceDeps, 'hypervisor' | 'imageTool'> {
  readonly offline: OfflineBackup;
  readonly resources: VolumeResourceCatalog;
  /** Where the short-lived qemu-storage-daemon's QMP socket and PID file go (0700, ours). */
  readonly runDir: string;
}
