/** The job part of the SQLite catalog (used by SqliteCatalog; not exported as a port). */

import { VirtpointError } from '../../core/errors.js';
import { assertJobTransition, isJobFinal, type JobState } from '../../core/job-state.js';
import { newId, type RandomBytes } from '../../core/names.js';
import type { FinalJobState, Job, JobCatalog, JobFilter, JobOutcome, NewJob } from '../../ports/catalog.js';
import { nonNegInt, Where, type StatementCache } from './query.js';
import type { Transact } from './transact.js';
import { toJob, type JobRow } from './rows.js';

const FINAL_STATES: readonly FinalJobState[] = ['succeeded', 'failed', 'canceled'];

/** Jobs with the name the catalog knows for their domain (JobView.domainName). */
const SELECT_JOBS = `SELECT jobs.*, domains.name AS domain_name FROM jobs
  LEFT JOIN domains ON domains.uuid = jobs.domain_uuid`;

export class SqliteJobs implements JobCatalog {
  constructor(
    private readonly stmt: StatementCache,
    private readonly run: Transact,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {}

  create(input: NewJob): Job {
    return this.run('create job', () => {
      if (
        input.domainUuid != null &&
        this.stmt.get('SELECT 1 FROM domains WHERE uuid = ?').get(input.domainUuid) == null
      ) {
        throw new VirtpointError('DOMAIN_NOT_FOUND', `domain ${input.domainUuid} is not in the catalog`);
      }
      const id = newId(this.random);
      this.stmt
        .get(
          `INSERT INTO jobs (id, type, state, trigger, domain_uuid, point_id, created_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
        )
        .run(id, input.type, input.trigger, input.domainUuid ?? null, input.pointId ?? null, this.now());
      return this.require(id);
    });
  }

  get(id: string): Job | null {
    const r = this.stmt.get(`${SELECT_JOBS} WHERE jobs.id = ?`).get(id) as JobRow | undefined;
    return r === undefined ? null : toJob(r);
  }

  list(filter: JobFilter = {}): Job[] {
    return this.run('list jobs', () => {
      const where = new Where()
        .in('type', filter.type)
        .in('state', filter.state)
        .eq('trigger', filter.trigger)
        .eq('domain_uuid', filter.domainUuid)
        .eq('point_id', filter.pointId)
        .cmp('created_at', '>=', 'since', filter.since)
        .cmp('created_at', '<', 'until', filter.until);
      const order = filter.newestFirst === true ? 'DESC' : 'ASC';
      let sql = `${SELECT_JOBS} ${where} ORDER BY jobs.created_at ${order}, jobs.rowid ${order}`;
      if (filter.limit !== undefined) {
        sql += ' LIMIT @limit';
        where.params.limit = nonNegInt(filter.limit, 'limit');
      }
      return (this.stmt.get(sql).all(where.params) as JobRow[]).map(toJob);
    });
  }

  start(id: string): Job {
    return this.run('start job', () => {
      this.transition(id, 'running');
      this.stmt.get(`UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?`).run(this.now(), id);
      return this.require(id);
    });
  }

  setPoint(id: string, pointId: string | null): Job {
    return this.run('set job point', () => {
      this.require(id);
      this.stmt.get('UPDATE jobs SET point_id = ? WHERE id = ?').run(pointId, id);
      return this.require(id);
    });
  }

  progress(id: string, progress: { done: number; total?: number | null }): Job {
    return this.run('update job progress', () => {
      const job = this.require(id);
      if (isJobFinal(job.state))
        throw new VirtpointError('INVALID_STATE', `job ${id} has ended (${job.state})`);
      const total = progress.total === undefined ? job.progress.total : progress.total;
      this.stmt
        .get('UPDATE jobs SET progress_done = ?, progress_total = ? WHERE id = ?')
        .run(
          nonNegInt(progress.done, 'progress'),
          total === null ? null : nonNegInt(total, 'progress total'),
          id,
        );
      return this.require(id);
    });
  }

  finish(id: string, outcome: JobOutcome): Job {
    return this.run('finish job', () => {
      this.transition(id, outcome.state);
      const result = outcome.result === undefined ? null : JSON.stringify(outcome.result);
      this.stmt
        .get(
          `UPDATE jobs SET state = ?, ended_at = ?, error_code = ?, error_message = ?, result = ? WHERE id = ?`,
        )
        .run(
          outcome.state,
          this.now(),
          outcome.error?.code ?? null,
          outcome.error?.message ?? null,
          result,
          id,
        );
      return this.require(id);
    });
  }

  /** Removes a finished job's record; a queued or running job cannot go (INVALID_STATE). */
  delete(id: string): void {
    this.run('delete job', () => {
      const job = this.require(id);
      if (!isJobFinal(job.state)) {
        throw new VirtpointError('INVALID_STATE', `job ${id} is ${job.state}: cancel it first`);
      }
      this.stmt.get('DELETE FROM jobs WHERE id = ?').run(id);
    });
  }

  /**
   * Removes the records of finished jobs — in `state` when given, ended before `endedBefore` when
   * given — and returns how many went. A queued or running job is never removed.
   */
  deleteFinished(filter: { readonly state?: FinalJobState; readonly endedBefore?: number }): number {
    return this.run('delete jobs', () => {
      const where = new Where()
        .in('state', filter.state ?? FINAL_STATES)
        .cmp('ended_at', '<', 'before', filter.endedBefore);
      return this.stmt.get(`DELETE FROM jobs ${where}`).run(where.params).changes;
    });
  }

  private transition(id: string, to: JobState): void {
    assertJobTransition(this.require(id).state, to, id);
  }

  private require(id: string): Job {
    const j = this.get(id);
    if (j === null) throw new VirtpointError('JOB_NOT_FOUND', `job ${id} is not in the catalog`);
    return j;
  }
}
