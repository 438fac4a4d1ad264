/**
 * The length and sha256 of each file of a point, read once right after the backup job (the page
 * cache is still warm; the guest is long thawed). Recorded with the `available` transition, and
 * again by every operation that rewrites a point's file, so a verify can prove the bytes.
 */

import { resolveStorePath } from '../../core/store-layout.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { FileChecksum, Fs } from '../../ports/fs.js';

export async function pointChecksums(
  deps: { readonly fs: Fs; readonly storeRoot: string },
  point: Pick<Point, 'disks'>,
  signal?: AbortSignal,
  only?: readonly string[],
): Promise<Record<string, FileChecksum>> {
  // one file after the other: the store's disks read sequentially are fastest
  const out: Record<string, FileChecksum> = {};
  for (const d of point.disks) {
    if (only !== undefined && !only.includes(d.target)) continue;
    out[d.target] = await deps.fs.checksumFile(resolveStorePath(deps.storeRoot, d.path), signal);
  }
  return out;
}

/**
 * Rewrites files of a point in place (`rewrite`), keeping its recorded checksums true: they are
 * cleared first (a crash halfway leaves "not recorded", never a stale checksum that a verify would
 * take for corruption), then recorded anew from the rewritten files.
 */
export async function rewritingFiles<T>(
  deps: { readonly fs: Fs; readonly storeRoot: string; readonly catalog: Catalog },
  point: Point,
  targets: readonly string[],
  rewrite: () => Promise<T>,
): Promise<T> {
  const cleared = Object.fromEntries(targets.map((t) => [t, null]));
  deps.catalog.verify.recordChecksums(point.id, cleared);
  const out = await rewrite();
  deps.catalog.verify.recordChecksums(point.id, await pointChecksums(deps, point, undefined, targets));
  return out;
}
