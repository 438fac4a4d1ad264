import { VirtpointError } from '../../../../src/core/errors.js';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import type { Retention } from '../../../../src/core/retention.js';
import type { Schedule } from '../../../../src/core/schedule.js';
import type {
  DeliveryResult,
  Receiver,
  RunNotification,
  VerifyNotification,
} from '../../../../src/ports/notifier.js';
import { silentLogger, type Logger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { RetentionRunner } from '../../../../src/service/scheduling/retention-run.js';
import { Scheduler } from '../../../../src/service/scheduling/scheduler.js';
import { TaskExecutor } from '../../../../src/service/scheduling/task-exec.js';
import { verifyFailureNotifier } from '../../../../src/service/scheduling/verify-notify.js';
import { VerifyService, type VerifyFailure } from '../../../../src/service/verify/verify.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeOffline } from '../../../fakes/fake-offline.js';
import { SqliteVolumeResources } from '../../../../src/adapters/sqlite/sqlite-volume-resources.js';
import { VolumeBackupService } from '../../../../src/service/volume-backup/backup.js';
import { resourceUuid } from '../../../../src/service/volume-backup/resource.js';

/**
 * The scheduler on fakes: FakeHypervisor, fake files and images, an in-memory catalog whose clock
 * is the test's (`clock.now`), a real JobRunner, BackupService, DeleteService and RetentionRunner.
 */

export const STORE = '/store';
export const TZ = 'Europe/Berlin';
export const HOUR = 3_600_000;

export async function schedHarness(opts: { catchUpHours?: number; domains?: string[]; log?: Logger } = {}) {
  const clock = { now: Date.UTC(2025, 2, 3, 23, 30) }; // 2025-03-04 00:30 in Berlin
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:', now: () => clock.now });
  const uuids = (opts.domains ?? ['web']).map((name, i) => {
    const src = `/images/${name}.qcow2`;
    images.addSource(src, 1 << 30);
    void i;
    return hv.addDomain({
      name,
      disks: [{ target: 'vda', sourcePath: src, format: 'qcow2', capacity: 1 << 30 }],
    });
  });
  const log = opts.log ?? silentLogger;
  const common = { hypervisor: hv, imageTool: images, catalog, fs, log, storeRoot: STORE };
  const backup = new BackupService({ ...common, clock: new FakeClock(), random: randomBytes, pollMs: 1 });
  const del = new DeleteService(common);
  const runner = new JobRunner({ catalog, log });
  const retention = new RetentionRunner({ catalog, del, runner, log, now: () => clock.now });
  const sent: { receivers: readonly Receiver[]; payload: RunNotification }[] = [];
  let deliver: (r: Receiver) => DeliveryResult = (r) => ({
    receiver: r.kind,
    ok: true,
    attempts: 1,
    durationMs: 1,
  });
  const verified: VerifyNotification[] = [];
  let report: (f: VerifyFailure) => void = () => undefined;
  const verify = new VerifyService({ ...common, onVerifyFailure: (f) => report(f) });
  /** What the executor asked to copy (task copy targets): point id and target ids. */
  const copied: { pointId: string; targetIds: readonly string[] }[] = [];
  // Detached volumes under /vols, backed up by the real service on a fake engine.
  const offline = new FakeOffline(images);
  const volumeResources = new SqliteVolumeResources(catalog.db);
  const volumeDeps = {
    ...common,
    clock: new FakeClock(),
    random: randomBytes,
    offline,
    resources: volumeResources,
    runDir: '/state/volume-backup',
    volumePath: async (pool: string, volume: string) => `/vols/${pool}-${volume}`,
    realPath: async (p: string) => {
      if (!images.images.has(p)) throw new VirtpointError('NOT_FOUND', `${p} does not exist`);
      return p;
    },
    allowedDirs: ['/vols'],
  };
  const volumes = new VolumeBackupService(volumeDeps);
  const exec = new TaskExecutor({
    verify,
    volumeBackup: { backup: volumes, resources: volumeResources },
    copyAfter: async (pointId, targetIds) => {
      copied.push({ pointId, targetIds });
      return targetIds.map((id) => ({
        target: `name-of-${id}`,
        state: 'queued' as const,
        jobId: 'cccccccccccc',
      }));
    },
    catalog,
    runner,
    backup,
    retention,
    log,
    timeZone: TZ,
    host: 'kvm1',
    notify: async (receivers, payload) => {
      sent.push({ receivers, payload: payload as RunNotification }); // the executor sends run events only
      return receivers.map((r) => deliver(r));
    },
  });
  report = verifyFailureNotifier({
    catalog,
    log,
    timeZone: TZ,
    now: () => clock.now,
    host: 'kvm1',
    track: (p) => void exec.track(p),
    notify: async (receivers, payload) => {
      if (payload.event === 'verify') verified.push(payload);
      return receivers.map((r) => deliver(r));
    },
  });
  const scheduler = new Scheduler({
    catalog,
    exec,
    retention,
    log,
    now: () => clock.now,
    timeZone: TZ,
    catchUpHours: opts.catchUpHours ?? 6,
  });
  const db = catalog.scheduling;
  const policy = (name: string, schedule: Schedule, enabled = true) =>
    db.createPolicy({ name, schedule, enabled });
  const task = (
    name: string,
    policyIds: string[],
    o: {
      retention?: Retention;
      chainLength?: number;
      receivers?: Receiver[];
      enabled?: boolean;
      domains?: string[];
      verifyAfter?: boolean;
      copyTo?: string[];
      /** Volume files (paths under /vols), after the domains. */
      volumes?: string[];
    } = {},
  ) =>
    db.createTask({
      name,
      resources: [
        ...(o.domains ?? (o.volumes ? [] : [uuids[0]!])).map((u) => ({
          domainUuid: u,
          domainName: u.slice(0, 4),
          disks: null,
        })),
        ...(o.volumes ?? []).map((path) => ({
          domainUuid: resourceUuid(path),
          domainName: path,
          disks: null,
          volume: { path },
        })),
      ],
      policyIds,
      chainLength: o.chainLength ?? 30,
      retention: o.retention ?? { kind: 'forever' },
      receivers: o.receivers ?? [],
      enabled: o.enabled ?? true,
      verifyAfter: o.verifyAfter ?? false,
      copyTo: o.copyTo ?? [],
    });
  /** Sets the clock and ticks; waits for the executions to end. */
  const at = async (ms: number) => {
    clock.now = ms;
    const r = scheduler.tick(ms);
    await scheduler.idle();
    return r;
  };
  const hourly: Schedule = {
    kind: 'every-days',
    n: 1,
    times: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`),
  };
  return {
    copied,
    offline,
    volumes,
    volumeDeps,
    /** A detached qcow2 volume file under /vols. */
    addVolume: (path: string) => images.addSource(path, 1 << 30),
    clock,
    hv,
    fs,
    images,
    catalog,
    db,
    uuids,
    backup,
    del,
    runner,
    retention,
    exec,
    scheduler,
    sent,
    verified,
    verify,
    policy,
    task,
    at,
    hourly,
    setDeliver: (f: typeof deliver) => (deliver = f),
    file: (p: { disks: readonly { path: string }[] }) => `${STORE}/${p.disks[0]!.path}`,
  };
}
