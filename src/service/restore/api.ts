/**
 * The restore feature's API: rollback, volumes and images. Every request is checked by the
 * service's own `check…` before a job is queued (bad input → 4xx, nothing queued), then run as a
 * job — `rollback`, `create-volume`, `create-image` (a linked image is instant but still a job, so
 * every create answers 202 with a job to follow). Jobs carry the point's domain, so the runner
 * runs them one at a time per domain, never beside a backup or delete of that domain.
 */

import { iso } from '../../core/iso.js';
import type { Image, Volume } from '../../ports/catalog.js';
import type {
  ImageCreateInput,
  ImageView,
  JobView,
  RollbackInput,
  VolumeCreateInput,
  VolumeView,
} from '../../contract/index.js';
import type { ImageService } from './images.js';
import type { JobRunner } from '../jobs/runner.js';
import type { RollbackService, RollbackRequest } from './rollback.js';
import { jobView } from '../catalog/views.js';
import type { VolumeService } from './volumes.js';
import { sourceDisk, type RemoteSources } from './source.js';
import type { Catalog } from '../../ports/catalog.js';
import { ensureDomainRecord } from '../backup/submit.js';
import { VirtpointError } from '../../core/errors.js';

export interface RestoreApi {
  /** Checks everything (checkRollback) and queues a `rollback` job; bad input throws, nothing is queued. */
  startRollback(input: RollbackInput): Promise<JobView>;
  /** Checks (checkCreate) and queues a `create-volume` job. */
  createVolume(input: VolumeCreateInput): Promise<JobView>;
  listVolumes(): Promise<VolumeView[]>;
  getVolume(id: string): Promise<VolumeView>;
  /** Removes the volume (libvirt volume or file) and its record; INVALID_STATE while a domain uses it. */
  deleteVolume(id: string): Promise<void>;
  /** Checks (checkCreate) and queues a `create-image` job (linked ones too: instant, but a job). */
  createImage(input: ImageCreateInput): Promise<JobView>;
  listImages(): Promise<ImageView[]>;
  getImage(name: string): Promise<ImageView>;
  /** Removes the image file and record (lifting a linked image's protection). */
  deleteImage(name: string): Promise<void>;
}

export interface RestoreApiDeps {
  readonly runner: JobRunner;
  readonly rollback: RollbackService;
  readonly volumes: VolumeService;
  readonly images: ImageService;
  /** Points on targets (`from`: service/remote/from.ts) and the catalog their jobs' domains go in. */
  readonly remote?: {
    readonly sources: RemoteSources;
    readonly catalog: Pick<Catalog, 'getDomain' | 'upsertDomain'>;
  };
}

export function volumeView(v: Volume): VolumeView {
  return {
    id: v.id,
    name: v.name,
    pointId: v.pointId,
    disk: v.disk,
    pool: v.location.kind === 'pool' ? v.location.pool : null,
    dir: v.location.kind === 'dir' ? v.location.dir : null,
    path: v.path,
    format: v.format,
    createdAt: iso(v.createdAt),
  };
}

export function imageView(i: Image): ImageView {
  return {
    name: i.name,
    pointId: i.pointId,
    disk: i.disk,
    path: i.path,
    linked: i.linked,
    createdAt: iso(i.createdAt),
  };
}

export function rollbackRequest(input: RollbackInput): RollbackRequest {
  return {
    domain: input.domain,
    pointId: input.point,
    ...(input.disks === undefined ? {} : { disks: input.disks }),
    ...(input.map === undefined ? {} : { map: input.map }),
    ...(input.start === undefined ? {} : { start: input.start }),
    ...(input.force === undefined ? {} : { force: input.force }),
    ...(input.shutdownTimeout === undefined ? {} : { shutdownTimeoutMs: input.shutdownTimeout * 1000 }),
  };
}

export class RestoreApiImpl implements RestoreApi {
  constructor(private readonly deps: RestoreApiDeps) {}

  private remote(): NonNullable<RestoreApiDeps['remote']> {
    if (this.deps.remote === undefined)
      throw new VirtpointError('INVALID_STATE', 'this daemon restores from local points only (no targets)');
    return this.deps.remote;
  }

