import path from 'node:path';
import { VirtpointError } from '../../core/errors.js';
import { validateFileName, type RandomBytes } from '../../core/names.js';
import { STORE_DIR_MODE, STORE_FILE_MODE } from '../../core/store-layout.js';
import type { Catalog, Image, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
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
 * Create-image (docs/restore.md): one disk of a point as a qcow2 image in the image directory,
 * the file named like the image. Full: a flattened, independent copy; the point it was made from
 * is protected from deletion (POINT_PROTECTED) until the image is deleted. Linked: a thin
 * overlay whose backing file is the point's file (instant); the point and its chain ancestors
 * are protected. Never overwrites. An image a domain uses (live or persistent definition) is
 * never deleted: IN_USE.
 */

export const DEFAULT_IMAGE_DIR = '/var/lib/virtpoint/images';

export interface CreateImageRequest {
  readonly pointId: string;
  readonly disk: string;
  readonly name: string;
  readonly linked?: boolean;
}

export interface ImageDeps {
  readonly imageTool: ImageTool;
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  /** Where images go (config `image_dir`); default /var/lib/virtpoint/images. */
  readonly imageDir?: string;
  /** To refuse deleting an image a domain uses as a disk (IN_USE). */
  readonly hypervisor: Hypervisor;
}

export class ImageService {
  readonly imageDir: string;

  constructor(private readonly deps: ImageDeps) {
    this.imageDir = path.posix.normalize(deps.imageDir ?? DEFAULT_IMAGE_DIR);
    if (!path.posix.isAbsolute(this.imageDir)) {
      throw new VirtpointError('INVALID_ARGUMENT', `the image directory must be absolute: ${this.imageDir}`);
    }
  }

  /** Everything that can be checked without writing (at submit and again in the job); returns the point. */
  async checkCreate(req: CreateImageRequest): Promise<Point> {
    validateFileName(req.name, 'image');
    const point = requirePoint(this.deps.catalog, req.pointId);
    pointDisk(point, req.disk);
    requireAvailable(point);
    await this.checkDestination(req);
    return point;
  }

  /**
   * The checks of the request and the image name alone (a remote point is checked by its
   * source). `remote`: the point comes from a target, whose fetched files are temporary: a linked
   * image on them is refused.
   */
  async checkDestination(req: CreateImageRequest, remote = false): Promise<void> {
    validateFileName(req.name, 'image');
    if (remote && req.linked === true) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        'a linked image cannot be made from a point on a target (its backing files would be temporary); leave out --linked for a full image',
      );
    }
    if (this.deps.catalog.artifacts.getImage(req.name) !== null) {
      throw new VirtpointError('ALREADY_EXISTS', `an image named ${req.name} already exists`);
    }
    if (await this.deps.fs.exists(this.pathOf(req.name))) {
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `${this.pathOf(req.name)} exists; an image never overwrites a file`,
      );
    }
  }

  /** From a local point: held `restoring`, its files checked while the image is written (whileCopying). */
  async createImage(req: CreateImageRequest, opts: RestoreRunOptions = {}): Promise<Image> {
    const point = await this.checkCreate(req);
    const src = localSource(this.deps.storeRoot, point);
    return whileCopying(this.deps, point, req.disk, (v) => this.write(req, src, opts, v), opts.signal);
  }

  /** A full image from a resolved source (a remote point's fetched files, checked by the fetch). */
  async createFromSource(req: CreateImageRequest, src: RestoreSource, opts: RestoreRunOptions = {}) {
    sourceDisk(src, req.disk);
    await this.checkDestination(req, src.from !== null);
    return this.write(req, src, opts, noCheck);
  }

  private async write(
    req: CreateImageRequest,
    src: RestoreSource,
    opts: RestoreRunOptions,
    verified: Verified,
  ): Promise<Image> {
    const { catalog, fs, imageTool, log } = this.deps;
    const disk = sourceDisk(src, req.disk);
    const source = disk.file;
    const target = this.pathOf(req.name);
    const linked = req.linked === true;
    const total = linked ? 0 : disk.virtualSize;
    opts.onProgress?.({ done: 0, total });
    try {
      await fs.mkdir(this.imageDir, STORE_DIR_MODE);
      await writeNewFile(this.deps, target, STORE_FILE_MODE, async (tmp) => {
        await (linked
          ? imageTool.create(tmp, {
              format: 'qcow2',
              size: disk.virtualSize,
              backingFile: source,
              backingFormat: 'qcow2',
            })
          : imageTool.convert(source, tmp, {
              format: 'qcow2',
              onProgress: (pct) => opts.onProgress?.({ done: Math.floor((total * pct) / 100), total }),
              ...(opts.signal ? { signal: opts.signal } : {}),
            }));
        await verified(); // before the link: nothing is published from a corrupt point
      });
      try {
        const image = catalog.artifacts.createImage({
          name: req.name,
          pointId: src.pointId,
          disk: req.disk,
          path: target,
          linked,
        });
        opts.onProgress?.({ done: total, total });
        log.info(
          { image: image.name, point: src.pointId, from: src.from, disk: req.disk, linked },
          'image created',
        );
        return image;
      } catch (e) {
        await fs.removeFile(target).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      throw jobError(e, opts.signal, 'creating the image');
    }
  }

  listImages(filter: { pointId?: string } = {}): Image[] {
    return this.deps.catalog.artifacts.listImages(filter);
  }

  getImage(name: string): Image {
    const img = this.deps.catalog.artifacts.getImage(name);
    if (img === null) throw new VirtpointError('NOT_FOUND', `no image named ${name}`);
    return img;
  }

  /** Removes the image file, then its record (which lifts the protection of its point). */
  async deleteImage(name: string): Promise<void> {
    const img = this.getImage(name);
    await assertNotInUse(this.deps.hypervisor, img.path, `image ${name}`);
    await this.deps.fs.removeFile(img.path);
    await this.deps.fs.fsyncDir(path.posix.dirname(img.path));
    this.deps.catalog.artifacts.deleteImage(name);
    this.deps.log.info({ image: name, path: img.path }, 'image deleted');
  }

  private pathOf(name: string): string {
    return path.posix.join(this.imageDir, name);
  }
}
