/**
 * The restore part of the Control interface (service/control-restore.ts) on RestoreService,
 * VolumeService and ImageService: every request is checked by the service's own `check…` before
 * a job is queued (bad input → 4xx, nothing queued), then run as a job — `restore`,
 * `create-volume`, `create-image` (a linked image is instant but still a job, so every create
 * answers 202 with a job to follow). Jobs carry the point's domain, so the runner runs them one
 * at a time per domain, never beside a backup or delete of that domain. Composed into
 * VirtpointControl.
 */

import type { RestoreApi } from './api-types.js';
import { VirtpointError } from '../../core/errors.js';
import type { Catalog, Image, Volume } from '../../ports/catalog.js';
import type { JobView } from '../../contract/index.js';
import type {
  ImageCreateInput,
  ImageView,
  RollbackInput,
  VolumeCreateInput,
  VolumeView,
} from '../../contract/index.js';
import type { ImageService } from './images.js';
import type { JobRunner } from '../jobs/runner.js';
import type { RestoreService, RollbackRequest } from './rollback.js';
import { requirePoint } from './common.js';
import { jobView } from '../catalog/views.js';
import type { VolumeService } from './volumes.js';

export interface RestoreServices {
  readonly restore: RestoreService;
  readonly volumes: VolumeService;
  readonly images: ImageService;
}

const iso = (ms: number): string => new Date(ms).toISOString();

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

export class RestoreControl implements RestoreApi {
  constructor(
    private readonly deps: { readonly catalog: Catalog; readonly runner: JobRunner },
    private readonly services: RestoreServices | undefined,
  ) {}

  async startRollback(input: RollbackInput): Promise<JobView> {
    const { restore } = this.need();
    const req = rollbackRequest(input);
    await restore.checkRollback(req);
    const point = requirePoint(this.deps.catalog, req.pointId);
    const uuid = point.domainUuid; // checkRollback: the point belongs to the domain
    const job = this.deps.runner.submit(
      { type: 'restore', trigger: 'manual', domainUuid: uuid, pointId: point.id },
      (ctx) => restore.rollback({ ...req, domain: uuid }, { onProgress: ctx.progress, signal: ctx.signal }),
    );
    return jobView(job);
  }

  async createVolume(input: VolumeCreateInput): Promise<JobView> {
    const { volumes } = this.need();
    const req = {
      pointId: input.point,
      disk: input.disk,
      name: input.name,
      ...(input.pool === undefined ? {} : { pool: input.pool }),
      ...(input.dir === undefined ? {} : { dir: input.dir }),
      ...(input.format === undefined ? {} : { format: input.format }),
    };
    await volumes.checkCreate(req);
    const point = requirePoint(this.deps.catalog, req.pointId);
    const job = this.deps.runner.submit(
      { type: 'create-volume', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      async (ctx) =>
        volumeView(await volumes.createVolume(req, { onProgress: ctx.progress, signal: ctx.signal })),
    );
    return jobView(job);
  }

  async listVolumes(): Promise<VolumeView[]> {
    return this.need().volumes.listVolumes().map(volumeView);
  }

  async getVolume(id: string): Promise<VolumeView> {
    return volumeView(this.need().volumes.getVolume(id));
  }

  async deleteVolume(id: string): Promise<void> {
    await this.need().volumes.deleteVolume(id);
  }

  async createImage(input: ImageCreateInput): Promise<JobView> {
    const { images } = this.need();
    const req = {
      pointId: input.point,
      disk: input.disk,
      name: input.name,
      ...(input.linked === undefined ? {} : { linked: input.linked }),
    };
    await images.checkCreate(req);
    const point = requirePoint(this.deps.catalog, req.pointId);
    const job = this.deps.runner.submit(
      { type: 'create-image', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      async (ctx) =>
        imageView(await images.createImage(req, { onProgress: ctx.progress, signal: ctx.signal })),
    );
    return jobView(job);
  }

  async listImages(): Promise<ImageView[]> {
    return this.need().images.listImages().map(imageView);
  }

  async getImage(name: string): Promise<ImageView> {
    return imageView(this.need().images.getImage(name));
  }

  async deleteImage(name: string): Promise<void> {
    await this.need().images.deleteImage(name);
  }

  private need(): RestoreServices {
    if (this.services === undefined) {
      throw new VirtpointError('UNSUPPORTED', 'rollback, volumes and images are not wired in this daemon');
    }
    return this.services;
  }
}
