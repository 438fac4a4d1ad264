import type { RandomBytes } from '../../core/names.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Clock, Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import type { VolumeResourceCatalog } from '../../ports/volume-resources.js';
import type { DomainLocks } from '../jobs/domain-locks.js';

/** The ports a backup works with (shared by the backup, its cleanup and the reconciliation). */
export interface BackupDeps {
  readonly hypervisor: Hypervisor;
  readonly imageTool: ImageTool;
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  /** Guest freeze timeout (default 10 s). */
  readonly freezeTimeoutMs?: number;
  /** Job stats poll interval (default 250 ms). */
  readonly pollMs?: number;
  /** Free bytes to keep in the store on top of the estimate (default 64 MiB). */
  readonly spaceMarginBytes?: number;
  readonly locks?: DomainLocks;
  /** The detached volumes' records: a volume point's manifest names its volume (core/manifest.ts). */
  readonly resources?: Pick<VolumeResourceCatalog, 'get'>;
}
