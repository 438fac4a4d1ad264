/**
 * A task's copies (`task create --copy-to T`, docs/copies.md "After each backup of a task"):
 * each new point of the task is copied to each of the task's targets by a copy job of its own,
 * queued right after the backup (and its verify) and never awaited by the run.
 *
 * - The job *yields* (runner.ts): a backup, rollback or any other job of the domain submitted
 *   meanwhile cancels it, so a long upload never delays the next backup. A copy that gave way
 *   is queued again at once (behind the job it gave way to) and is not counted as a failure; a
 *   clear upload continues after its last completed part.
 * - A copy job that fails is retried with backoff (RETRY_DELAYS_MS: 1 min, 5 min, 15 min, 1 h,
 *   4 h), each failure logged at warn with the time of the next try; after the last it is
 *   given up, logged at error and reported (`onGiveUp`). The count and the next try are kept in
 *   the copy's row (`attempts`, `retryAt`), so a restarted daemon picks the retries up (`start`).
 * - The copy's row is `copying` from the moment its job is queued, so a daemon killed even before
 *   the job started queues it again at the next start (CopyJobs.resume → `resumeNow`).
 * - A copy canceled by hand (`job cancel`) is not retried. One cut short by a daemon shutdown is
 *   due again at the next start. A point or target gone meanwhile ends its retries (the copy row
 *   went with it).
 */

import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import type { Catalog, Job } from '../../ports/catalog.js';
import type { Copy } from '../../ports/copies-catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { QueuedCopy } from '../../ports/notifier.js';
import type { JobRunner } from '../jobs/runner.js';
import type { CopyJobs } from './copy-jobs.js';

export const RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 900_000, 3_600_000, 14_400_000];

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AutoCopyDeps {
  readonly catalog: Pick<Catalog, 'copies' | 'getPoint'>;
  readonly runner: Pick<JobRunner, 'wait'>;
  readonly jobs: Pick<CopyJobs, 'copyPoint'>;
  readonly log: Logger;
  readonly now: () => number;
  readonly timers?: Timers;
  /** Default RETRY_DELAYS_MS: a copy job runs at most 1 + delays.length times. */
  readonly delays?: readonly number[];
  /** A copy given up after its last retry (a notification, a metric). */
  readonly onGiveUp?: (copy: Copy) => void;
}

