import { VirtpointError, isVirtpointError } from '../core/errors.js';
import type { Point } from '../ports/catalog.js';
import type { BackupDeps } from '../service/backup/deps.js';
import { undoBackup } from '../service/backup/cleanup.js';
import { resumeAfterFailedJob } from '../service/backup/io-pause.js';
import { manifestPath, readManifest } from '../service/recovery/manifest-writer.js';
import { scanStore, type StoreScan } from '../service/recovery/store-scan.js';
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
 * - a point left `creating` whose manifest is in the store (a catalog older than the store, e.g.
 *   put back from a catalog backup) completed: it is made `available` from its manifest;
 * - the store is compared with the catalog (service/recovery/store-scan.ts): only the daemon's
 *   own leftovers are removed (its temp files; files of `error` points that never became
 *   available); anything else unknown is reported (log at warn, `store` in the report, `virtpoint
 *   doctor`) and left in place — never deleted; missing manifests of available points are written;
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
  /** Domains resumed: paused for an I/O error by an interrupted backup (io-pause.ts). */
  readonly resumed: string[];
  /** Points left `creating` that a manifest showed complete (made `available`). */
  readonly adopted: string[];
  readonly store: StoreScan;
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
  const adopted: string[] = [];
  const resumed: string[] = [];
  for (const p of creating) {
    await thawIfFrozen(deps, p.domainUuid, thawed);
    if (await adoptFromManifest(deps, p)) {
      adopted.push(p.id);
      continue;
    }
    const err = new VirtpointError('DAEMON_RESTARTED', RESTARTED('backup').message);
    await undoBackup(deps, p, true, err);
    // The interrupted job's copy-before-write may have paused the VM (io-pause.ts): its job is gone now.
    const name = catalog.getDomain(p.domainUuid)?.name ?? p.domainUuid;
    if (!resumed.includes(p.domainUuid) && (await resumeAfterFailedJob(deps, p.domainUuid, name))) {
      resumed.push(p.domainUuid);
    }
  }
  const checkpoints = await reconcileCheckpoints(deps);
  const deleting = catalog.listPoints({ state: 'deleting' });
  for (const p of deleting) catalog.updatePointState(p.id, 'delete-failed', { error: RESTARTED('delete') });
  const restoring = catalog.listPoints({ state: 'restoring' });
  for (const p of restoring) catalog.updatePointState(p.id, 'available');

  const store = await scanStore(deps, { clean: true });
  if (store.unknown.length + store.badManifests.length > 0) {
    deps.log.warn(
      { unknown: store.unknown.slice(0, 50), badManifests: store.badManifests.slice(0, 50) },
      `the store holds ${store.unknown.length} entries the catalog does not know and ${store.badManifests.length} bad manifests: left in place (virtpoint doctor; virtpoint catalog rebuild if the catalog was lost)`,
    );
  }
  const restores = await reconcileRestores(deps, copyDirs);
  const undonePoints = new Set(creating.map((p) => p.id).filter((id) => !adopted.includes(id)));
  settleInterruptedJobs(deps, jobs, { undonePoints, restores });
  const report = {
    jobs: jobs.length,
    taskRuns: runs,
    creating: creating.length,
    deleting: deleting.length,
    restoring: restoring.length,
    thawed,
    resumed,
    adopted,
    store,
    restores,
    checkpoints,
  };
  // Counts only: the lists can be long (they were logged above at warn, the first 50).
  const counts = Object.fromEntries(Object.entries(store).map(([k, v]) => [k, (v as unknown[]).length]));
  log.info({ ...report, store: counts }, 'reconciled the catalog with libvirt and the store');
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

/**
 * A `creating` point whose manifest (same point id) is in the store had completed: the catalog is
 * older than the store. It is made `available` with what the manifest records; its files stay.
 */
async function adoptFromManifest(deps: BackupDeps, p: Point): Promise<boolean> {
  const m = await readManifest(deps.fs, manifestPath(deps.storeRoot, p)).catch(() => null);
  if (m === null || m.point.id !== p.id) return false;
  for (const d of p.disks) if (!(await deps.fs.exists(`${deps.storeRoot}/${d.path}`))) return false;
  const sizes = Object.fromEntries(m.files.filter((f) => f.size !== null).map((f) => [f.disk, f.size!]));
  deps.catalog.updatePointState(p.id, 'available', {
    sizes,
    consistency: m.point.consistency,
    consistencyReason: m.point.consistencyReason,
    freezeMs: m.point.freezeMs,
  });
  deps.log.warn(
    { point: p.id },
    'a point the catalog had as creating is complete in the store: made available',
  );
  return true;
}
