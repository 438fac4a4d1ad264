import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LibvirtHypervisor } from '../adapters/libvirt/hypervisor.js';
import { LibvirtSupervisor } from '../adapters/libvirt/supervisor.js';
import type { ShutdownInhibitor } from '../adapters/logind/inhibitor.js';
import { nodeFs, systemClock } from '../adapters/node-fs.js';
import { createRunNotifier, sendAll } from '../adapters/notify/index.js';
import { createReceiverProbe } from '../adapters/notify/probe.js';
import { QemuImg } from '../adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../adapters/sqlite/sqlite-catalog.js';
import { SqliteMounts } from '../adapters/sqlite/sqlite-mounts.js';
import { SqliteVolumeResources } from '../adapters/sqlite/sqlite-volume-resources.js';
import { UtilLinuxMounter } from '../adapters/mounter/mounter.js';
import { QemuStorageDaemon } from '../adapters/qsd/storage-daemon.js';
import { MountApiImpl } from '../service/mount/api.js';
import { DomainCreateApiImpl } from '../service/domain-create/api.js';
import { DomainCreateService } from '../service/domain-create/create.js';
import { MountService } from '../service/mount/mounts.js';
import type { Apis } from '../api/routes/context.js';
import { createApiServer, type ApiServer } from '../api/server.js';
import type { Logger } from '../ports/logger.js';
import type { Notification, Receiver } from '../ports/notifier.js';
import { BackupApiImpl } from '../service/backup/api.js';
import { BackupService } from '../service/backup/backup.js';
import type { BackupDeps } from '../service/backup/deps.js';
import { CatalogApiImpl } from '../service/catalog/api.js';
import { DeleteService } from '../service/catalog/delete.js';
import { readSpace } from '../service/catalog/space.js';
import { jobScopedLogger } from '../service/jobs/job-log.js';
import { JobRunner } from '../service/jobs/runner.js';
import { MetricsApiImpl } from '../service/metrics/api.js';
import { RecoveryService } from '../service/recovery/api.js';
import { VerifyApiImpl } from '../service/verify/api.js';
import { VerifyService, type VerifyDeps, type VerifyFailure } from '../service/verify/verify.js';
import { CopiesApiImpl } from '../service/copies/api.js';
import { TargetStores } from '../service/copies/target-stores.js';
import { TargetsService } from '../service/copies/targets.js';
import { openS3Target } from '../adapters/s3/s3-target.js';
import { composeCopyJobs } from './compose-copies.js';
import { copyOutcomes } from '../service/copies/outcomes.js';
import { copyGiveUpNotifier } from '../service/scheduling/copy-notify.js';
import { composeRemote } from './compose-remote.js';
import { NodeSecretFiles } from '../adapters/secret-files.js';
import { openSshTarget } from '../adapters/ssh/ssh-target.js';
import { VerifySweep, type SweepSettings } from '../service/verify/sweep.js';
import { CatalogBackups } from '../service/recovery/catalog-backups.js';
import { checkCatalogOnStart } from '../service/recovery/startup.js';
import { RestoreApiImpl } from '../service/restore/api.js';
import { RemoteSourcesImpl } from '../service/remote/from.js';
import { NodeFileSink } from '../adapters/file-sink.js';
import { ImageService } from '../service/restore/images.js';
import { RollbackService } from '../service/restore/rollback.js';
import { VolumeService } from '../service/restore/volumes.js';
import { hostTimeZone, SchedulingApiImpl } from '../service/scheduling/api.js';
import { SchedulingService } from '../service/scheduling/policies-tasks.js';
import { RetentionRunner } from '../service/scheduling/retention-run.js';
import { Scheduler } from '../service/scheduling/scheduler.js';
import { TaskExecutor } from '../service/scheduling/task-exec.js';
import { verifyFailureNotifier } from '../service/scheduling/verify-notify.js';
import { NotifyTestApiImpl } from '../service/scheduling/notify-test.js';
import { catalogPath, imageDir, mountWorkDir, storeRoot, type Config } from './config.js';
import { reconcile } from './reconcile.js';
import { addTestClockRoute, schedulerClock, type SchedulerClock } from './test-clock.js';
import { VERSION } from './version.js';
import { volumeBackupParts } from './volume-backup-wiring.js';
import { DomainLocks } from '../service/jobs/domain-locks.js';
import { createPreflightHost } from '../adapters/host/preflight-host.js';
import { logPreflight, runPreflight, type PreflightDeps } from '../service/preflight/preflight.js';

