import type { Catalog, Job } from '../../ports/catalog.js';
import type { VolumeResourceCatalog } from '../../ports/volume-resources.js';
import { trackingPoint } from '../jobs/point-job.js';
import type { JobRunner } from '../jobs/runner.js';
import type { VolumeBackupRequest, VolumeBackupService } from './backup.js';
import { resourceRecord, type ResolvedVolume } from './resource.js';

export interface SubmitVolumeBackupDeps {
  readonly catalog: Pick<Catalog, 'getPoint'>;
  readonly runner: Pick<JobRunner, 'submit'>;
  readonly backup: Pick<VolumeBackupService, 'check' | 'run'>;
  readonly resources: Pick<VolumeResourceCatalog, 'upsert'>;
}

/**
 * Queues a backup of the checked volume `v` as a `backup` job of its resource; the job checks the
 * request once more under the resource's lock. The one way a volume backup is queued: POST
 * /v1/volume-backups and a task's volume resources both call it. The job's result: the point,
 * its kind, why it opened a chain, the volume's label, and `extra` (a task run adds the task).
 */
export function submitVolumeBackup(
  deps: SubmitVolumeBackupDeps,
  v: ResolvedVolume,
  req: VolumeBackupRequest,
  extra: Readonly<Record<string, unknown>> = {},
): Job {
  // the job references the resource's domains row: recorded before it is queued
  deps.resources.upsert(resourceRecord(v));
  const trigger = req.trigger ?? 'manual';
  return deps.runner.submit({ type: 'backup', trigger, domainUuid: v.uuid }, async (ctx) => {
    const point = await trackingPoint(ctx, deps.catalog, (opts) =>
      deps.backup.run(v.uuid, { ...req, trigger }, opts),
    );
    return {
      pointId: point.id,
      kind: point.kind,
      newChainReason: point.newChainReason,
      volume: v.label,
      ...extra,
    };
  });
}
