import { basename, dirname, join, normalize } from 'node:path';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { isValidId, newId, type RandomBytes } from '../../core/names.js';
import { isPointBusy } from '../../core/point-state.js';
import type { Catalog, Point, PointDisk } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { DiskInfo, Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';
import { VerifyService, type VerifyDeps } from '../verify/verify.js';

/** Shared by rollback, create-volume and create-image: reading a point, writing new files. */

export interface RestoreRunOptions {
  /** Bytes written so far / in all (the sum of the virtual sizes of the disks written). */
  readonly onProgress?: (progress: { done: number; total: number | null; phase?: string }) => void;
  readonly signal?: AbortSignal;
}

export function requirePoint(catalog: Catalog, pointId: string): Point {
  const p = isValidId(pointId) ? catalog.getPoint(pointId) : null;
  if (p === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
  return p;
}

/** POINT_BUSY while another job works on the point; INVALID_STATE unless it is `available`. */
export function requireAvailable(point: Point): void {
  if (point.state === 'available') return;
  if (point.state === 'corrupt') {
    const found = point.verify.detail?.summary ?? 'its files do not match what was written';
    throw new VirtpointError(
      'POINT_CORRUPT',
      `point ${point.id} is corrupt (${found}); restore from an earlier point, or delete it`,
    );
  }
  if (isPointBusy(point.state)) {
    throw new VirtpointError('POINT_BUSY', `point ${point.id} is ${point.state}; wait for its job to end`);
  }
  throw new VirtpointError(
    'INVALID_STATE',
    `point ${point.id} is ${point.state}; only an available point can be read`,
  );
}

export function pointDisk(point: Point, target: string): PointDisk {
  const d = point.disks.find((x) => x.target === target);
  if (d === undefined) {
    throw new VirtpointError(
      'DISK_NOT_FOUND',
      `point ${point.id} has no disk ${target} (disks: ${point.disks.map((x) => x.target).join(', ')})`,
    );
  }
  return d;
}

/** Resolves once the check of the point's files has passed; rejects with its error (POINT_CORRUPT) if not. */
export type Verified = () => Promise<void>;

/** For files that need no check here (a remote point's, checked by the fetch). */
export const noCheck: Verified = () => Promise.resolve();

/**
 * Runs `fn` with the point `restoring` (another job on it gets POINT_BUSY; its files cannot be
 * deleted meanwhile) and puts it back to `available` afterwards, whatever happens. The files of
 * `disks` it reads through are checked (docs/verify.md "Before every restore"); a damaged one
 * stops the restore with POINT_CORRUPT and the point stays corrupt.
 * - By default the check runs first, before `fn` touches anything (a rollback of a running
 *   domain: nothing is shut down for a corrupt point).
 * - `alongside`: the check runs while `fn` writes its new files (the two read the same point
 *   files at once: one read from the disk instead of two), and `fn` awaits `verified()` before
 *   it publishes anything (the link of a new file, the rename over a disk, the catalog record).
 *   When `fn` fails while the check found damage, the damage is the error reported.
 */
export async function whileReading<T>(
  deps: VerifyDeps,
  point: Point,
  disks: readonly string[],
  fn: (verified: Verified) => Promise<T>,
  signal?: AbortSignal,
  alongside = false,
): Promise<T> {
  const { catalog, log } = deps;
  requireAvailable(point);
  catalog.updatePointState(point.id, 'restoring');
  try {
    const verify = new VerifyService(deps);
    if (!alongside) {
      await verify.checkBeforeRestore(point, disks, signal);
      return await fn(noCheck);
    }
    const check = verify.checkBeforeRestore(point, disks, signal);
    check.catch(() => undefined); // awaited below in every path, never unhandled meanwhile
    let out: T;
    try {
      out = await fn(() => check);
    } catch (e) {
      throw (
        (await check.then(
          () => null,
          (err: unknown) => err,
        )) ?? e
      );
    }
    await check; // fn awaited it before publishing; this only makes sure it has ended
    return out;
  } finally {
    try {
      if (catalog.getPoint(point.id)?.state === 'restoring') catalog.updatePointState(point.id, 'available');
    } catch (e) {
      log.error({ point: point.id, err: String(e) }, 'could not put the point back to available');
    }
  }
}

/**
 * whileReading for a job that writes one disk of the point into a new file (create-volume,
 * create-image): the check runs alongside the copy; `fn` awaits `verified()` before the link.
 */
export function whileCopying<T>(
  deps: VerifyDeps,
  point: Point,
  disk: string,
  fn: (verified: Verified) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return whileReading(deps, point, [disk], fn, signal, true);
}

/** A name beside `path` for a file being written: `.<name>.virtpoint-<tag>-<id>`. */
export function besidePath(path: string, tag: string, id: string): string {
  return join(dirname(path), `.${basename(path)}.virtpoint-${tag}-${id}`);
}

/**
 * Writes a new file at `path` without ever overwriting: `write` fills a temp file beside it,
 * which gets `mode`, is fsynced and linked to `path` (ALREADY_EXISTS when the name was taken
 * meanwhile); the temp name is removed and the directory fsynced. On failure nothing is left.
 */
export async function writeNewFile(
  deps: { readonly fs: Fs; readonly random: RandomBytes; readonly log: Logger },
  path: string,
  mode: number,
  write: (tmp: string) => Promise<void>,
): Promise<void> {
  const { fs, log } = deps;
  if (await fs.exists(path))
    throw new VirtpointError('ALREADY_EXISTS', `${path} exists; it is never overwritten`);
  const tmp = besidePath(path, 'tmp', newId(deps.random));
  let linked = false;
  try {
    await write(tmp);
    await fs.chmod(tmp, mode);
    await fs.fsyncFile(tmp);
    await fs.link(tmp, path);
    linked = true;
    await fs.removeFile(tmp);
    await fs.fsyncDir(dirname(path));
  } catch (e) {
    await fs
      .removeFile(tmp)
      .catch((e2) => log.error({ tmp, err: String(e2) }, 'could not remove a temp file'));
    if (linked) await fs.removeFile(path).catch(() => undefined);
    throw e;
  }
}

/** A storage-pool volume by name, as a `volume` disk names it. */
export interface PoolVolume {
  readonly pool: string;
  readonly volume: string;
}

/**
 * Names (sorted) of the domains that have `path` (or the pool volume `poolVolume`, for a `volume`
 * disk) as a disk source in their running or their persistent definition: a shut-off domain, or
 * a disk attached with `--config` only, counts too (deleting the file would keep that domain
 * from starting).
 */
export async function domainsUsing(hv: Hypervisor, path: string, poolVolume?: PoolVolume): Promise<string[]> {
  const want = normalize(path);
  const names = (x: DiskInfo) =>
    poolVolume !== undefined &&
    x.sourceVolume?.pool === poolVolume.pool &&
    x.sourceVolume.volume === poolVolume.volume;
  const uses = (disks: readonly DiskInfo[]) =>
    disks.some((x) => (x.sourcePath !== null && normalize(x.sourcePath) === want) || names(x));
  return (await hv.listDomainDisks())
    .filter((d) => uses(d.live) || uses(d.persistent))
    .map((d) => d.name)
    .sort();
}

/** IN_USE naming the domains when a domain uses `path` as a disk (`what`: "image x", "volume y"). */
export async function assertNotInUse(
  hv: Hypervisor,
  path: string,
  what: string,
  poolVolume?: PoolVolume,
): Promise<void> {
  const users = await domainsUsing(hv, path, poolVolume);
  if (users.length > 0) {
    const which = users.length === 1 ? `domain ${users[0]}` : `domains ${users.join(', ')}`;
    throw new VirtpointError(
      'IN_USE',
      `${what} is a disk of ${which} (running or persistent definition); detach it first ` +
        `(virsh detach-disk DOMAIN TARGET --config, and --live while it runs)`,
      { details: { path, domains: users } },
    );
  }
}

/** The error a failed or canceled restore-side job reports. */
export function jobError(e: unknown, signal: AbortSignal | undefined, what: string): VirtpointError {
  if (signal?.aborted)
    return new VirtpointError('JOB_CANCELED', `${what} was canceled; nothing changed`, { cause: e });
  return toVirtpointError(e, 'JOB_FAILED');
}
