/**
 * Rollback of a detached volume (docs/backup-engine.md "Detached volumes"): the point's content
 * is flattened into a temp file beside the volume (`.<name>.virtpoint-tmp-<id>`, the volume's
 * format, mode and owner), fsynced, and renamed over the volume, then the directory fsynced —
 * atomic: until the rename the volume is untouched, and any failure removes the temp file.
 * Refused with IN_USE while any domain uses the volume (checked at submit and under the lock).
 * The old file's bitmaps go with it: the resource's open chains are sealed `restored`, so the next
 * backup is a full.
 */

import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { newId } from '../../core/names.js';
import { resolveStorePath } from '../../core/store-layout.js';
import type { Point } from '../../ports/catalog.js';
import type { VolumeResource } from '../../ports/volume-resources.js';
import { besidePath, requireAvailable, requirePoint, whileReading } from '../restore/common.js';
import type { VerifyDeps } from '../verify/verify.js';
import type { DomainLocks } from '../jobs/domain-locks.js';
import type { VolumeBackupDeps } from './deps.js';
import { assertDetached, VOLUME_TARGET } from './resource.js';

export interface VolumeRollbackOptions {
  readonly onProgress?: (p: { done: number; total: number | null }) => void;
  readonly signal?: AbortSignal;
}

export class VolumeRollbackService {
  constructor(
    private readonly deps: VolumeBackupDeps & VerifyDeps,
    /** The volume backup's locks: never beside a backup of the same volume. */
    private readonly locks: DomainLocks,
  ) {}

  /** The point and its volume; INVALID_ARGUMENT for a domain's point, IN_USE while attached. */
  async check(pointId: string): Promise<{ point: Point; volume: VolumeResource }> {
    const point = requirePoint(this.deps.catalog, pointId);
    const volume = this.deps.resources.get(point.domainUuid);
    if (volume === null)
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `point ${point.id} is a domain's point: roll it back with virtpoint rollback DOMAIN --point ${point.id}`,
      );
    requireAvailable(point);
    await assertDetached(this.deps.hypervisor, volume);
    return { point, volume };
  }

  /** Under the resource's lock: checked again, then the volume written back. */
  run(pointId: string, opts: VolumeRollbackOptions = {}): Promise<{ pointId: string; volume: string }> {
    const uuid = requirePoint(this.deps.catalog, pointId).domainUuid;
    return this.locks.run(uuid, () => this.runLocked(pointId, opts));
  }

  private async runLocked(pointId: string, opts: VolumeRollbackOptions) {
    const { fs, imageTool, catalog, log } = this.deps;
    const { point, volume } = await this.check(pointId);
    const source = resolveStorePath(this.deps.storeRoot, point.disks[0]!.path);
    const before = await fs.stat(volume.path);
    const tmp = besidePath(volume.path, 'tmp', newId(this.deps.random));
    await whileReading(
      this.deps,
      point,
      [VOLUME_TARGET],
      async () => {
        try {
          await imageTool.convert(source, tmp, {
            format: volume.format,
            ...(opts.onProgress
              ? {
                  onProgress: (pct: number) =>
                    opts.onProgress!({
                      done: Math.round((pct / 100) * point.disks[0]!.virtualSize),
                      total: point.disks[0]!.virtualSize,
                    }),
                }
              : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          await fs.chown(tmp, before.uid, before.gid);
          await fs.chmod(tmp, before.mode);
          await fs.fsyncFile(tmp);
          await fs.rename(tmp, volume.path);
          await fs.fsyncDir(volume.path.slice(0, volume.path.lastIndexOf('/')) || '/');
        } catch (e) {
          await fs.removeFile(tmp).catch(() => undefined);
          throw opts.signal?.aborted
            ? new VirtpointError('JOB_CANCELED', `rollback of ${volume.label} was canceled; nothing changed`)
            : toVirtpointError(e, 'JOB_FAILED');
        }
      },
      opts.signal,
    );
    for (const c of catalog.listChains({ domainUuid: volume.uuid, state: 'open' }))
      catalog.sealChain(c.id, 'restored');
    log.info({ volume: volume.label, point: point.id }, 'volume rolled back to the point');
    return { pointId: point.id, volume: volume.label };
  }
}
