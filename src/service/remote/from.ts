/**
 * `--from NAME` on volume create, image create and rollback (docs/copies.md, "Restore from a
 * target"): a point on a target as a restore source (restore/source.ts). `describe` reads the
 * manifests to check the request before a job is queued; `withFetched` fetches the point and
 * its ancestors (fetch.ts: checked against the manifests' sha256 as they arrive, decrypted)
 * into `<store>/.remote-fetch-<id>/`, hands the restore the fetched files, and removes them
 * afterwards — also when the restore fails or is canceled.
 */

import { jobError, type RestoreRunOptions } from '../restore/common.js';
import type { RemoteSources, RestoreSource } from '../restore/source.js';
import { fetchPoint, type FetchDeps } from './fetch.js';
import { withTarget, type OpenTargetDeps } from './open.js';
import { findRemotePoint } from './remote.js';
import { pointNeeds, readListing, type PointNeeds, type RemotePoint } from './scan.js';
import { VirtpointError } from '../../core/errors.js';
import type { TargetStore } from '../../ports/target.js';

export type RemoteSourceDeps = OpenTargetDeps & FetchDeps;

function sourceOf(
  p: RemotePoint,
  needs: PointNeeds,
  from: string,
  file: (disk: string) => string,
): RestoreSource {
  return {
    pointId: p.pointId,
    domainUuid: p.domainUuid,
    from,
    disks: [...needs.top].map(([disk, f]) => ({
      target: disk,
      virtualSize: f.virtualSize,
      file: file(disk),
    })),
  };
}

export class RemoteSourcesImpl implements RemoteSources {
  constructor(private readonly deps: RemoteSourceDeps) {}

  private async find(store: TargetStore, key: Uint8Array | null, target: string, pointId: string) {
    const listing = await readListing(store, key);
    const point = findRemotePoint(listing, pointId, target);
    const needs = pointNeeds(point, listing);
    if (needs.missing.length > 0) {
      throw new VirtpointError(
        'REMOTE_NOT_FOUND',
        `point ${pointId} is incomplete on target ${target}: ${needs.missing.join(', ')} missing or of the wrong size; copy the point again`,
      );
    }
    return { point, needs };
  }

  describe(from: string, pointId: string): Promise<RestoreSource> {
    return withTarget(this.deps, from, async ({ target, store, key }) => {
      const { point, needs } = await this.find(store, key, target.name, pointId);
      return sourceOf(point, needs, target.name, (disk) => needs.top.get(disk)!.key);
    });
  }

  withFetched<T>(
    from: string,
    pointId: string,
    opts: RestoreRunOptions,
    fn: (src: RestoreSource) => Promise<T>,
  ): Promise<T> {
    return withTarget(this.deps, from, async ({ target, store, key }) => {
      const { point, needs } = await this.find(store, key, target.name, pointId);
      const fetched = await fetchPoint(this.deps, store, needs, key, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (p) =>
          opts.onProgress?.({ ...p, phase: `fetching point ${pointId} from ${target.name}` }),
      }).catch((e: unknown) => {
        throw jobError(e, opts.signal, `fetching point ${pointId} from ${target.name}`);
      });
      try {
        return await fn(sourceOf(point, needs, target.name, (disk) => fetched.top.get(disk)!));
      } finally {
        await fetched.remove();
      }
    });
  }
}
