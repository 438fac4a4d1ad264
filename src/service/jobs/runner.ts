import { EventEmitter } from 'node:events';
import fastq from 'fastq';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import type { Catalog, Job, NewJob } from '../../ports/catalog.js';
import { safeCheckpoint } from '../recovery/catalog-backups.js';
import type { Logger } from '../../ports/logger.js';
import { progressLogDue, progressPercent, startProgressLog } from '../../core/progress-log.js';
import { jobLogger, runInJobScope, type JobLogFields } from './job-log.js';

/**
 * The daemon's job queue: every job is a catalog record (`queued → running → succeeded | failed
 * | canceled`) run on fastq with a global concurrency. One job per domain at a time: a job for a
 * busy domain waits outside the queue (it does not hold a slot) until the domain's job ends.
 * Each job logs with its own logger (`JobContext.log`: `job`, `domain`, `domainName` on every
 * line) and its work runs in its log scope (job-log.ts).
 */

export interface JobContext {
  readonly jobId: string;
  /** Aborted when the job is canceled or the daemon shuts down. */
  readonly signal: AbortSignal;
  /** `phase`: what the job does now, for people; sent in the job's events, not stored. */
  progress(progress: { done: number; total: number | null; phase?: string }): void;
  /** null: the job's point is gone (a canceled backup leaves none). */
  setPoint(pointId: string | null): void;
  /** The job's logger: every line carries `job`, `domain` (UUID) and `domainName`. */
  readonly log: Logger;
}

export type JobWork = (ctx: JobContext) => Promise<unknown>;

interface Task {
  readonly jobId: string;
  readonly domainUuid: string | null;
  readonly work: JobWork;
  /** Gives way: canceled when another job of its domain is submitted (scheduled verify). */
  readonly yields: boolean;
}

export interface SubmitOptions {
  /**
   * The job gives way to any other job of its domain that does not yield itself: when one is
   * submitted while this one is queued or running, this one is canceled (JOB_CANCELED, "gave way
   * to …"), so it never delays a backup. For background work (scheduled verify, a task's copies);
   * yielding jobs of one domain queue behind each other.
   */
  readonly yields?: boolean;
}

export interface JobRunnerOptions {
  readonly catalog: Catalog;
  readonly log: Logger;
  /** Jobs running at once over all domains (default 2). */
  readonly concurrency?: number;
  /** Jobs wait for this before they start (the daemon's reconciliation after a crash). */
  readonly startGate?: Promise<unknown>;
}

export class JobRunner {
  private readonly catalog: Catalog;
  private readonly log: Logger;
  private readonly queue: fastq.queueAsPromised<Task>;
  private readonly events = new EventEmitter<{ job: [Job] }>();
  private readonly running = new Map<string, AbortController>();
  private readonly busyDomains = new Set<string>();
  private readonly waiting = new Map<string, Task[]>();
  private accepting = true;
  private readonly startGate: Promise<unknown>;

  constructor(opts: JobRunnerOptions) {
    this.startGate = opts.startGate ?? Promise.resolve();
    this.catalog = opts.catalog;
    this.log = opts.log;
    this.events.setMaxListeners(0);
    this.queue = fastq.promise((task: Task) => this.run(task), opts.concurrency ?? 2);
  }

  /** Creates the job record (`queued`) and schedules it. Throws SHUTTING_DOWN once shutdown began. */
  submit(input: NewJob, work: JobWork, opts: SubmitOptions = {}): Job {
    if (!this.accepting) {
      throw new VirtpointError('SHUTTING_DOWN', 'virtpointd is shutting down and takes no new jobs');
    }
    const job = this.catalog.jobs.create(input);
    this.emit(job);
    const domainUuid = input.domainUuid ?? null;
    // Background jobs give way to the others, not to each other (they queue up instead).
    if (domainUuid !== null && opts.yields !== true) this.giveWay(domainUuid, job);
    this.schedule({ jobId: job.id, domainUuid, work, yields: opts.yields === true });
    return job;
  }

