import type {
  JobView,
  VolumeBackupInput,
  VolumeResourceView,
  VolumeRollbackInput,
} from '../../src/contract/index.js';
import { VirtpointError } from '../../src/core/errors.js';
import type { VolumeBackupApi } from '../../src/service/volume-backup/api.js';
import type { FakeCatalogApi } from './fake-catalog-api.js';

export const VOLRES1 = '7a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d';

/** The volume backup API in memory: one known volume `default/data.qcow2`; a queued job for it. */
export class FakeVolumeBackupApi implements VolumeBackupApi {
  readonly resources: VolumeResourceView[] = [
    {
      uuid: VOLRES1,
      label: 'default/data.qcow2',
      path: '/var/lib/libvirt/images/data.qcow2',
      pool: 'default',
      volume: 'data.qcow2',
      format: 'qcow2',
      lastBackupAt: null,
    },
  ];

  constructor(
    private readonly enter: (method: string, ...args: unknown[]) => void,
    private readonly catalog: FakeCatalogApi,
  ) {}

  async startBackup(input: VolumeBackupInput): Promise<JobView> {
    this.enter('volumeBackup.startBackup', input);
    return this.catalog.queueJob({ domain: VOLRES1, pointId: null });
  }

  async rollback(input: VolumeRollbackInput): Promise<JobView> {
    this.enter('volumeBackup.rollback', input);
    return this.catalog.queueJob({ domain: VOLRES1, pointId: input.pointId });
  }

  listResources(): VolumeResourceView[] {
    this.enter('volumeBackup.listResources');
    return this.resources;
  }

  async findResource(ref: string): Promise<VolumeResourceView> {
    this.enter('volumeBackup.findResource', ref);
    const hit = this.resources.find((r) => r.label === ref || r.path === ref || r.uuid === ref);
    if (hit === undefined) throw new VirtpointError('VOLUME_NOT_FOUND', `no detached volume ${ref}`);
    return hit;
  }
}
