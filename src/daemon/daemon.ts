import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LibvirtHypervisor } from '../adapters/libvirt/hypervisor.js';
import { LibvirtSupervisor } from '../adapters/libvirt/supervisor.js';
import { noopShutdownInhibitor, type ShutdownInhibitor } from '../adapters/logind/inhibitor.js';
import { nodeFs, systemClock } from '../adapters/node-fs.js';
import { QemuImg } from '../adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../adapters/sqlite/sqlite-catalog.js';
import { createApiServer, listenUnix, type ApiServer } from '../api/server.js';
import { STORE_DIR_MODE } from '../core/store-layout.js';
import type { Logger } from '../ports/logger.js';
import { BackupService, type BackupDeps } from '../service/backup/backup.js';
import { DeleteService } from '../service/catalog/delete.js';
import { JobRunner } from '../service/jobs/runner.js';
import { VirtpointControl } from '../service/catalog/api.js';
import { createRunNotifier, sendAll } from '../adapters/notify/index.js';
import { RetentionRunner } from '../service/scheduling/retention-run.js';
import { Scheduler } from '../service/scheduling/scheduler.js';
import { hostTimeZone } from '../service/scheduling/api.js';
import { TaskExecutor } from '../service/scheduling/task-exec.js';
import { addTestClockRoute, schedulerClock } from './test-clock.js';
import { catalogPath, imageDir, storeRoot, type Config } from './config.js';
import { reconcile } from './reconcile.js';
import { createRestoreServices } from './compose-restore.js';
import { noopNotifier, type Notifier } from './systemd-notify.js';
import { VERSION } from './version.js';
import { CatalogBackups, safeCheckpoint } from '../service/recovery/catalog-backups.js';
import { RecoveryService } from '../service/recovery/api.js';
import { checkCatalogOnStart } from '../service/recovery/startup.js';

/**
 * virtpointd's process wiring: catalog, libvirt (supervised reconnect), the job runner (jobs wait
 * for the reconciliation after a crash), the services, the API on the Unix socket, systemd
 * readiness and watchdog, and the logind delay lock held while jobs run.
 */

export interface DaemonOptions {
  readonly log: Logger;
  readonly notifier?: Notifier;
  readonly inhibitor?: ShutdownInhibitor;
  /** `--rebuild-catalog`: an empty catalog is rebuilt from the store's manifests (docs/recovery.md). */
  readonly rebuildCatalog?: boolean;
}

const SCHEDULER_TICK_MS = 20_000;
const SCHEDULER_DRAIN_MS = 30_000;

export class Daemon {
  private stopping: Promise<void> | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  /** Resolves once the scheduler's executions and notifications in flight have ended. */
  private schedulerIdle: () => Promise<void> = () => Promise.resolve();

  private constructor(
    private config: Config,
    private readonly log: Logger,
    private readonly catalog: SqliteCatalog,
    private readonly hypervisor: LibvirtHypervisor,
    readonly runner: JobRunner,
    private readonly server: ApiServer,
    private readonly notifier: Notifier,
    private readonly inhibitor: ShutdownInhibitor,
    private readonly backup: BackupService,
    /** Resolves once the catalog is reconciled with libvirt and the store. */
    readonly reconciled: Promise<void>,
    private readonly stopBackups: () => void = () => undefined,
  ) {}