  /** Cancels the yielding jobs of the domain (queued or running) for the new job `job`. */
  private giveWay(domainUuid: string, job: Job): void {
    const yielding = [...this.pending.values()].filter((t) => t.yields && t.domainUuid === domainUuid);
    for (const { jobId: other } of yielding) {
      const reason = new VirtpointError('JOB_CANCELED', `gave way to ${job.type} job ${job.id}`);
      if (this.running.has(other)) {
        this.running.get(other)?.abort(reason);
      } else {
        this.dropWaiting(other);
        this.emit(this.catalog.jobs.finish(other, { state: 'canceled', error: reason }));
      }
      this.log.info({ job: other, domain: domainUuid, for: job.id }, 'background job gave way');
    }
  }

  /** Queued: canceled at once. Running: aborted; it ends `canceled`. Final: INVALID_STATE. */
  cancel(jobId: string): Job {
    const job = this.catalog.jobs.get(jobId);
    if (job === null) throw new VirtpointError('JOB_NOT_FOUND', `no job ${jobId}`);
    if (job.state === 'queued') {
      this.dropWaiting(jobId);
      const done = this.catalog.jobs.finish(jobId, {
        state: 'canceled',
        error: { code: 'JOB_CANCELED', message: 'canceled before it started' },
      });
      this.emit(done);
      return done;
    }
    const ac = this.running.get(jobId);
    if (job.state === 'running' && ac) {
      ac.abort(new VirtpointError('JOB_CANCELED', 'canceled by request'));
      return job;
    }
    throw new VirtpointError('INVALID_STATE', `job ${jobId} has already ended (${job.state})`);
  }

  /** Calls `listener` on every change of any job; returns the unsubscribe function. */
  onJob(listener: (job: Job) => void): () => void {
    this.events.on('job', listener);
    return () => this.events.off('job', listener);
  }

  /** Resolves with the job once it is final. */
  wait(jobId: string): Promise<Job> {
    return new Promise((resolve, reject) => {
      const check = (job: Job | null) => {
        if (job === null) {
          off();
          reject(new VirtpointError('JOB_NOT_FOUND', `no job ${jobId}`));
        } else if (job.state !== 'queued' && job.state !== 'running') {
          off();
          resolve(job);
        }
      };
      const off = this.onJob((j) => j.id === jobId && check(j));
      check(this.catalog.jobs.get(jobId));
    });
  }

  /** Jobs running at once (a config reload may change it; running jobs are not affected). */
  setConcurrency(n: number): void {
    this.queue.concurrency = n;
  }

  /**
   * True while a job for the domain is queued (waiting for it) or running — a yielding job does
   * not count: it gives way to whatever comes (a scheduled run is never skipped for it).
   */
  busy(domainUuid: string): boolean {
    for (const t of this.pending.values()) if (t.domainUuid === domainUuid && !t.yields) return true;
    return false;
  }

  /** Every job submitted and not yet ended (queued, waiting or running). */
  private readonly pending = new Map<string, Task>();

  counts(): { queued: number; running: number } {
    let waiting = 0;
    for (const list of this.waiting.values()) waiting += list.length;
    return { queued: this.queue.length() + waiting, running: this.running.size };
  }

