import { isVirtpointError } from '../../core/errors.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';
import { ownCheckpoint } from '../backup/checkpoints.js';

/**
 * After a rollback's renames: the domain's checkpoints of this catalog dropped, newest first,
 * metadata only (their bitmaps went with the old files); those of other tools and catalogs are
 * left and reported (backup/checkpoints.ts ownCheckpoint says which are ours). Never throws:
 * the disks are already replaced, a checkpoint left behind is logged. Both lists oldest first.
 */
export async function dropOwnCheckpoints(
  hv: Hypervisor,
  catalog: Catalog,
  log: Logger,
  uuid: string,
): Promise<{ dropped: string[]; foreign: string[] }> {
  const dropped: string[] = [];
  const foreign: string[] = [];
  try {
    for (const c of (await hv.listCheckpoints(uuid)).reverse()) {
      if (ownCheckpoint(catalog, uuid, c.name) === null) {
        foreign.push(c.name); // another tool's, or another catalog's: left alone
        continue;
      }
      try {
        await hv.deleteCheckpoint(uuid, c.name, { metadataOnly: true });
        dropped.push(c.name);
      } catch (e) {
        if (isVirtpointError(e, 'CHECKPOINT_NOT_FOUND')) continue;
        log.warn(
          { uuid, checkpoint: c.name, err: String(e) },
          'could not drop a checkpoint after the rollback',
        );
      }
    }
  } catch (e) {
    log.warn({ uuid, err: String(e) }, 'could not list the checkpoints after the rollback');
  }
  return { dropped: dropped.reverse(), foreign: foreign.reverse() };
}