/** A host clock before this is wrong (this release was written after it). */
const NOT_BEFORE = Date.parse('2026-11-01T00:00:00Z');

/**
 * The one composition root: builds every adapter (catalog, libvirt with supervised reconnect,
 * qemu-img, files, notifications), every service and the feature APIs the routes call, and
 * the API server over them. Nothing else in src/ constructs a service. daemon.ts runs the result
 * (listen, tick, reload, stop).
 */

export interface Composition {
  readonly catalog: SqliteCatalog;
  readonly hypervisor: LibvirtHypervisor;
  readonly runner: JobRunner;
  readonly backup: BackupService;
  readonly scheduler: Scheduler;
  readonly verifySweep: VerifySweep;
  readonly clock: SchedulerClock;
  readonly apis: Apis;
  readonly server: ApiServer;
  /** Resolves once the catalog is reconciled with libvirt and the store (jobs wait for it). */
  readonly reconciled: Promise<void>;
  /** Stops the daily catalog backups (started once reconciled). */
  readonly stopCatalogBackups: () => void;
}

export interface ComposeOptions {
  /** `--rebuild-catalog`: an empty catalog is rebuilt from the store's manifests (docs/recovery.md). */
  readonly rebuildCatalog?: boolean;
}

export async function compose(
  config: Config,
  rootLog: Logger,
  inhibitor: ShutdownInhibitor,
  opts: ComposeOptions = {},
): Promise<Composition> {
  // Inside a job's work every line carries job, domain, domainName (service/jobs/job-log.ts).
  const log = jobScopedLogger(rootLog);
  const store = storeRoot(config);
  const catalog = new SqliteCatalog({ path: catalogPath(config) });
  const secrets = new NodeSecretFiles(join(config.stateDir, 'targets'));
  // An empty catalog over a store with manifests: refuse (or rebuild) before touching anything.
  const resources = new SqliteVolumeResources(catalog.db); // a rebuild restores volume resources too
  const recoveryDeps = { catalog, resources, fs: nodeFs, log, storeRoot: store };
  try {
    await checkCatalogOnStart(recoveryDeps, {
      rebuild: opts.rebuildCatalog === true,
      catalogPath: catalogPath(config),
    });
  } catch (e) {
    catalog.close();
    throw e;
  }
  const supervisor = new LibvirtSupervisor(config.libvirtSocket ? { socketPath: config.libvirtSocket } : {});
  const hypervisor = new LibvirtHypervisor(supervisor);
  supervisor.on('connection', (up) =>
    log[up ? 'info' : 'warn']({}, up ? 'libvirt connected' : 'libvirt connection lost'),
  );
  supervisor.start();

  // A failed verify (any trigger, the check before a restore included) is told to the task that
  // owns the chain; the notifier is wired below, once the scheduling side exists.
  let reportVerifyFailure: (f: VerifyFailure) => void = () => undefined;
  const deps: BackupDeps & Pick<VerifyDeps, 'onVerifyFailure'> = {
    onVerifyFailure: (f) => reportVerifyFailure(f),
    ...recoveryDeps,
    hypervisor,
    imageTool: new QemuImg(),
    clock: systemClock,
    random: randomBytes,
    freezeTimeoutMs: config.freezeTimeoutMs,
  };
  const catalogBackups = new CatalogBackups({
    catalog,
    fs: nodeFs,
    log,
    dir: join(config.stateDir, 'catalog-backups'),
    now: Date.now,
  });
  // Mounts (docs/restore.md): leftovers of an earlier run are undone at start, idle ones every minute.
  const mounts = new MountService({
    ...deps,
    mounts: new SqliteMounts(catalog.db),
    qsd: new QemuStorageDaemon(),
    mounter: new UtilLinuxMounter(),
    workRoot: mountWorkDir(config),
    now: Date.now,
    idleMinutes: config.mountIdleMinutes,
  });
  await mounts.cleanupOnStart();
  const mountSweep = setInterval(() => void mounts.sweepIdle(), 60_000);
  mountSweep.unref();
  // Preflight (core/preflight.ts): on `virtpoint doctor`, and logged once libvirt is up at start.
  const preflightDeps = (): PreflightDeps => ({
    host: createPreflightHost(supervisor),
    hypervisor,
    imageTool: deps.imageTool,
    fs: nodeFs,
    storeRoot: store,
    timeZone: hostTimeZone(),
    now: Date.now,
    notBefore: NOT_BEFORE,
    receivers: { tasks: () => catalog.scheduling.listTasks(), probe: createReceiverProbe() },
  });
  const recovery = new RecoveryService({
    ...recoveryDeps,
    hypervisor,
    backups: catalogBackups,
    preflight: () => runPreflight(preflightDeps()),
  });
  let stopCatalogBackups = () => undefined as void;
  const volumeBackup = volumeBackupParts(deps, {
    ...config,
    db: catalog.db,
    pools: hypervisor,
    locks: new DomainLocks(),
  });
  const reconciled = (async () => {
    for (;;) {
      try {
        await supervisor.ready(60_000);
        break;
      } catch (e) {
        log.warn({ err: String(e) }, 'waiting for libvirtd');
      }
    }
    await volumeBackup.stopLeftovers();
    recovery.recordScan((await reconcile(deps, [imageDir(config), ...config.allowedVolumeDirs])).store);
    stopCatalogBackups = catalogBackups.start();
    void logPreflight(preflightDeps(), log).catch((e) => log.warn({ err: String(e) }, 'preflight failed'));
  })();
  reconciled.catch((e) => log.error({ err: String(e) }, 'reconciliation failed; jobs stay queued'));
  const runner = new JobRunner({ catalog, log, concurrency: config.jobConcurrency, startGate: reconciled });
  holdShutdownWhileRunning(runner, inhibitor);
  // Backup, and delete (catalog).
  const backup = new BackupService(deps);
  const del = new DeleteService({ ...deps, inUse: (p) => mounts.inUseError(p) });

  // Restore (docs/restore.md): rollback shares the backup's domain locks (never beside a backup
  // of its domain); volumes into pools or `allowed_volume_dirs`; images in `image_dir`.
  const rollback = new RollbackService({ ...deps, locks: backup.locks });
  const volumes = new VolumeService({
    ...deps,
    pools: hypervisor,
    allowedVolumeDirs: config.allowedVolumeDirs,
    hypervisor,
  });
  const images = new ImageService({ ...deps, imageDir: imageDir(config), hypervisor });

  // Scheduling (docs/scheduling.md): the scheduler executes tasks; the records' `task run` goes
  // straight to Scheduler.runTask.
  const clock = schedulerClock();
  const timeZone = hostTimeZone();
  const runNotifier = createRunNotifier({ logger: log, userAgent: `virtpoint/${VERSION}` });
  const retention = new RetentionRunner({ catalog, del, runner, log, now: clock.now, timeZone });
  const notify = (receivers: readonly Receiver[], payload: Notification) =>
    sendAll(runNotifier, receivers, payload);
  // Verify (docs/verify.md): on demand, before every restore, after a task's backups, and daily.
  const verify = new VerifyService(deps);
  const stores = new TargetStores({
    catalog,
    secrets,
    clock: systemClock,
    adapters: { s3: openS3Target, ssh: openSshTarget },
  });
  // A failed verify and a task's copy given up reach the owning task's receivers.
  const told = {
    catalog,
    log,
    notify,
    timeZone,
    now: clock.now,
    track: (p: Promise<unknown>) => void exec.track(p),
  };
  const copyJobs = composeCopyJobs({
    ...deps,
    stores,
    runner,
    reconciled,
    prune: (n) => apis.remote.prune(n),
    onGiveUp: copyGiveUpNotifier(told),
  });
  const exec = new TaskExecutor({
    catalog,
    runner,
    backup,
    retention,
    log,
    timeZone,
    notify,
    verify,
    copyAfter: (p, t) => copyJobs.auto.after(p, t), // a task's copies (auto-copy.ts)
    volumeBackup: volumeBackup.forTasks,
  });
  reportVerifyFailure = verifyFailureNotifier(told);
  const verifySweep = new VerifySweep({ catalog, runner, verify, log, timeZone }, sweepSettings(config));
  const scheduler = new Scheduler({
    catalog,
    exec,
    retention,
    log,
    now: clock.now,
    timeZone,
    catchUpHours: config.catchUpHours,
    jobRetentionDays: config.jobRetentionDays,
    background: [verifySweep],
  });
  const scheduling = new SchedulingService({
    catalog,
    hypervisor,
    runTask: scheduler.runTask,
    domainBusy: (uuid) => exec.busy(uuid),
    volumes: volumeBackup.forTasks,
  });

  // `--from NAME` on rollback, volume and image create (docs/copies.md "Restore from a target").
  const fromTargets = new RemoteSourcesImpl({ ...deps, secrets, stores, sink: new NodeFileSink() });
  const apis: Apis = {
    catalog: new CatalogApiImpl({
      hypervisor,
      catalog,
      runner,
      del,
      storeRoot: store,
      version: VERSION,
      startedAt: Date.now(),
      libvirtConnected: () => supervisor.connected,
      storeStatus: () => recovery.storeStatus(),
      space: () => readSpace(nodeFs, store, catalogPath(config)),
    }),
    backup: new BackupApiImpl({ catalog, runner, backup }),
    restore: new RestoreApiImpl({
      runner,
      rollback,
      volumes,
      images,
      remote: { catalog, sources: fromTargets },
    }),
    scheduling: new SchedulingApiImpl(scheduling, { timeZone }),
    notifyTest: new NotifyTestApiImpl({
      getTask: (n) => catalog.scheduling.getTask(n),
      notify,
      timeZone,
      now: clock.now,
    }),
    recovery,
    verify: new VerifyApiImpl({ catalog, runner, verify }),
    // Off-host copies (docs/copies.md): the targets' secrets are 0600 copies under <state>/targets.
    copies: new CopiesApiImpl(
      new TargetsService({ catalog, secrets, log }),
      { catalog, stores, clock: systemClock },
      copyJobs.jobs,
    ),
    // Restore from a target (docs/copies.md): list, verify, remote restore, remote retention.
    remote: await composeRemote({
      ...deps,
      secrets,
      stores,
      hostId: () => catalog.copies.hostId(),
      hypervisor,
      allowedVolumeDirs: config.allowedVolumeDirs,
      runner,
    }),
    mount: new MountApiImpl(mounts, config.mountIdleMinutes),
    volumeBackup: volumeBackup.api(runner),
    domains: new DomainCreateApiImpl({
      runner,
      service: new DomainCreateService({ ...deps, volumes, images }),
    }),
    // Metrics (docs/metrics.md): read at scrape time, copy outcomes included.
    metrics: new MetricsApiImpl(
      {
        catalog,
        fs: nodeFs,
        storeRoot: store,
        catalogPath: catalogPath(config),
        jobCounts: () => runner.counts(),
        libvirtConnected: () => supervisor.connected,
        copies: copyOutcomes(catalog.copies),
      },
      VERSION,
    ),
  };
  const server = createApiServer(apis, {
    log,
    ...(clock.enabled
      ? { extraRoutes: (router) => addTestClockRoute(router, clock, (now) => scheduler.tick(now)) }
      : {}),
  });
  return {
    catalog,
    hypervisor,
    runner,
    backup,
    scheduler,
    verifySweep,
    clock,
    apis,
    server,
    reconciled,
    stopCatalogBackups: () => {
      stopCatalogBackups();
      clearInterval(mountSweep);
      copyJobs.auto.stop();
    },
  };
}

/** The logind delay lock: held while any job runs, so a host shutdown waits for them. */
function holdShutdownWhileRunning(runner: JobRunner, inhibitor: ShutdownInhibitor): void {
  const holding = new Set<string>();
  runner.onJob((job) => {
    if (job.state === 'running' && !holding.has(job.id)) {
      holding.add(job.id);
      void inhibitor.acquire();
    } else if (job.state !== 'running' && holding.delete(job.id)) {
      void inhibitor.release();
    }
  });
}

/** The scheduled verify's settings from the config. */
export function sweepSettings(config: Config): SweepSettings {
  return {
    at: config.verifySchedule,
    maxAgeDays: config.verifyMaxAgeDays,
    budgetMinutes: config.verifyBudgetMinutes,
  };
}
