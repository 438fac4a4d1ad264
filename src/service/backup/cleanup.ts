import type { VirtpointError } from '../../core/errors.js';
import { chainDir, resolveStorePath } from '../../core/store-layout.js';
import { parseCheckpointName } from '../../core/names.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { BackupDeps } from './deps.js';
import { RECONNECT_WAIT_MS, removeCheckpoint } from './checkpoints.js';

/** What a backup leaves behind when it fails or seals a chain: jobs, checkpoints, files. */

/**
 * The checkpoints of a sealed chain can never serve an incremental again; their bitmaps would
 * only cost the guest on every write. Deleted oldest first (each merges into nothing older);
 * checkpoints made by other tools are left alone. Failures are logged, never fatal.
 */
export async function dropCheckpoints(deps: BackupDeps, uuid: string, chainId: string): Promise<void> {
  const { hypervisor: hv, log } = deps;
  try {
    const ours = (await hv.listCheckpoints(uuid))
      .map((c) => ({ name: c.name, parsed: parseCheckpointName(c.name) }))
      .filter((c) => c.parsed?.chainId === chainId)
      .sort((a, b) => (a.parsed?.seq ?? 0) - (b.parsed?.seq ?? 0));
    for (const c of ours) {
      try {
        await hv.deleteCheckpoint(uuid, c.name);
      } catch (e) {
        // A broken bitmap may refuse a full delete; drop at least libvirt's metadata.
        log.warn(
          { uuid, checkpoint: c.name, err: String(e) },
          'checkpoint delete failed; removing its metadata only',
        );
        await hv.deleteCheckpoint(uuid, c.name, { metadataOnly: true });
      }
    }
  } catch (e) {
    log.error({ uuid, chain: chainId, err: String(e) }, 'could not drop the checkpoints of a sealed chain');
  }
}

/** Makes sure no backup job of ours still runs on the domain (abort, then wait up to 30 s). */
async function stopJob(deps: BackupDeps, uuid: string): Promise<void> {
  const { hypervisor: hv, clock, log } = deps;
  const deadline = clock.now() + 30_000;
  try {
    if ((await hv.getJobStats(uuid)).type === 'none') return;
    await hv.abortJob(uuid);
    while (clock.now() < deadline) {
      if ((await hv.getJobStats(uuid)).type === 'none') return;
      await clock.sleep(deps.pollMs ?? 250);
    }
    log.error({ uuid }, 'the failed backup job did not stop within 30 s');
  } catch (e) {
    log.error({ uuid, err: String(e) }, 'could not abort the failed backup job');
  }
}

/**
 * Undo a failed backup: checkpoint, files, point state. Each step is tried; failures are logged.
 * Returns false when the point's checkpoint could not be deleted (it is removed later: the error
 * point proves it ours, so it must stay until then).
 */
export async function undoBackup(
  deps: BackupDeps,
  point: Point,
  begun: boolean,
  err: VirtpointError,
): Promise<boolean> {
  const { fs, catalog, log, storeRoot } = deps;
  if (begun) await stopJob(deps, point.domainUuid);
  const cp = point.disks[0]?.checkpoint ?? null;
  let checkpointGone = true;
  if (cp !== null) {
    checkpointGone = await removeCheckpoint(deps, point.domainUuid, cp, RECONNECT_WAIT_MS, () =>
      begun ? stopJob(deps, point.domainUuid) : Promise.resolve(),
    );
  }
  for (const d of point.disks) {
    await fs
      .removeFile(resolveStorePath(storeRoot, d.path))
      .catch((e) => log.error({ point: point.id, err: String(e) }, 'could not remove a partial file'));
  }
  await fs
    .removeDirIfEmpty(resolveStorePath(storeRoot, chainDir(point.domainUuid, point.chainId)))
    .catch(() => undefined);
  try {
    catalog.setPointError(point.id, { code: err.code, message: err.message });
  } catch (e) {
    log.error({ point: point.id, err: String(e) }, 'could not mark the failed point as error');
  }
  log.warn({ point: point.id, code: err.code, err: err.message }, 'backup failed');
  return checkpointGone;
}

/**
 * Removes the record of an undone attempt (a canceled backup, an attempt made again): its point,
 * and its chain when that was the pending or failed chain the attempt opened and is now empty.
 * Its checkpoint and files are gone already (undoBackup).
 */
export function discardPoint(catalog: Catalog, pointId: string): void {
  catalog.transaction(() => {
    const p = catalog.getPoint(pointId);
    if (p === null) return;
    catalog.deletePoint(pointId);
    const chain = catalog.getChain(p.chainId);
    if (
      chain !== null &&
      (chain.state === 'pending' || chain.state === 'failed') &&
      catalog.listPoints({ chainId: chain.id }).length === 0
    )
      catalog.deleteChain(chain.id);
  });
}
