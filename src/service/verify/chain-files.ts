/**
 * Which files a point is read through, and what each must be: the point's own files and those
 * of every ancestor down to the chain's full point (each incremental is backed by the newest
 * non-error point before it, see core/chain-decision.ts), oldest first.
 */

import { VirtpointError } from '../../core/errors.js';
import { relativeBackingPath } from '../../core/store-layout.js';
import type { ChainMember, ExpectedFile } from '../../core/verify.js';
import type { Catalog, Point } from '../../ports/catalog.js';

export interface PointChainFiles {
  /** Every point of the chain (for the corrupt marking). */
  readonly members: readonly ChainMember[];
  /** The point and its ancestors, oldest first. */
  readonly lineage: readonly Point[];
  readonly files: readonly ExpectedFile[];
}

export function chainFiles(catalog: Catalog, point: Point): PointChainFiles {
  const all = catalog.listPoints({ chainId: point.chainId });
  const lineage: Point[] = [point];
  let cur = point;
  while (cur.kind !== 'full') {
    const parent = all
      .filter((p) => p.seq < cur.seq && p.state !== 'error')
      .reduce<Point | null>((best, p) => (best === null || p.seq > best.seq ? p : best), null);
    if (parent === null) {
      throw new VirtpointError(
        'INVALID_STATE',
        `point ${cur.id} (seq ${cur.seq}) of chain ${point.chainId} has no parent point in the catalog`,
      );
    }
    lineage.unshift(parent);
    cur = parent;
  }
  const files: ExpectedFile[] = [];
  lineage.forEach((p, i) => {
    const parent = i === 0 ? null : lineage[i - 1]!;
    for (const d of p.disks) {
      files.push({
        pointId: p.id,
        seq: p.seq,
        target: d.target,
        path: d.path,
        fileSize: d.fileSize,
        sha256: d.sha256,
        backing: parent === null || d.format !== 'qcow2' ? null : relativeBackingPath(d.target, parent.seq),
        format: d.format,
      });
    }
  });
  return { members: all.map((p) => ({ id: p.id, seq: p.seq, state: p.state })), lineage, files };
}
