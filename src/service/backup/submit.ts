import type { Catalog, Job } from '../../ports/catalog.js';
import { trackingPoint } from '../jobs/point-job.js';
import type { JobRunner } from '../jobs/runner.js';
import type { BackupService } from './backup.js';
import type { BackupRequest } from './check.js';

export interface SubmitBackupDeps {
  readonly catalog: Pick<Catalog, 'getDomain' | 'upsertDomain' | 'getPoint'>;
  readonly runner: Pick<JobRunner, 'submit'>;
  readonly backup: Pick<BackupService, 'check' | 'run'>;
}

/** Jobs reference the domain's catalog record: creates it for a domain never backed up. */
export function ensureDomainRecord(
  catalog: Pick<Catalog, 'getDomain' | 'upsertDomain'>,
  domain: { readonly uuid: string; readonly name: string },
): void {
  if (catalog.getDomain(domain.uuid) === null) catalog.upsertDomain(domain);
}

/**
 * Queues a backup of `domain` as a `backup` job of that domain; the job checks the request once
 * more under the domain's lock (checkBackup) and backs up. The job's result: the point, its kind,
 * why it opened a chain, `retried` (the reasons, when libvirtd's restart made it try again), and `extra` (a task run adds the task). The one way a backup is queued:
 * POST /v1/backups (after its checkBackup at submit) and task executions (whose input was checked
 * when the task was saved) both call it.
 */
export function submitBackup(
  deps: SubmitBackupDeps,
  domain: { readonly uuid: string; readonly name: string },
  req: BackupRequest,
  extra: Readonly<Record<string, unknown>> = {},
): Job {
  ensureDomainRecord(deps.catalog, domain);
  const trigger = req.trigger ?? 'manual';
  return deps.runner.submit({ type: 'backup', trigger, domainUuid: domain.uuid }, async (ctx) => {
    const retried: string[] = [];
    const point = await trackingPoint(ctx, deps.catalog, (opts) =>
      deps.backup.run(domain.uuid, { ...req, trigger }, { ...opts, onRetry: (r) => retried.push(r) }),
    );
    return {
      pointId: point.id,
      kind: point.kind,
      newChainReason: point.newChainReason,
      ...(retried.length > 0 ? { retried } : {}),
      ...extra,
    };
  });
}
