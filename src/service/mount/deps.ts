import type { RandomBytes } from '../../core/names.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { MountCatalog } from '../../ports/mount-catalog.js';
import type { Mounter, StorageDaemon } from '../../ports/mounter.js';

export interface MountDeps {
  readonly catalog: Catalog;
  readonly mounts: MountCatalog;
  readonly qsd: StorageDaemon;
  readonly mounter: Mounter;
  readonly fs: Fs;
  readonly log: Logger;
  readonly storeRoot: string;
  /** The daemon's own directory for exports (`<state_dir>/mounts`): one subdirectory per mount. */
  readonly workRoot: string;
  readonly random: RandomBytes;
  readonly now: () => number;
  /** `mount_idle_minutes`. */
  readonly idleMinutes: number;
}

/** The files of a mount inside its work directory (all of them the daemon's own). */
export const fuseFileOf = (workDir: string, disk: string) => `${workDir}/${disk}.raw`;
export const pidFileOf = (workDir: string) => `${workDir}/qsd.pid`;
export const scratchOf = (workDir: string) => `${workDir}/head.raw`;
