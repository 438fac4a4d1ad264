import { isVirtpointError } from '../../core/errors.js';
import { parseCheckpointName } from '../../core/names.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';

/**
 * The checkpoints failed backups leave in libvirt. A backup's checkpoint is created with its job
 * (backupBegin); when the job then fails because QEMU was killed, the domain destroyed or
 * libvirtd restarted, deleting the checkpoint right away often fails too (the domain is gone,
 * or libvirtd is). A checkpoint left behind keeps an active bitmap that costs every guest write
 * for the life of the chain. So it is removed when the job fails (waiting for libvirtd to come
 * back), again by reconcile on start, and before the next backup of the domain.
 *
 * Only checkpoints proven to be this catalog's own failed ones are touched: the name is
 * `vp-<chain>-<seq>`, the chain is this domain's in the catalog, and every point of the catalog
 * at that chain and seq is `error` (a failed backup). Checkpoints of available points, of points
 * being deleted (their merge needs them), of other catalogs' chains and of other tools are left.
 */

export interface CheckpointDeps {
  readonly hypervisor: Hypervisor;
  readonly catalog: Catalog;
  readonly log: Logger;
  readonly imageTool: ImageTool;
}

/** How long a failed job's cleanup waits for libvirtd to come back. */
export const RECONNECT_WAIT_MS = 30_000;

/**
 * Deletes one checkpoint: the full delete (bitmaps too); when libvirt refuses it (the bitmap is
 * not in the image: QEMU died before writing it), the metadata only. When libvirtd is gone it
 * waits up to `reconnectMs` for it and tries once more. Returns whether it is gone; failures are
 * logged, never thrown.
 */
export async function removeCheckpoint(
  deps: CheckpointDeps,
  uuid: string,
  name: string,
  reconnectMs = RECONNECT_WAIT_MS,
  /** Run after libvirtd came back, before the second try (stop the job it may still run). */
  afterReconnect: () => Promise<void> = () => Promise.resolve(),
): Promise<boolean> {
  const { hypervisor: hv, log } = deps;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      try {
        await hv.deleteCheckpoint(uuid, name);
      } catch (e) {
        // Not found, libvirtd gone, or the domain busy (a job still runs): a metadata-only delete
        // would leave the bitmap in QEMU without a name.
        if (
          isVirtpointError(e, 'CHECKPOINT_NOT_FOUND') ||
          isVirtpointError(e, 'LIBVIRT_DISCONNECTED') ||
          isVirtpointError(e, 'INVALID_STATE')
        )
          throw e;
        log.warn(
          { uuid, checkpoint: name, err: String(e) },
          'checkpoint delete failed; removing its metadata only',
        );
        // A shut-off domain (libvirt cannot delete its checkpoints): the bitmap QEMU wrote into
        // the images when it stopped goes with qemu-img, else the next start would load it.
        const bitmaps = isVirtpointError(e, 'UNSUPPORTED') ? await bitmapsOf(deps, uuid, name) : [];
        await hv.deleteCheckpoint(uuid, name, { metadataOnly: true });
        for (const b of bitmaps) await deps.imageTool.removeBitmap(b.path, b.bitmap);
      }
      return true;
    } catch (e) {
      if (isVirtpointError(e, 'CHECKPOINT_NOT_FOUND') || isVirtpointError(e, 'DOMAIN_NOT_FOUND')) return true;
      if (attempt === 1 && isVirtpointError(e, 'LIBVIRT_DISCONNECTED')) {
        try {
          await hv.whenConnected(reconnectMs);
          await afterReconnect();
          continue;
        } catch {
          // still gone: reconcile and the next backup of the domain remove it
        }
      }
      log.error(
        { uuid, checkpoint: name, err: String(e) },
        'could not delete the checkpoint of a failed backup; it is removed before the next backup',
      );
      return false;
    }
  }
  return false;
}

/** The images (of a shut-off domain) holding the checkpoint's bitmap. */
async function bitmapsOf(
  deps: CheckpointDeps,
  uuid: string,
  name: string,
): Promise<{ path: string; bitmap: string }[]> {
  const cp = (await deps.hypervisor.listCheckpoints(uuid)).find((c) => c.name === name);
  const domain = await deps.hypervisor.lookupDomain(uuid);
  if (cp === undefined || domain.state !== 'shutoff') return [];
  const out: { path: string; bitmap: string }[] = [];
  for (const d of cp.disks) {
    const path = domain.disks.find((x) => x.target === d.target && x.format === 'qcow2')?.sourcePath;
    if (!path) continue;
    const bitmap = d.bitmap ?? name;
    if ((await deps.imageTool.info(path)).bitmaps.some((b) => b.name === bitmap)) out.push({ path, bitmap });
  }
  return out;
}

/**
 * The one rule for "is this checkpoint ours": its name is `vp-<chain>-<seq>` and that chain is in
 * *this* catalog, of this domain. Returns the chain id and seq, or null for a checkpoint of
 * another tool or of another catalog (a second daemon, a catalog restored elsewhere): those are
 * never dropped or deleted, only reported.
 */
export function ownCheckpoint(
  catalog: Pick<Catalog, 'getChain'>,
  uuid: string,
  name: string,
): { chainId: string; seq: number } | null {
  const parsed = parseCheckpointName(name);
  if (parsed === null) return null;
  const chain = catalog.getChain(parsed.chainId);
  return chain !== null && chain.domainUuid === uuid ? parsed : null;
}

/** Names of the domain's checkpoints that belong to this catalog's failed points (oldest first). */
export async function failedCheckpoints(deps: CheckpointDeps, uuid: string): Promise<string[]> {
  const { hypervisor: hv, catalog } = deps;
  const out: { name: string; seq: number }[] = [];
  for (const c of await hv.listCheckpoints(uuid)) {
    const parsed = ownCheckpoint(catalog, uuid, c.name);
    if (parsed === null) continue;
    const points = catalog.listPoints({ chainId: parsed.chainId }).filter((p) => p.seq === parsed.seq);
    if (points.length === 0 || !points.every((p) => p.state === 'error')) continue;
    out.push({ name: c.name, seq: parsed.seq });
  }
  return out.sort((a, b) => b.seq - a.seq).map((c) => c.name);
}

/** Removes the checkpoints of the domain's failed points (newest first); returns their names. */
export async function removeFailedCheckpoints(deps: CheckpointDeps, uuid: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await failedCheckpoints(deps, uuid);
  } catch (e) {
    if (!isVirtpointError(e, 'DOMAIN_NOT_FOUND'))
      deps.log.warn({ uuid, err: String(e) }, 'could not list checkpoints to remove failed ones');
    return removed;
  }
  for (const name of names) if (await removeCheckpoint(deps, uuid, name, 0)) removed.push(name);
  if (removed.length > 0)
    deps.log.warn({ uuid, checkpoints: removed }, 'removed checkpoints left by failed backups');
  return removed;
}