/** Errors after which another try cannot succeed: the point or the target is gone or unusable. */
const FINAL: ReadonlySet<string> = new Set(['POINT_NOT_FOUND', 'TARGET_NOT_FOUND', 'INVALID_STATE']);

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class AutoCopies {
  private readonly timers = new Map<string, unknown>();
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: AutoCopyDeps) {}

  private get delays(): readonly number[] {
    return this.deps.delays ?? RETRY_DELAYS_MS;
  }

  private get clock(): Timers {
    return this.deps.timers ?? realTimers;
  }

  /** Queues a copy of the new point to each target (ids); returns what the run records. */
  async after(pointId: string, targetIds: readonly string[]): Promise<QueuedCopy[]> {
    const out: QueuedCopy[] = [];
    for (const targetId of targetIds) {
      const name = this.deps.catalog.copies.getTarget(targetId)?.name ?? targetId;
      try {
        const job = await this.submit(pointId, targetId);
        out.push({ target: name, state: 'queued', jobId: job.id });
      } catch (e) {
        const err = toVirtpointError(e);
        this.deps.log.warn(
          { point: pointId, target: name, code: err.code, err: err.message },
          'copy not queued',
        );
        out.push({ target: name, state: 'failed', error: { code: err.code, message: err.message } });
      }
    }
    return out;
  }

  /** At daemon start: the retries the catalog has due, each at its time (or at once if past). */
  start(): void {
    for (const c of this.deps.catalog.copies.listCopies()) {
      if (c.state === 'failed' && c.retryAt !== null)
        this.later(c.pointId, c.targetId, c.retryAt - this.deps.now());
    }
  }

  /** A copy a killed daemon left `copying` (CopyJobs.resume): queued again, not counted. */
  resumeNow(pointId: string, targetId: string): void {
    void this.retry(pointId, targetId, false);
  }

  /** Stops the timers (daemon shutdown); the retries stay in the catalog for the next start. */
  stop(): void {
    this.stopped = true;
    for (const h of this.timers.values()) this.clock.clearTimeout(h);
    this.timers.clear();
  }

  /** Resolves once every job followed so far has ended and been accounted for (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async submit(pointId: string, targetId: string): Promise<{ id: string }> {
    const job = await this.deps.jobs.copyPoint(pointId, targetId, 'schedule', { yields: true });
    // `copying` from the moment it is queued: a daemon killed before the job starts resumes it too.
    // (The job has not started: the runner starts jobs on a later turn. `attempts` is kept.)
    this.deps.catalog.copies.setCopy(pointId, targetId, { state: 'copying', jobId: job.id });
    const followed = this.follow(pointId, targetId, job.id).catch((e: unknown) =>
      this.deps.log.warn({ point: pointId, err: String(e) }, 'following a copy job failed'),
    );
    this.pending.add(followed);
    void followed.finally(() => this.pending.delete(followed));
    return job;
  }

  private async follow(pointId: string, targetId: string, jobId: string): Promise<void> {
    const ended = await this.deps.runner.wait(jobId);
    if (ended.state === 'succeeded') return;
    const code = ended.error?.code;
    if (
      ended.state === 'canceled' &&
      code === 'JOB_CANCELED' &&
      /^gave way/.test(ended.error?.message ?? '')
    ) {
      if (!this.stopped) await this.retry(pointId, targetId, false);
      return;
    }
    if (ended.state === 'canceled' && code === 'JOB_CANCELED') {
      this.record(pointId, targetId, ended, { retryAt: null }); // by hand: not retried
      return;
    }
    if (code === 'SHUTTING_DOWN') {
      this.record(pointId, targetId, ended, { retryAt: this.deps.now() });
      return;
    }
    this.failed(pointId, targetId, ended);
  }

  /** A failed job: the next try after the backoff, or given up after the last. */
  private failed(pointId: string, targetId: string, ended: Pick<Job, 'error'>): void {
    const { catalog } = this.deps;
    const t = catalog.copies.getTarget(targetId);
    if (catalog.getPoint(pointId) === null || t === null) return; // gone: its copy row went with it
    // No row yet when the job failed before its first upload (the target could not be opened).
    const attempts = (this.copyRow(pointId, targetId)?.attempts ?? 0) + 1;
    const delay = FINAL.has(ended.error?.code ?? '') ? undefined : this.delays[attempts - 1];
    const target = t.name;
    const err = ended.error?.message ?? 'unknown error';
    if (delay === undefined) {
      const last = this.record(pointId, targetId, ended, { attempts, retryAt: null });
      this.deps.log.error({ point: pointId, target, attempts, err }, 'copy failed: given up');
      if (last !== null) this.deps.onGiveUp?.(last);
      return;
    }
    const retryAt = this.deps.now() + delay;
    this.record(pointId, targetId, ended, { attempts, retryAt });
    this.deps.log.warn(
      { point: pointId, target, attempts, retryAt: new Date(retryAt).toISOString(), err },
      'copy failed: retry scheduled',
    );
    this.later(pointId, targetId, delay);
  }

  private later(pointId: string, targetId: string, ms: number): void {
    if (this.stopped) return;
    const key = `${pointId}\n${targetId}`;
    const old = this.timers.get(key);
    if (old !== undefined) this.clock.clearTimeout(old);
    this.timers.set(
      key,
      this.clock.setTimeout(
        () => {
          this.timers.delete(key);
          void this.retry(pointId, targetId, true);
        },
        Math.max(0, ms),
      ),
    );
  }

  private async retry(pointId: string, targetId: string, counted: boolean): Promise<void> {
    const { catalog } = this.deps;
    if (this.stopped || catalog.getPoint(pointId) === null || catalog.copies.getTarget(targetId) === null)
      return;
    try {
      const job = await this.submit(pointId, targetId);
      this.deps.log.info({ point: pointId, target: targetId, job: job.id, counted }, 'copy queued again');
    } catch (e) {
      const err = toVirtpointError(e);
      this.failed(pointId, targetId, { error: { code: err.code, message: err.message } });
    }
  }

  /** The copy's row; null when the point or the target is gone (the row went with it). */
  private copyRow(pointId: string, targetId: string): Copy | null {
    return this.deps.catalog.copies.listCopies({ pointId, targetId })[0] ?? null;
  }

  private record(
    pointId: string,
    targetId: string,
    ended: Pick<Job, 'error'>,
    patch: { attempts?: number; retryAt: number | null },
  ): Copy | null {
    try {
      const error = ended.error ?? new VirtpointError('TARGET_ERROR', 'the copy job failed');
      return this.deps.catalog.copies.setCopy(pointId, targetId, {
        state: 'failed',
        error: { code: error.code, message: error.message },
        ...patch,
      });
    } catch (e) {
      this.deps.log.warn({ point: pointId, err: String(e) }, 'could not record the copy retry');
      return null;
    }
  }
}
