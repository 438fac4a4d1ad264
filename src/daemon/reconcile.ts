import { join } from 'node:path';
import { VirtpointError, isVirtpointError } from '../core/errors.js';
import { isValidDomainUuid, parseStorePath, resolveStorePath } from '../core/store-layout.js';
import type { BackupDeps } from '../service/backup/backup.js';
import { undoBackup } from '../service/backup/cleanup.js';
import { reconcileCheckpoints } from './reconcile-checkpoints.js';
import { settleInterruptedJobs } from './reconcile-jobs.js';
import { reconcileRestores, type RestoreLeftovers } from './reconcile-restore.js';

/**
 * After a crash (or SIGKILL) the catalog may hold work that nobody runs any more. On start:
 * - jobs left `queued`/`running` → the outcome reconcile established (reconcile-jobs.ts); task
 *   executions left `running`
 *   → `failed` (or `partial` when some resources had succeeded);
 * - points left `creating` → the libvirt job is aborted if it still runs, the point's checkpoint
 *   deleted, its files removed, the point `error` (DAEMON_RESTARTED); a guest the agent reports
 *   frozen is thawed;
 * - points left `deleting` → `delete-failed` (a retry finishes the delete);
 * - points left `restoring` → `available` (a restore never writes into the point's files);
 * - files in the store that no point refers to (a crash between creating a file and recording
 *   it) are removed;
 * - what an interrupted rollback or volume/image copy left beside the files is made whole
 *   (reconcile-restore.ts).
 */

export interface ReconcileReport {
  readonly jobs: number;
  readonly taskRuns: number;
  readonly creating: number;
  readonly deleting: number;
  readonly restoring: number;
  readonly thawed: string[];
  readonly orphanFiles: string[];
  readonly restores: RestoreLeftovers;
  /** Checkpoints of failed backups removed (`<domain uuid>/<name>`). */
  readonly checkpoints: string[];
}

const RESTARTED = (what: string) => ({
  code: 'DAEMON_RESTARTED' as const,
  message: `virtpointd restarted while this ${what} ran (daemon-restarted)`,
});

export async function reconcile(
  deps: BackupDeps,
  /** Directories where volumes and images are written (for leftover temp files). */
  copyDirs: readonly string[] = [],
): Promise<ReconcileReport> {
  const { catalog, log } = deps;
  // Their outcome is set at the end, once reconcile knows it (reconcile-jobs.ts).
  const jobs = catalog.jobs.list({ state: ['queued', 'running'] });
  // Task executions cut off by the stop: their resources' jobs just failed above.
  let runs = 0;
  for (const task of catalog.scheduling.listTasks()) {
    for (const run of catalog.scheduling.listTaskRuns(task.id, { outcome: 'running' })) {
      const resources = run.resources.map((r) =>
        r.outcome === 'succeeded' || r.outcome === 'skipped'
          ? r
          : { ...r, outcome: 'failed' as const, error: RESTARTED('task run') },
      );
      const anyOk = resources.some((r) => r.outcome === 'succeeded');
      catalog.scheduling.updateTaskRun(run.id, { outcome: anyOk ? 'partial' : 'failed', resources });
      runs++;
    }
  }

  const creating = catalog.listPoints({ state: 'creating' });
  const thawed: string[] = [];
  for (const p of creating) {
    await thawIfFrozen(deps, p.domainUuid, thawed);
    const err = new VirtpointError('DAEMON_RESTARTED', RESTARTED('backup').message);
    await undoBackup(deps, p, true, err);
  }
  const checkpoints = await reconcileCheckpoints(deps);
  const deleting = catalog.listPoints({ state: 'deleting' });
  for (const p of deleting) catalog.updatePointState(p.id, 'delete-failed', { error: RESTARTED('delete') });
  const restoring = catalog.listPoints({ state: 'restoring' });
  for (const p of restoring) catalog.updatePointState(p.id, 'available');

  const orphanFiles = await removeOrphanFiles(deps);
  const restores = await reconcileRestores(deps, copyDirs);
  settleInterruptedJobs(deps, jobs, { undonePoints: new Set(creating.map((p) => p.id)), restores });
  const report = {
    jobs: jobs.length,
    taskRuns: runs,
    creating: creating.length,
    deleting: deleting.length,
    restoring: restoring.length,
    thawed,
    orphanFiles,
    restores,
    checkpoints,
  };
  log.info(report, 'reconciled the catalog with libvirt and the store');
  return report;
}

async function thawIfFrozen(deps: BackupDeps, uuid: string, thawed: string[]): Promise<void> {
  if (thawed.includes(uuid)) return;
  try {
    const reply = await deps.hypervisor.agentCommand(uuid, '{"execute":"guest-fsfreeze-status"}', 5000);
    if ((JSON.parse(reply) as { return?: string }).return === 'frozen') {
      await deps.hypervisor.thawFilesystems(uuid, deps.freezeTimeoutMs ?? 10_000);
      thawed.push(uuid);
      deps.log.warn({ uuid }, 'thawed a guest left frozen by an interrupted backup');
    }
  } catch (e) {
    if (!isVirtpointError(e, 'DOMAIN_NOT_FOUND')) {
      deps.log.debug({ uuid, err: String(e) }, 'no freeze status (domain off or no agent)');
    }
  }
}

async function removeOrphanFiles(deps: BackupDeps): Promise<string[]> {
  const removed: string[] = [];
  const list = (dir: string) => deps.fs.listDir(dir);
  for (const domain of await list(deps.storeRoot)) {
    // One domain's points at a time: a large catalog is never held in memory whole.
    const points = isValidDomainUuid(domain) ? deps.catalog.listPoints({ domainUuid: domain }) : [];
    const known = new Set(points.flatMap((p) => p.disks.map((d) => d.path)));
    for (const chain of await list(join(deps.storeRoot, domain))) {
      for (const file of await list(join(deps.storeRoot, domain, chain))) {
        const rel = `${domain}/${chain}/${file}`;
        if (parseStorePath(rel) === null || known.has(rel)) continue;
        await deps.fs.removeFile(resolveStorePath(deps.storeRoot, rel));
        removed.push(rel);
      }
      await deps.fs.removeDirIfEmpty(join(deps.storeRoot, domain, chain));
    }
  }
  if (removed.length > 0) deps.log.warn({ files: removed }, 'removed store files no point refers to');
  return removed;
}
