/**
 * When a long job logs its progress: at every 10 % step crossed, and every 30 s while it runs
 * (a job of unknown total logs by time only). Pure: the runner keeps the state per job.
 */

export const PROGRESS_STEP_PERCENT = 10;
export const PROGRESS_EVERY_MS = 30_000;

export interface ProgressLogState {
  /** The 10 % step (0–10) last logged. */
  readonly step: number;
  /** When the last line was logged, or the job started (ms). */
  readonly at: number;
}

export const startProgressLog = (startedAt: number): ProgressLogState => ({ step: 0, at: startedAt });

/** The percentage (0–100, floored) of `done` of `total`; null without a known total. */
export function progressPercent(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

/** Whether this progress report gets a log line, and the state after it. */
export function progressLogDue(
  state: ProgressLogState,
  report: { readonly done: number; readonly total: number | null },
  now: number,
): { readonly log: boolean; readonly state: ProgressLogState } {
  const pct = progressPercent(report.done, report.total);
  const step = pct === null ? state.step : Math.floor(pct / PROGRESS_STEP_PERCENT);
  if (step > state.step || now - state.at >= PROGRESS_EVERY_MS)
    return { log: true, state: { step, at: now } };
  return { log: false, state };
}