  /**
   * `from`: the point is fetched from the target in the job and the restore runs on the fetched
   * files (removed afterwards); the request is checked against the target's manifests first.
   */
  private async rollbackFrom(input: RollbackInput, from: string): Promise<JobView> {
    const { rollback, runner } = this.deps;
    const { sources, catalog } = this.remote();
    const req = rollbackRequest(input);
    const src = await sources.describe(from, input.point);
    const { domain } = await rollback.checkFromSource(req, src);
    ensureDomainRecord(catalog, domain);
    const uuid = domain.uuid;
    const job = runner.submit(
      { type: 'rollback', trigger: 'manual', domainUuid: uuid, pointId: src.pointId },
      (ctx) => {
        const opts = { onProgress: ctx.progress, signal: ctx.signal };
        return sources.withFetched(from, src.pointId, opts, (s) =>
          rollback.runFromSource(uuid, req, s, opts),
        );
      },
    );
    return jobView(job);
  }

  async startRollback(input: RollbackInput): Promise<JobView> {
    if (input.from !== undefined) return this.rollbackFrom(input, input.from);
    const { rollback, runner } = this.deps;
    const req = rollbackRequest(input);
    const checked = await rollback.checkRollback(req);
    const { point } = checked;
    const uuid = point.domainUuid; // checkRollback: the point belongs to the domain
    const job = runner.submit(
      { type: 'rollback', trigger: 'manual', domainUuid: uuid, pointId: point.id },
      (ctx) => rollback.run(uuid, req, { onProgress: ctx.progress, signal: ctx.signal }, checked),
    );
    return jobView(job);
  }

  async createVolume(input: VolumeCreateInput): Promise<JobView> {
    const { volumes, runner } = this.deps;
    const req = {
      pointId: input.point,
      disk: input.disk,
      name: input.name,
      ...(input.pool === undefined ? {} : { pool: input.pool }),
      ...(input.dir === undefined ? {} : { dir: input.dir }),
      ...(input.format === undefined ? {} : { format: input.format }),
    };
    if (input.from !== undefined) {
      const from = input.from;
      const { sources } = this.remote();
      const src = await sources.describe(from, input.point);
      sourceDisk(src, req.disk);
      await volumes.checkDestination(req);
      // no domain: the job touches no domain (the point's may not even be on this host)
      const job = runner.submit({ type: 'create-volume', trigger: 'manual', pointId: src.pointId }, (ctx) => {
        const opts = { onProgress: ctx.progress, signal: ctx.signal };
        return sources.withFetched(from, src.pointId, opts, async (s) =>
          volumeView(await volumes.createFromSource(req, s, opts)),
        );
      });
      return jobView(job);
    }
    const point = await volumes.checkCreate(req);
    const job = runner.submit(
      { type: 'create-volume', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      async (ctx) =>
        volumeView(await volumes.createVolume(req, { onProgress: ctx.progress, signal: ctx.signal })),
    );
    return jobView(job);
  }

  async listVolumes(): Promise<VolumeView[]> {
    return this.deps.volumes.listVolumes().map(volumeView);
  }

  async getVolume(id: string): Promise<VolumeView> {
    return volumeView(this.deps.volumes.getVolume(id));
  }

  async deleteVolume(id: string): Promise<void> {
    await this.deps.volumes.deleteVolume(id);
  }

  async createImage(input: ImageCreateInput): Promise<JobView> {
    const { images, runner } = this.deps;
    const req = {
      pointId: input.point,
      disk: input.disk,
      name: input.name,
      ...(input.linked === undefined ? {} : { linked: input.linked }),
    };
    if (input.from !== undefined) {
      const from = input.from;
      await images.checkDestination(req, true); // refuses linked before the target is read
      const { sources } = this.remote();
      const src = await sources.describe(from, input.point);
      sourceDisk(src, req.disk);
      const job = runner.submit({ type: 'create-image', trigger: 'manual', pointId: src.pointId }, (ctx) => {
        const opts = { onProgress: ctx.progress, signal: ctx.signal };
        return sources.withFetched(from, src.pointId, opts, async (s) =>
          imageView(await images.createFromSource(req, s, opts)),
        );
      });
      return jobView(job);
    }
    const point = await images.checkCreate(req);
    const job = runner.submit(
      { type: 'create-image', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      async (ctx) =>
        imageView(await images.createImage(req, { onProgress: ctx.progress, signal: ctx.signal })),
    );
    return jobView(job);
  }

  async listImages(): Promise<ImageView[]> {
    return this.deps.images.listImages().map(imageView);
  }

  async getImage(name: string): Promise<ImageView> {
    return imageView(this.deps.images.getImage(name));
  }

  async deleteImage(name: string): Promise<void> {
    await this.deps.images.deleteImage(name);
  }
}
