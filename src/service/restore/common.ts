import { basename, dirname, join } from 'node:path';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { isValidId, newId, type RandomBytes } from '../../core/names.js';
import { isPointBusy } from '../../core/point-state.js';
import type { Catalog, Point, PointDisk } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';

/** Shared by rollback, create-volume and create-image: reading a point, writing new files. */

export interface RestoreRunOptions {
  /** Bytes written so far / in all (the sum of the virtual sizes of the disks written). */
  readonly onProgress?: (progress: { done: number; total: number | null }) => void;
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

/**
 * Runs `check`, then `fn`, with the point `restoring` (another job on it gets POINT_BUSY; its
 * files cannot be deleted meanwhile) and puts it back to `available` afterwards, whatever happens
 * (unless the check found it corrupt).
 */
export async function whileReading<T>(
  catalog: Catalog,
  log: Logger,
  point: Point,
  fn: () => Promise<T>,
  check?: () => Promise<void>,
): Promise<T> {
  requireAvailable(point);
  catalog.updatePointState(point.id, 'restoring');
  try {
    // the files are checked once the point is held (POINT_CORRUPT: nothing touched yet)
    await check?.();
    return await fn();
  } finally {
    try {
      if (catalog.getPoint(point.id)?.state === 'restoring') catalog.updatePointState(point.id, 'available');
    } catch (e) {
      log.error({ point: point.id, err: String(e) }, 'could not put the point back to available');
    }
  }
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

/** Names of the domains that have `path` as a disk source (a file in use must not be deleted). */
export async function domainsUsing(hv: Hypervisor | undefined, path: string): Promise<string[]> {
  if (hv === undefined) return [];
  const domains = await hv.listDomains();
  return domains.filter((d) => d.disks.some((x) => x.sourcePath === path)).map((d) => d.name);
}

/** INVALID_STATE when a domain uses `path` as a disk (`what`: "image x", "volume y"). */
export async function assertNotInUse(hv: Hypervisor | undefined, path: string, what: string): Promise<void> {
  const users = await domainsUsing(hv, path);
  if (users.length > 0) {
    throw new VirtpointError(
      'INVALID_STATE',
      `${what} is a disk of domain ${users.join(', ')}; detach it first`,
    );
  }
}

/** The error a failed or canceled restore-side job reports. */
export function jobError(e: unknown, signal: AbortSignal | undefined, what: string): VirtpointError {
  if (signal?.aborted)
    return new VirtpointError('JOB_CANCELED', `${what} was canceled; nothing changed`, { cause: e });
  return toVirtpointError(e, 'JOB_FAILED');
}
