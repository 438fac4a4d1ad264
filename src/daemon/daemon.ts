import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { noopShutdownInhibitor, type ShutdownInhibitor } from '../adapters/logind/inhibitor.js';
import { nodeFs } from '../adapters/node-fs.js';
import type { SqliteCatalog } from '../adapters/sqlite/sqlite-catalog.js';
import type { LibvirtHypervisor } from '../adapters/libvirt/hypervisor.js';
import { listenUnix, type ApiServer } from '../api/server.js';
import { STORE_DIR_MODE } from '../core/store-layout.js';
import type { Logger } from '../ports/logger.js';
import type { BackupService } from '../service/backup/backup.js';
import type { JobRunner } from '../service/jobs/runner.js';
import type { Scheduler } from '../service/scheduling/scheduler.js';
import type { VerifySweep } from '../service/verify/sweep.js';
import { sweepSettings } from './compose.js';
import { safeCheckpoint } from '../service/recovery/catalog-backups.js';
import { compose } from './compose.js';
import { ensureSocketDir } from './socket-dir.js';
import { listenMetrics } from './metrics-listen.js';
import type { Server } from 'node:http';
import { storeRoot, type Config } from './config.js';
import { noopNotifier, type Notifier } from './systemd-notify.js';
import { VERSION } from './version.js';

/**
 * virtpointd's lifecycle: start (the state directories, the composition from compose.ts, the API
 * on the Unix socket, the scheduler's ticks once reconciled, systemd readiness), reload (SIGHUP)
 * and stop (SIGTERM).
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
  private metricsServer: Server | null = null;

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
    private readonly scheduler: Scheduler,
    private readonly verifySweep: VerifySweep,
    /** Resolves once the catalog is reconciled with libvirt and the store. */
    readonly reconciled: Promise<void>,
    private readonly stopCatalogBackups: () => void,
  ) {}

  static async start(config: Config, opts: DaemonOptions): Promise<Daemon> {
    const { log } = opts;
    const notifier = opts.notifier ?? noopNotifier;
    const inhibitor = opts.inhibitor ?? noopShutdownInhibitor;
    await nodeFs.mkdir(config.stateDir, STORE_DIR_MODE); // exact mode despite the umask 077
    await nodeFs.mkdir(storeRoot(config), STORE_DIR_MODE);
    const c = await compose(config, log, inhibitor, { rebuildCatalog: opts.rebuildCatalog === true });

    const gid = config.socketGroup === null ? undefined : await groupId(config.socketGroup, log);
    await ensureSocketDir(dirname(config.socket), gid); // chmod/chown only a directory it creates
    await listenUnix(c.server, config.socket, { mode: 0o660, ...(gid !== undefined ? { group: gid } : {}) });
    const daemon = new Daemon(
      config,
      log,
      c.catalog,
      c.hypervisor,
      c.runner,
      c.server,
      notifier,
      inhibitor,
      c.backup,
      c.scheduler,
      c.verifySweep,
      c.reconciled,
      c.stopCatalogBackups,
    );
    if (config.metricsListen !== null)
      daemon.metricsServer = await listenMetrics(c.apis.metrics, config.metricsListen, log);
    inhibitor.onPrepareForShutdown(() => {
      log.warn({}, 'the host is shutting down: aborting running jobs');
      void c.runner.shutdown(0);
    });
    // The scheduler: one tick once the catalog is reconciled (catch-up), then every 20 s.
    void c.reconciled.then(
      () => {
        if (daemon.stopping !== null) return;
        daemon.safeTick();
        daemon.tickTimer = setInterval(() => daemon.safeTick(), SCHEDULER_TICK_MS);
        daemon.tickTimer.unref();
      },
      () => undefined,
    );
    if (c.clock.enabled) log.warn({}, 'test clock enabled (VIRTPOINT_TEST_CLOCK=1): for tests only');
    await notifier.ready(`serving on ${config.socket}`);
    log.info({ socket: config.socket, stateDir: config.stateDir, version: VERSION }, 'virtpointd ready');
    return daemon;
  }

  private safeTick(): void {
    try {
      this.scheduler.tick();
    } catch (e) {
      this.log.error({ err: String(e) }, 'scheduler tick failed');
    }
  }

  /**
   * SIGHUP: applies what can change while running (log level, job concurrency, freeze and
   * shutdown timeouts, job retention); the rest (socket, state dir, libvirt socket, socket group) needs a restart
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
      else if (key === 'jobRetentionDays') this.scheduler.jobRetentionDays = next.jobRetentionDays;
      else if (key === 'verifySchedule' || key === 'verifyMaxAgeDays' || key === 'verifyBudgetMinutes')
        this.verifySweep.settings = sweepSettings(next);
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
      this.metricsServer?.close();
      this.metricsServer?.closeAllConnections();
      await this.runner.shutdown(this.config.shutdownTimeoutMs);
      // Task executions record their outcome and notify once their jobs ended: let them (bounded).
      const settled = await Promise.race([
        this.scheduler.idle().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), SCHEDULER_DRAIN_MS).unref()),
      ]);
      if (!settled) this.log.warn({}, 'task executions or notifications still running at shutdown');
      await closing;
      await rm(this.config.socket, { force: true });
      await this.inhibitor.close();
      await this.hypervisor.close();
      await this.reconciled.catch(() => undefined);
      this.stopCatalogBackups();
      safeCheckpoint(this.catalog, this.log);
      this.catalog.close();
      this.notifier.close();
      this.log.info({}, 'stopped');
    })();
    return this.stopping;
  }
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
