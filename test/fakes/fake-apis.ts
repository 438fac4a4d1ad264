import { VirtpointError } from '../../src/core/errors.js';
import type { Apis } from '../../src/api/routes/context.js';
import type { MetricsApi } from '../../src/service/metrics/api.js';
import type { NotifyTestApi } from '../../src/service/scheduling/notify-test.js';
import type { RecoveryApi } from '../../src/service/recovery/api.js';
import { FakeBackupApi } from './fake-backup-api.js';
import { FakeCatalogApi } from './fake-catalog-api.js';
import { FakeCopies } from './fake-copies.js';
import { FakeRemote } from './fake-remote.js';
import { FakeDomains, FakeMount } from './fake-mount.js';
import { FakeRecovery } from './fake-recovery.js';
import { FakeRestore } from './fake-restore.js';
import { FakeScheduling } from './fake-scheduling.js';
import { FakeVerify } from './fake-verify.js';
import { FakeVolumeBackupApi } from './fake-volume-backup-api.js';

export {
  CHAIN1,
  DOM1,
  DOM2,
  JOB_DONE,
  JOB_FAILED,
  JOB_RUNNING,
  POINT0,
  POINT1,
  POINT2,
  job,
} from './fake-catalog-api.js';

/**
 * The feature APIs in memory for the API server's unit tests (an `Apis`): every call of any
 * of them is recorded in `calls` (method name and arguments); `failNext(method, error)` makes the
 * next call of a method throw.
 */

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

export class FakeApis implements Apis {
  readonly calls: Call[] = [];
  private readonly failures = new Map<string, unknown>();
  private readonly enter = (method: string, ...args: unknown[]): void => {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure !== undefined) {
      this.failures.delete(method);
      throw failure;
    }
  };

  readonly catalog = new FakeCatalogApi(this.enter);
  readonly backup = new FakeBackupApi(this.enter, this.catalog);
  readonly restore = new FakeRestore({
    enter: this.enter,
    domain: (ref) => this.catalog.findDomain(ref),
    point: (id) => {
      const p = this.catalog.points.get(id);
      if (p === undefined) throw new VirtpointError('POINT_NOT_FOUND', `no point ${id}`);
      return p;
    },
    queue: (patch) => this.catalog.queueJob(patch),
  });
  readonly scheduling = new FakeScheduling(this.enter);
  readonly verify = new FakeVerify({
    enter: this.enter,
    point: (id) => {
      const p = this.catalog.points.get(id);
      if (p === undefined) throw new VirtpointError('POINT_NOT_FOUND', `no point ${id}`);
      return p;
    },
    chainDomain: (id) => [...this.catalog.points.values()].find((p) => p.chainId === id)?.domain ?? '',
    queue: (patch) => this.catalog.queueJob(patch),
  });
  readonly copies = new FakeCopies(this.enter, (patch) => this.catalog.queueJob(patch));
  readonly remote = new FakeRemote(this.enter, (patch) => this.catalog.queueJob(patch));
  readonly mount = new FakeMount(this.enter);
  readonly volumeBackup = new FakeVolumeBackupApi(this.enter, this.catalog);
  readonly domains = new FakeDomains(this.enter, (patch) => this.catalog.queueJob(patch));
  notifyTest: NotifyTestApi = {
    notifyTest: (task) => {
      this.enter('notifyTest.notifyTest', task);
      return Promise.resolve({
        task,
        event: 'test',
        results: [{ receiver: 'journal', ok: true, attempts: 1, durationMs: 0 }],
      });
    },
  };
  /** Replaceable: a test may serve real metrics over fake ports. */
  metrics: MetricsApi = {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    render: () => {
      this.enter('metrics.render');
      return Promise.resolve('# HELP virtpoint_up Fake.\n# TYPE virtpoint_up gauge\nvirtpoint_up 1\n');
    },
  };
  /** Replaceable: a test may serve a real RecoveryService over fakes. */
  recovery: RecoveryApi = new FakeRecovery(this.enter);

  /** The next call of `method` (of any feature API) throws `error`. */
  failNext(method: string, error: unknown): void {
    this.failures.set(method, error);
  }
}
