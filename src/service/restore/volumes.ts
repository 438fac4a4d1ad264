import path from 'node:path';
import { VirtpointError, isVirtpointError } from '../../core/errors.js';
import { isValidId, validateFileName, type RandomBytes } from '../../core/names.js';
import { STORE_FILE_MODE } from '../../core/store-layout.js';
import type { Catalog, DiskFormat, Point, Volume } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import type { StoragePools } from '../../ports/storage-pools.js';
import {
  assertNotInUse,
  jobError,
  pointDisk,
  requireAvailable,
  requirePoint,
  noCheck,
  whileCopying,
  writeNewFile,
  type Verified,
  type RestoreRunOptions,
} from './common.js';
import { localSource, sourceDisk, type RestoreSource } from './source.js';

/**
 * Create-volume (docs/restore.md): one disk of a point flattened into a new, independent volume
 * (qcow2 or raw), either in a libvirt storage pool through the storage-volume API (so libvirt
 * knows it), or in a directory listed in the config (`allowedVolumeDirs`). Never overwrites.
 * Recorded in the catalog; only volumes virtpoint made can be deleted through it.
 */

export interface CreateVolumeRequest {
  readonly pointId: string;
  readonly disk: string;
  readonly name: string;
  /** A libvirt storage pool (exactly one of pool and dir). */
  readonly pool?: string;
  /** An absolute directory listed in `allowedVolumeDirs`. */
  readonly dir?: string;
  /** Default qcow2. */
  readonly format?: DiskFormat;
}

export interface VolumeDeps {
  readonly imageTool: ImageTool;
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly pools: StoragePools;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  /** Directories a volume may be written to (config `allowed_volume_dirs`); default none. */
  readonly allowedVolumeDirs?: readonly string[];
  /** To refuse deleting a volume a domain uses as a disk (IN_USE). */
  readonly hypervisor: Hypervisor;
}

const FORMATS: readonly DiskFormat[] = ['qcow2', 'raw'];

