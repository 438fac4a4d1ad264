/**
 * Scheduled verification (docs/verify.md "Scheduled"): every day at `verify_schedule` (local
 * time, default 03:00) a quick verify of the available points not verified for
 * `verify_max_age_days` (never-verified and least recently verified first), one job after the
 * other, until `verify_budget_minutes` are used up. The jobs *yield* (JobRunner `yields`): a
 * domain that has a job queued or running is skipped, and a backup (or any job) submitted for a
 * domain while its verify runs cancels that verify at once — a scheduled backup is never delayed.
 */

import { runsBetween, type Schedule } from '../../core/schedule.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { JobRunner } from '../jobs/runner.js';
import { verifyResultView } from './api.js';
import type { VerifyService } from './verify.js';

const DAY_MS = 86_400_000;

export interface SweepSettings {
  /** `HH:MM` local, or null: no scheduled verification. */
  readonly at: string | null;
  readonly maxAgeDays: number;
  readonly budgetMinutes: number;
}

export interface SweepDeps {
  readonly catalog: Catalog;
  readonly runner: Pick<JobRunner, 'submit' | 'wait' | 'busy'>;
  readonly verify: VerifyService;
  readonly log: Logger;
  readonly timeZone: string;
}

export interface SweepReport {
  readonly verified: number;
  readonly failed: number;
  /** Skipped (their domain was busy) or gave way to another job. */
  readonly skipped: number;
  /** Points still due when the budget ran out. */
  readonly left: number;
}

export class VerifySweep {
  private last: number | null = null;
  private running: Promise<SweepReport> | null = null;

  constructor(
    private readonly deps: SweepDeps,
    /** Changed by a config reload. */
    public settings: SweepSettings,
  ) {}

  /** Called on every scheduler tick: starts a sweep when the verify time passed since the last. */
  tick(now: number): void {
    const last = this.last;
    this.last = last === null ? now : Math.max(last, now);
    const at = this.settings.at;
    if (last === null || at === null || this.running !== null) return;
    const daily: Schedule = { kind: 'every-days', n: 1, times: [at] };
    if (runsBetween(daily, last, now, this.deps.timeZone).length === 0) return;
    this.running = this.sweep(now).finally(() => (this.running = null));
    this.running.catch((e) => this.deps.log.error({ err: String(e) }, 'scheduled verify failed'));
  }

  /** Resolves when the sweep under way (if any) has ended. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** One sweep: the due points in order, within the budget (measured on `clock`). */
  async sweep(now: number, clock: () => number = Date.now): Promise<SweepReport> {
    const { catalog, runner, verify, log } = this.deps;
    const started = clock();
    const budgetMs = this.settings.budgetMinutes * 60_000;
    const due = catalog.verify.listDue(now - this.settings.maxAgeDays * DAY_MS, 10_000);
    let verified = 0;
    let failed = 0;
    let skipped = 0;
    let i = 0;
    for (; i < due.length && clock() - started < budgetMs; i++) {
      const point = due[i]!;
      if (catalog.getPoint(point.id)?.state !== 'available' || runner.busy(point.domainUuid)) {
        skipped++;
        continue;
      }
      const job = runner.submit(
        { type: 'verify', trigger: 'schedule', domainUuid: point.domainUuid, pointId: point.id },
        async (ctx) =>
          verifyResultView(await verify.verifyPoint(point.id, { signal: ctx.signal, trigger: 'schedule' })),
        { yields: true },
      );
      const ended = await runner.wait(job.id);
      const result = ended.result as { ok?: boolean } | null;
      if (ended.state !== 'succeeded') skipped++;
      else if (result?.ok === true) verified++;
      else failed++;
    }
    const report = { verified, failed, skipped, left: due.length - i };
    log.info({ ...report, budgetMinutes: this.settings.budgetMinutes }, 'scheduled verify done');
    return report;
  }
}
