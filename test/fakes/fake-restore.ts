import type { RestoreApi } from '../../src/service/restore/api.js';
import { VirtpointError } from '../../src/core/errors.js';
import type {
  DomainView,
  ImageCreateInput,
  ImageView,
  JobView,
  PointView,
  RollbackInput,
  VolumeCreateInput,
  VolumeView,
} from '../../src/contract/index.js';

/**
 * The restore API (rollback, volumes, images) in memory. Checks like the services' `check…`
 * (unknown point, point of another domain, unknown disk, a directory not allowed, a name taken)
 * and queues a job through `queue` (stored by the catalog fake so its events can be streamed).
 * Volume `v00000000001` (dir /srv/volumes) and linked image `golden` on point 0 exist.
 */

const T0 = '2025-01-01T00:00:00.000Z';
export const VOLUME1 = 'e00000000001';
export const ALLOWED_DIR = '/srv/volumes';

export interface FakeRestoreHost {
  /** Records the call (and throws an injected failure). */
  enter(method: keyof RestoreApi, ...args: unknown[]): void;
  domain(ref: string): DomainView;
  point(id: string): PointView;
  queue(patch: Partial<JobView>): JobView;
}

export class FakeRestore implements RestoreApi {
  readonly volumes = new Map<string, VolumeView>([
    [
      VOLUME1,
      {
        id: VOLUME1,
        name: 'web-copy',
        pointId: 'a00000000001',
        disk: 'vda',
        pool: null,
        dir: ALLOWED_DIR,
        path: `${ALLOWED_DIR}/web-copy`,
        format: 'qcow2',
        createdAt: T0,
      },
    ],
  ]);
  readonly images = new Map<string, ImageView>([
    [
      'golden',
      {
        name: 'golden',
        pointId: 'a00000000000',
        disk: 'vda',
        path: '/var/lib/virtpoint/images/golden',
        linked: true,
        createdAt: T0,
      },
    ],
  ]);

  constructor(private readonly host: FakeRestoreHost) {}

  private pointDisk(pointId: string, disk: string): PointView {
    const p = this.host.point(pointId);
    if (!p.disks.some((d) => d.target === disk)) {
      throw new VirtpointError('DISK_NOT_FOUND', `point ${pointId} has no disk ${disk}`);
    }
    return p;
  }

  async startRollback(input: RollbackInput): Promise<JobView> {
    this.host.enter('startRollback', input);
    const d = this.host.domain(input.domain);
    const p = this.host.point(input.point);
    if (p.domain !== d.uuid) {
      throw new VirtpointError('INVALID_ARGUMENT', `point ${p.id} belongs to ${p.domainName}, not ${d.name}`);
    }
    for (const disk of input.disks ?? []) this.pointDisk(p.id, disk);
    return this.host.queue({ type: 'rollback', domain: d.uuid, pointId: p.id });
  }

  async createVolume(input: VolumeCreateInput): Promise<JobView> {
    this.host.enter('createVolume', input);
    const p = this.pointDisk(input.point, input.disk);
    if ((input.pool === undefined) === (input.dir === undefined)) {
      throw new VirtpointError('INVALID_ARGUMENT', 'give exactly one of a storage pool and a directory');
    }
    if (input.dir !== undefined && input.dir !== ALLOWED_DIR) {
      throw new VirtpointError('INVALID_ARGUMENT', `volumes can be written only to ${ALLOWED_DIR}`);
    }
    if (input.pool !== undefined && input.pool !== 'default') {
      throw new VirtpointError('POOL_NOT_FOUND', `no storage pool ${input.pool}`);
    }
    return this.host.queue({ type: 'create-volume', domain: p.domain, pointId: p.id });
  }

  async listVolumes(): Promise<VolumeView[]> {
    this.host.enter('listVolumes');
    return [...this.volumes.values()];
  }

  async getVolume(id: string): Promise<VolumeView> {
    this.host.enter('getVolume', id);
    const v = this.volumes.get(id);
    if (v === undefined) throw new VirtpointError('VOLUME_NOT_FOUND', `no volume ${id} made by virtpoint`);
    return v;
  }

  async deleteVolume(id: string): Promise<void> {
    this.host.enter('deleteVolume', id);
    if (!this.volumes.delete(id)) {
      throw new VirtpointError('VOLUME_NOT_FOUND', `no volume ${id} made by virtpoint`);
    }
  }

  async createImage(input: ImageCreateInput): Promise<JobView> {
    this.host.enter('createImage', input);
    const p = this.pointDisk(input.point, input.disk);
    if (this.images.has(input.name)) {
      throw new VirtpointError('ALREADY_EXISTS', `an image named ${input.name} already exists`);
    }
    return this.host.queue({ type: 'create-image', domain: p.domain, pointId: p.id });
  }

  async listImages(): Promise<ImageView[]> {
    this.host.enter('listImages');
    return [...this.images.values()];
  }

  async getImage(name: string): Promise<ImageView> {
    this.host.enter('getImage', name);
    const i = this.images.get(name);
    if (i === undefined) throw new VirtpointError('NOT_FOUND', `no image named ${name}`);
    return i;
  }

  async deleteImage(name: string): Promise<void> {
    this.host.enter('deleteImage', name);
    if (!this.images.delete(name)) throw new VirtpointError('NOT_FOUND', `no image named ${name}`);
  }
}
