import type {
  JobView,
  VolumeBackupInput,
  VolumeResourceView,
  VolumeRollbackInput,
} from '../../contract/index.js';
import { VirtpointError } from '../../core/errors.js';
import { isoOrNull } from '../../core/iso.js';
import type { Catalog } from '../../ports/catalog.js';
import type { VolumeResourceCatalog } from '../../ports/volume-resources.js';
import { jobView } from '../catalog/views.js';
import type { JobRunner } from '../jobs/runner.js';
import type { VolumeBackupService, VolumeBackupRequest } from './backup.js';
import { parsePoolVolume, type VolumeRef } from './resource.js';
import type { VolumeRollbackService } from './rollback.js';
import { submitVolumeBackup } from './submit.js';

/** The detached-volume backup feature's API (docs/api.md "Volume backups"). */
export interface VolumeBackupApi {
  /** Checks the volume (found, allowed, detached: IN_USE) and queues a `backup` job of it. */
  startBackup(input: VolumeBackupInput): Promise<JobView>;
  /** The volumes that have been backed up on their own. */
  listResources(): VolumeResourceView[];
  /** Checks (a volume's available point, the volume detached: IN_USE) and queues a `rollback` job. */
  rollback(input: VolumeRollbackInput): Promise<JobView>;
  /** The resource UUID of `POOL/VOL` or of a path (for `point list --volume`); NOT_FOUND if never backed up. */
  findResource(ref: string): Promise<VolumeResourceView>;
}

export interface VolumeBackupApiDeps {
  readonly catalog: Pick<Catalog, 'getPoint'>;
  readonly runner: Pick<JobRunner, 'submit'>;
  readonly backup: Pick<VolumeBackupService, 'check' | 'run'>;
  readonly rollback: Pick<VolumeRollbackService, 'check' | 'run'>;
  readonly resources: VolumeResourceCatalog;
  readonly realPath: (p: string) => Promise<string>;
}

export function volumeRef(input: Pick<VolumeBackupInput, 'volume' | 'volumePath'>): VolumeRef {
  if ((input.volume === undefined) === (input.volumePath === undefined))
    throw new VirtpointError('INVALID_ARGUMENT', 'give exactly one of volume (POOL/VOL) and volumePath');
  return input.volume !== undefined ? parsePoolVolume(input.volume) : { path: input.volumePath! };
}

const view = (r: ReturnType<VolumeResourceCatalog['list']>[number]): VolumeResourceView => ({
  uuid: r.uuid,
  label: r.label,
  path: r.path,
  pool: r.pool,
  volume: r.volume,
  format: r.format,
  lastBackupAt: isoOrNull(r.lastBackupAt),
});

export class VolumeBackupApiImpl implements VolumeBackupApi {
  constructor(private readonly deps: VolumeBackupApiDeps) {}

  async startBackup(input: VolumeBackupInput): Promise<JobView> {
    const req: VolumeBackupRequest = {
      volume: volumeRef(input),
      ...(input.full === undefined ? {} : { full: input.full }),
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.chainLength === undefined ? {} : { chainLength: input.chainLength }),
      trigger: 'manual',
      owner: null,
    };
    const v = await this.deps.backup.check(req);
    const job = submitVolumeBackup(this.deps, v, req);
    return jobView(job);
  }

  async rollback(input: VolumeRollbackInput): Promise<JobView> {
    const { point } = await this.deps.rollback.check(input.pointId);
    const job = this.deps.runner.submit(
      { type: 'rollback', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      (ctx) => this.deps.rollback.run(point.id, { onProgress: ctx.progress, signal: ctx.signal }),
    );
    return jobView(job);
  }

  listResources(): VolumeResourceView[] {
    return this.deps.resources.list().map(view);
  }

  async findResource(ref: string): Promise<VolumeResourceView> {
    const all = this.deps.resources.list();
    let hit = all.find((r) => r.label === ref || r.uuid === ref);
    if (hit === undefined && ref.startsWith('/')) {
      const real = await this.deps.realPath(ref).catch(() => ref);
      hit = all.find((r) => r.path === real);
    }
    if (hit === undefined)
      throw new VirtpointError(
        'VOLUME_NOT_FOUND',
        `no detached volume ${ref} has been backed up (GET /v1/volume-resources lists those that have; back it up with virtpoint backup --volume)`,
      );
    return view(hit);
  }
}