  static async start(config: Config, opts: DaemonOptions): Promise<Daemon> {
    const { log } = opts;
    const notifier = opts.notifier ?? noopNotifier;
    const inhibitor = opts.inhibitor ?? noopShutdownInhibitor;
    const store = storeRoot(config);
    await mkdir(config.stateDir, { recursive: true, mode: STORE_DIR_MODE });
    await mkdir(store, { recursive: true, mode: STORE_DIR_MODE });
    const catalog = new SqliteCatalog({ path: catalogPath(config) });
    const recoveryDeps = { catalog, fs: nodeFs, log, storeRoot: store };
    const rebuild = { rebuild: opts.rebuildCatalog === true, catalogPath: catalogPath(config) };
    try {
      await checkCatalogOnStart(recoveryDeps, rebuild);
    } catch (e) {
      catalog.close();
      throw e;
    }
    const supervisor = new LibvirtSupervisor(
      config.libvirtSocket ? { socketPath: config.libvirtSocket } : {},
    );
    const hypervisor = new LibvirtHypervisor(supervisor);
    supervisor.on('connection', (up) =>
      log[up ? 'info' : 'warn']({}, up ? 'libvirt connected' : 'libvirt connection lost'),
    );
    supervisor.start();

    const deps: BackupDeps = {
      hypervisor,
      imageTool: new QemuImg(),
      catalog,
      fs: nodeFs,
      clock: systemClock,
      random: randomBytes,
      log,
      storeRoot: store,
      freezeTimeoutMs: config.freezeTimeoutMs,
    };
    const backups = new CatalogBackups({
      catalog,
      fs: nodeFs,
      log,
      dir: join(config.stateDir, 'catalog-backups'),
      now: Date.now,
    });
    const recovery = new RecoveryService({ ...recoveryDeps, hypervisor, backups });
    let stopBackups = () => undefined as void;
    const reconciled = (async () => {
      for (;;) {
        try {
          await supervisor.ready(60_000);
          break;
        } catch (e) {
          log.warn({ err: String(e) }, 'waiting for libvirtd');
        }
      }
      recovery.recordScan((await reconcile(deps, [imageDir(config), ...config.allowedVolumeDirs])).store);
      stopBackups = backups.start();
    })();
    reconciled.catch((e) => log.error({ err: String(e) }, 'reconciliation failed; jobs stay queued'));
    const runner = new JobRunner({ catalog, log, concurrency: config.jobConcurrency, startGate: reconciled });
    const backup = new BackupService(deps);
    const del = new DeleteService(deps);
    const scheduler = createScheduler(config, log, catalog, runner, backup, del);
    const control = new VirtpointControl({
      hypervisor,
      catalog,
      runner,
      backup,
      del,
      scheduling: { runTask: scheduler.scheduler.runTask },
      restore: createRestoreServices(config, deps, hypervisor, backup),
      storeRoot: store,
      version: VERSION,
      startedAt: Date.now(),
      libvirtConnected: () => supervisor.connected,
      recovery,
    });

    // The logind delay lock: held while any job runs, so a host shutdown waits for them.
    const holding = new Set<string>();
    runner.onJob((job) => {
      if (job.state === 'running' && !holding.has(job.id)) {
        holding.add(job.id);
        void inhibitor.acquire();
      } else if (job.state !== 'running' && holding.delete(job.id)) {
        void inhibitor.release();
      }
    });

    const server = createApiServer(control, {
      log,
      ...(scheduler.clock.enabled
        ? {
            extraRoutes: (router) =>
              addTestClockRoute(router, scheduler.clock, (now) => scheduler.scheduler.tick(now)),
          }
        : {}),
    });
    await mkdir(dirname(config.socket), { recursive: true, mode: 0o750 });
    const gid = config.socketGroup === null ? undefined : await groupId(config.socketGroup, log);
    if (gid !== undefined) await chown(dirname(config.socket), 0, gid).catch(() => undefined);
    await listenUnix(server, config.socket, { mode: 0o660, ...(gid !== undefined ? { group: gid } : {}) });
    const daemon = new Daemon(
      config,
      log,
      catalog,
      hypervisor,
      runner,
      server,
      notifier,
      inhibitor,
      backup,
      reconciled,
      () => stopBackups(),
    );
    inhibitor.onPrepareForShutdown(() => {
      log.warn({}, 'the host is shutting down: aborting running jobs');
      void runner.shutdown(0);
    });
    daemon.schedulerIdle = () => scheduler.scheduler.idle();
    // The scheduler: one tick once the catalog is reconciled (catch-up), then every 20 s.
    void reconciled.then(
      () => {
        if (daemon.stopping !== null) return;
        scheduler.safeTick();
        daemon.tickTimer = setInterval(() => scheduler.safeTick(), SCHEDULER_TICK_MS);
        daemon.tickTimer.unref();
      },
      () => undefined,
    );
    if (scheduler.clock.enabled) log.warn({}, 'test clock enabled (VIRTPOINT_TEST_CLOCK=1): for tests only');
    await notifier.ready(`serving on ${config.socket}`);
    log.info({ socket: config.socket, stateDir: config.stateDir, version: VERSION }, 'virtpointd ready');
    return daemon;
  }