/** A directory in its canonical form: absolute, normalized, no trailing slash. */
function canonicalDir(dir: string): string {
  const n = path.posix.normalize(dir);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export class VolumeService {
  private readonly allowed: readonly string[];

  constructor(private readonly deps: VolumeDeps) {
    this.allowed = (deps.allowedVolumeDirs ?? []).map(canonicalDir);
  }

  /** Everything that can be checked without writing (at submit and again in the job); returns the point. */
  async checkCreate(req: CreateVolumeRequest): Promise<Point> {
    this.checkShape(req);
    const point = requirePoint(this.deps.catalog, req.pointId);
    pointDisk(point, req.disk);
    requireAvailable(point);
    await this.checkDestination(req);
    return point;
  }

  private checkShape(req: CreateVolumeRequest): void {
    validateFileName(req.name, 'volume');
    const format = req.format ?? 'qcow2';
    if (!FORMATS.includes(format)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `volume format must be qcow2 or raw, got ${String(format)}`,
      );
    }
  }

  /** The checks of the request and its destination alone (a remote point is checked by its source). */
  async checkDestination(req: CreateVolumeRequest): Promise<void> {
    this.checkShape(req);
    if ((req.pool === undefined) === (req.dir === undefined)) {
      throw new VirtpointError('INVALID_ARGUMENT', 'give exactly one of a storage pool and a directory');
    }
    if (req.pool !== undefined) {
      await this.deps.pools.lookupPool(req.pool);
      return;
    }
    const dir = this.allowedDir(req.dir ?? '');
    const target = path.posix.join(dir, req.name);
    if (await this.deps.fs.exists(target)) {
      throw new VirtpointError('ALREADY_EXISTS', `${target} exists; a volume never overwrites a file`);
    }
  }

  /** From a local point: held `restoring`, its files checked while the volume is written (whileCopying). */
  async createVolume(req: CreateVolumeRequest, opts: RestoreRunOptions = {}): Promise<Volume> {
    const point = await this.checkCreate(req);
    const src = localSource(this.deps.storeRoot, point);
    return whileCopying(this.deps, point, req.disk, (v) => this.write(req, src, opts, v), opts.signal);
  }

  /** From a resolved source (a remote point's fetched files, already checked by the fetch). */
  async createFromSource(req: CreateVolumeRequest, src: RestoreSource, opts: RestoreRunOptions = {}) {
    sourceDisk(src, req.disk);
    await this.checkDestination(req);
    return this.write(req, src, opts, noCheck);
  }

  private async write(
    req: CreateVolumeRequest,
    src: RestoreSource,
    opts: RestoreRunOptions,
    verified: Verified,
  ): Promise<Volume> {
    const disk = sourceDisk(src, req.disk);
    const format = req.format ?? 'qcow2';
    const total = disk.virtualSize;
    const convertOpts = {
      format,
      onProgress: (pct: number) => opts.onProgress?.({ done: Math.floor((total * pct) / 100), total }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    opts.onProgress?.({ done: 0, total });
    try {
      const vol =
        req.pool !== undefined
          ? await this.intoPool(
              req.pool,
              req.name,
              total,
              disk.file,
              src.pointId,
              req.disk,
              convertOpts,
              verified,
            )
          : await this.intoDir(
              this.allowedDir(req.dir ?? ''),
              req.name,
              disk.file,
              src.pointId,
              req.disk,
              convertOpts,
              verified,
            );
      this.deps.log.info(
        { volume: vol.id, point: src.pointId, from: src.from, disk: req.disk, path: vol.path },
        'volume created',
      );
      return vol;
    } catch (e) {
      throw jobError(e, opts.signal, 'creating the volume');
    }
  }

  private async intoPool(
    pool: string,
    name: string,
    capacity: number,
    source: string,
    pointId: string,
    disk: string,
    convertOpts: { format: DiskFormat; onProgress: (pct: number) => void; signal?: AbortSignal },
    verified: Verified,
  ): Promise<Volume> {
    const { pools, imageTool, catalog, log } = this.deps;
    // Files put into the pool's directory outside libvirt must be known, or libvirt might write over them.
    await pools.refreshPool(pool);
    const target = await pools.createVolume(pool, { name, capacity, format: convertOpts.format });
    try {
      await imageTool.convert(source, target, { ...convertOpts, targetExists: true });
      await verified(); // before the volume is recorded; a corrupt point's volume is deleted below
      await pools.refreshPool(pool);
      return catalog.artifacts.createVolume({
        name,
        pointId,
        disk,
        location: { kind: 'pool', pool },
        path: target,
        format: convertOpts.format,
      });
    } catch (e) {
      await pools
        .deleteVolume(target)
        .catch((e2) =>
          log.error({ pool, path: target, err: String(e2) }, 'could not delete a partial volume'),
        );
      throw e;
    }
  }

  private async intoDir(
    dir: string,
    name: string,
    source: string,
    pointId: string,
    disk: string,
    convertOpts: { format: DiskFormat; onProgress: (pct: number) => void; signal?: AbortSignal },
    verified: Verified,
  ): Promise<Volume> {
    const { fs, imageTool, catalog } = this.deps;
    const target = path.posix.join(dir, name);
    await writeNewFile(this.deps, target, STORE_FILE_MODE, async (tmp) => {
      await imageTool.convert(source, tmp, convertOpts);
      await verified(); // before the link: a corrupt point's temp file goes, nothing is published
    });
    try {
      return catalog.artifacts.createVolume({
        name,
        pointId,
        disk,
        location: { kind: 'dir', dir },
        path: target,
        format: convertOpts.format,
      });
    } catch (e) {
      await fs.removeFile(target).catch(() => undefined);
      throw e;
    }
  }

  private allowedDir(dir: string): string {
    const d = canonicalDir(dir);
    if (!path.posix.isAbsolute(dir) || !this.allowed.includes(d)) {
      const list =
        this.allowed.length > 0 ? this.allowed.join(', ') : 'none are configured (allowed_volume_dirs)';
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `volumes can be written only to the allowed directories: ${list}; not ${JSON.stringify(dir)}`,
      );
    }
    return d;
  }

  listVolumes(filter: { pointId?: string } = {}): Volume[] {
    return this.deps.catalog.artifacts.listVolumes(filter);
  }

  /** By id, else by name (INVALID_ARGUMENT listing the ids when volumes of several pools share it). */
  getVolume(ref: string): Volume {
    const byId = isValidId(ref) ? this.deps.catalog.artifacts.getVolume(ref) : null;
    if (byId !== null) return byId;
    const named = this.listVolumes().filter((v) => v.name === ref);
    if (named.length === 1) return named[0]!;
    if (named.length === 0)
      throw new VirtpointError('VOLUME_NOT_FOUND', `no volume ${ref} made by virtpoint`);
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `${named.length} volumes are named ${ref}: ${named.map((v) => `${v.id} (${v.path})`).join(', ')}; give the id`,
    );
  }

  /** Removes a volume virtpoint made (the libvirt volume or the file), then its record. */
  async deleteVolume(id: string): Promise<void> {
    const v = this.getVolume(id);
    const inPool = v.location.kind === 'pool' ? { pool: v.location.pool, volume: v.name } : undefined;
    await assertNotInUse(this.deps.hypervisor, v.path, `volume ${v.name}`, inPool);
    if (v.location.kind === 'pool') {
      try {
        await this.deps.pools.deleteVolume(v.path);
      } catch (e) {
        if (!isVirtpointError(e, 'VOLUME_NOT_FOUND') && !isVirtpointError(e, 'POOL_NOT_FOUND')) throw e;
        this.deps.log.warn({ volume: v.id, path: v.path }, 'the volume was already gone from libvirt');
      }
    } else {
      await this.deps.fs.removeFile(v.path);
      await this.deps.fs.fsyncDir(path.posix.dirname(v.path));
    }
    this.deps.catalog.artifacts.deleteVolume(v.id);
    this.deps.log.info({ volume: v.id, path: v.path }, 'volume deleted');
  }
}
