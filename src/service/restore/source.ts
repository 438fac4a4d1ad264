/**
 * What a restore reads (docs/restore.md; docs/copies.md "Restore from a target"): a point's
 * disks as files. A local point's source is its store files (`localSource`); a remote point's is
 * the files fetch.ts put into a temporary directory (service/remote/from.ts). Rollback,
 * create-volume and create-image write from a source the same way, whichever it is.
 */

import { VirtpointError } from '../../core/errors.js';
import { resolveStorePath } from '../../core/store-layout.js';
import type { Point } from '../../ports/catalog.js';
import type { RestoreRunOptions } from './common.js';

export interface SourceDisk {
  /** The disk's target at backup time (`vda`). */
  readonly target: string;
  /** Virtual size of the disk at the point. */
  readonly virtualSize: number;
  /** Absolute path of the point's file of the disk (its backing files resolve beside it). */
  readonly file: string;
}

export interface RestoreSource {
  readonly pointId: string;
  /** The point's domain (its manifest's domain UUID for a remote point). */
  readonly domainUuid: string;
  readonly disks: readonly SourceDisk[];
  /** The target the point comes from; null for a local point. */
  readonly from: string | null;
}

/** A catalog point's store files. */
export function localSource(storeRoot: string, point: Point): RestoreSource {
  return {
    pointId: point.id,
    domainUuid: point.domainUuid,
    from: null,
    disks: point.disks.map((d) => ({
      target: d.target,
      virtualSize: d.virtualSize,
      file: resolveStorePath(storeRoot, d.path),
    })),
  };
}

/** The source's disk `target`; DISK_NOT_FOUND naming the disks it has. */
export function sourceDisk(src: RestoreSource, target: string): SourceDisk {
  const d = src.disks.find((x) => x.target === target);
  if (d === undefined) {
    const where = src.from === null ? '' : ` on target ${src.from}`;
    throw new VirtpointError(
      'DISK_NOT_FOUND',
      `point ${src.pointId}${where} has no disk ${target} (disks: ${src.disks.map((x) => x.target).join(', ')})`,
    );
  }
  return d;
}

/**
 * Points on targets as restore sources (implemented by service/remote/from.ts, so the restore
 * feature does not import the remote one).
 */
export interface RemoteSources {
  /**
   * The point `pointId` on target `from`, read from the manifests, complete there (every file it
   * and its ancestors need present): REMOTE_NOT_FOUND, TARGET_NOT_FOUND otherwise. Its disks'
   * `file` is the remote object key: for messages only, never read.
   */
  describe(from: string, pointId: string): Promise<RestoreSource>;
  /**
   * Fetches the point and its ancestors (checked against the manifests' sha256, decrypted) into a
   * temporary directory under the store, runs `fn` on the fetched files and removes them
   * afterwards, whether `fn` succeeds or fails.
   */
  withFetched<T>(
    from: string,
    pointId: string,
    opts: RestoreRunOptions,
    fn: (src: RestoreSource) => Promise<T>,
  ): Promise<T>;
}