  /**
   * SIGHUP: applies what can change while running (log level, job concurrency, freeze and
   * shutdown timeouts); the rest (socket, state dir, libvirt socket, socket group) needs a restart
   * and is reported as such.
   */
  reload(next: Config): { applied: string[]; needRestart: string[] } {
    const applied: string[] = [];
    const needRestart: string[] = [];
    for (const key of Object.keys(next) as (keyof Config)[]) {
      if (JSON.stringify(next[key]) === JSON.stringify(this.config[key])) continue; // arrays too
      if (key === 'logLevel') (this.log as unknown as { level: string }).level = next.logLevel;
      else if (key === 'jobConcurrency') this.runner.setConcurrency(next.jobConcurrency);
      else if (key === 'freezeTimeoutMs') this.backup.freezeTimeoutMs = next.freezeTimeoutMs;
      else if (key !== 'shutdownTimeoutMs') {
        needRestart.push(key);
        continue;
      }
      applied.push(key);
    }
    this.config = {
      ...next,
      ...Object.fromEntries(needRestart.map((k) => [k, this.config[k as keyof Config]])),
    };
    this.log.info({ applied, needRestart }, 'config reloaded');
    return { applied, needRestart };
  }

  /** SIGTERM: stop accepting, let running jobs finish (or abort them after the timeout), close. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.tickTimer !== null) clearInterval(this.tickTimer);
      await this.notifier.stopping('finishing running jobs');
      this.log.info(this.runner.counts(), 'stopping');
      const closing = this.server.shutdown();
      await this.runner.shutdown(this.config.shutdownTimeoutMs);
      // Task executions record their outcome and notify once their jobs ended: let them (bounded).
      const settled = await Promise.race([
        this.schedulerIdle().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), SCHEDULER_DRAIN_MS).unref()),
      ]);
      if (!settled) this.log.warn({}, 'task executions or notifications still running at shutdown');
      await closing;
      await rm(this.config.socket, { force: true });
      await this.inhibitor.close();
      await this.hypervisor.close();
      await this.reconciled.catch(() => undefined);
      this.stopBackups();
      safeCheckpoint(this.catalog, this.log);
      this.catalog.close();
      this.notifier.close();
      this.log.info({}, 'stopped');
    })();
    return this.stopping;
  }
}

/** The scheduler with its retention runner, task executor, run notifier and clock. */
function createScheduler(
  config: Config,
  log: Logger,
  catalog: SqliteCatalog,
  runner: JobRunner,
  backup: BackupService,
  del: DeleteService,
) {
  const clock = schedulerClock();
  const timeZone = hostTimeZone();
  const notifier = createRunNotifier({ logger: log });
  const retention = new RetentionRunner({ catalog, del, runner, log, now: clock.now });
  const exec = new TaskExecutor({
    catalog,
    runner,
    backup,
    retention,
    log,
    timeZone,
    notify: (receivers, payload) => sendAll(notifier, receivers, payload),
  });
  const scheduler = new Scheduler({
    catalog,
    exec,
    retention,
    log,
    now: clock.now,
    timeZone,
    catchUpHours: config.catchUpHours,
  });
  const safeTick = () => {
    try {
      scheduler.tick();
    } catch (e) {
      log.error({ err: String(e) }, 'scheduler tick failed');
    }
  };
  return { scheduler, clock, safeTick };
}

/** The gid of a group from /etc/group; undefined (logged) when it does not exist. */
async function groupId(name: string, log: Logger): Promise<number | undefined> {
  const text = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined) return Number(gid);
  }
  log.warn(
    { group: name },
    'socket group does not exist; the socket stays root-only (create it: groupadd --system)',
  );
  return undefined;
}