  /**
   * Stop taking jobs; cancel the queued ones; let running jobs finish for `graceMs`, then abort
   * them and wait for them to end (they undo their own work).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    for (const job of this.catalog.jobs.list({ state: 'queued' })) {
      if (this.isOurs(job.id)) this.cancel(job.id);
    }
    const idle = () => this.running.size === 0;
    const deadline = Date.now() + graceMs;
    while (!idle() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!idle()) {
      this.log.warn({ running: [...this.running.keys()] }, 'aborting running jobs for shutdown');
      for (const ac of this.running.values()) {
        ac.abort(new VirtpointError('SHUTTING_DOWN', 'virtpointd is shutting down'));
      }
      while (!idle()) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private isOurs(jobId: string): boolean {
    for (const list of this.waiting.values()) if (list.some((t) => t.jobId === jobId)) return true;
    return this.queued.has(jobId);
  }

  private readonly queued = new Set<string>();

  private schedule(task: Task): void {
    this.pending.set(task.jobId, task);
    const d = task.domainUuid;
    if (d !== null && this.busyDomains.has(d)) {
      const list = this.waiting.get(d) ?? [];
      list.push(task);
      this.waiting.set(d, list);
      return;
    }
    if (d !== null) this.busyDomains.add(d);
    this.queued.add(task.jobId);
    void this.queue.push(task);
  }

  private dropWaiting(jobId: string): void {
    this.pending.delete(jobId);
    for (const [d, list] of this.waiting) {
      const rest = list.filter((t) => t.jobId !== jobId);
      if (rest.length === 0) this.waiting.delete(d);
      else this.waiting.set(d, rest);
    }
  }

  private releaseDomain(domainUuid: string | null): void {
    if (domainUuid === null) return;
    this.busyDomains.delete(domainUuid);
    const list = this.waiting.get(domainUuid);
    const next = list?.shift();
    if (list && list.length === 0) this.waiting.delete(domainUuid);
    if (next) this.schedule(next);
  }

  private emit(job: Job): void {
    this.events.emit('job', job);
  }

  private logFields(task: Task): JobLogFields {
    const d = task.domainUuid;
    const type = this.catalog.jobs.get(task.jobId)?.type;
    const base = { job: task.jobId, ...(type === undefined ? {} : { type }) };
    if (d === null) return base;
    return { ...base, domain: d, domainName: this.catalog.getDomain(d)?.name ?? d };
  }

  private async run(task: Task): Promise<void> {
    const { jobId } = task;
    try {
      await this.startGate;
      this.queued.delete(jobId);
      if (this.catalog.jobs.get(jobId)?.state !== 'queued') return; // canceled while queued
      const ac = new AbortController();
      this.running.set(jobId, ac);
      this.emit(this.catalog.jobs.start(jobId));
      const fields = this.logFields(task);
      const log = jobLogger(this.log, fields);
      // Long jobs log their progress every 10 % or 30 s (core/progress-log.ts).
      let progressLog = startProgressLog(Date.now());
      const logProgress = (p: { done: number; total: number | null }) => {
        const due = progressLogDue(progressLog, p, Date.now());
        progressLog = due.state;
        const percent = progressPercent(p.done, p.total);
        if (due.log)
          log.info(
            { done: p.done, total: p.total, ...(percent === null ? {} : { percent }) },
            'job progress',
          );
      };
      const ctx: JobContext = {
        jobId,
        signal: ac.signal,
        progress: (p) => {
          const job = this.catalog.jobs.progress(jobId, p);
          this.emit(p.phase === undefined ? job : { ...job, progress: { ...job.progress, phase: p.phase } });
          logProgress(p);
        },
        setPoint: (pointId) => this.emit(this.catalog.jobs.setPoint(jobId, pointId)),
        log,
      };
      try {
        const result = await runInJobScope(fields, () => task.work(ctx));
        this.emit(this.catalog.jobs.finish(jobId, { state: 'succeeded', result: result ?? null }));
      } catch (e) {
        const err = toVirtpointError(e);
        const reason = ac.signal.reason as unknown;
        const canceled = err.code === 'JOB_CANCELED' || ac.signal.aborted;
        const error =
          canceled && reason instanceof VirtpointError && err.code === 'JOB_CANCELED'
            ? { code: reason.code, message: reason.message }
            : { code: err.code, message: err.message };
        log.warn({ code: err.code, err: err.message }, canceled ? 'job canceled' : 'job failed');
        this.emit(this.catalog.jobs.finish(jobId, { state: canceled ? 'canceled' : 'failed', error }));
      }
    } catch (e) {
      this.log.error({ job: jobId, err: String(e) }, 'job bookkeeping failed');
    } finally {
      this.running.delete(jobId);
      this.pending.delete(jobId);
      this.releaseDomain(task.domainUuid);
      safeCheckpoint(this.catalog, this.log); // catalog.db alone holds the catalog (docs/recovery.md)
    }
  }
}
