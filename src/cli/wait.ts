/** Following a job to its end through its NDJSON events, with progress on stderr. */

import { isJobFinal } from '../core/job-state.js';
import { ERROR_CODES, VirtpointError, type ErrorCode } from '../core/errors.js';
import type { JobView } from '../contract/index.js';
import { Interrupted, type Ctx } from './context.js';
import { printJson } from './output.js';
import { JobProgress } from './progress.js';

/** Resolves to the job in its final state. Progress goes to stderr (not with `--json` off a TTY). */
export async function followJob(ctx: Ctx, jobId: string, label?: string): Promise<JobView> {
  const show = ctx.io.isTTY || !ctx.json;
  let progress: JobProgress | undefined;
  let last: JobView | undefined;
  for await (const job of untilInterrupted(ctx, jobId, ctx.client.jobEvents(jobId))) {
    last = job;
    progress ??= new JobProgress(ctx.io, label ?? `${job.type} job ${job.id}`);
    if (isJobFinal(job.state)) break;
    if (show) progress.update(job);
  }
  // The stream ended without a final state (daemon restarting?): ask once more.
  if (last === undefined || !isJobFinal(last.state)) {
    last = await ctx.client.get<JobView>(`/v1/jobs/${encodeURIComponent(jobId)}`);
    if (!isJobFinal(last.state)) {
      throw new VirtpointError(
        'INTERNAL',
        `the event stream of job ${jobId} ended while it was ${last.state}`,
      );
    }
  }
  if (show) (progress ?? new JobProgress(ctx.io, label ?? `${last.type} job ${last.id}`)).finish(last);
  return last;
}

/** The events until Ctrl-C (CliIo.interrupted): then the stream is closed and Interrupted thrown. */
async function* untilInterrupted<T>(ctx: Ctx, jobId: string, events: AsyncIterable<T>): AsyncGenerator<T> {
  const it = events[Symbol.asyncIterator]();
  const interrupted = ctx.io.interrupted?.then(() => null) ?? new Promise<never>(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([it.next(), interrupted]);
      if (next === null) throw new Interrupted(`job ${jobId} continues; virtpoint job cancel ${jobId}`);
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    void it.return?.();
  }
}

/** The message for a job that ended failed or canceled. */
export function jobFailure(job: JobView): VirtpointError {
  if (job.state === 'canceled')
    return new VirtpointError('JOB_CANCELED', `${job.type} job ${job.id} was canceled`);
  const code = job.error?.code;
  const known = code !== undefined && (ERROR_CODES as readonly string[]).includes(code);
  const why = job.error === null ? 'no reason given' : job.error.message;
  return new VirtpointError(
    known ? (code as ErrorCode) : 'JOB_FAILED',
    `${job.type} job ${job.id} failed: ${why}`,
  );
}

/**
 * The end of a command that queued a job: `--no-wait` prints the queued job; otherwise follows it,
 * prints the final job (`--json`) or `done(job)`, and fails (exit 1) unless it succeeded.
 */
export async function settleJob(
  ctx: Ctx,
  job: JobView,
  wait: boolean,
  done: (j: JobView) => string,
): Promise<number> {
  if (!wait) {
    if (ctx.json) printJson(ctx.io.stdout, job);
    else ctx.io.stdout.write(`queued ${job.type} job ${job.id} (virtpoint job wait ${job.id})\n`);
    return 0;
  }
  const final = await followJob(ctx, job.id);
  if (ctx.json) printJson(ctx.io.stdout, final);
  if (final.state !== 'succeeded') throw jobFailure(final);
  if (!ctx.json) ctx.io.stdout.write(done(final));
  return 0;
}

/**
 * For commands whose result is the job's `result` (rollback, volume/image create): `--no-wait`
 * prints the queued job and resolves to null; otherwise follows it (progress under `label`) and
 * resolves to the succeeded job, or throws (exit 1) printing the final job with `--json`.
 */
export async function awaitJob(
  ctx: Ctx,
  job: JobView,
  wait: boolean,
  label: string,
): Promise<JobView | null> {
  if (!wait) {
    if (ctx.json) printJson(ctx.io.stdout, job);
    else ctx.io.stdout.write(`queued ${job.type} job ${job.id} (virtpoint job wait ${job.id})\n`);
    return null;
  }
  const final = await followJob(ctx, job.id, `${label} (job ${job.id})`);
  if (final.state !== 'succeeded') {
    if (ctx.json) printJson(ctx.io.stdout, final);
    throw jobFailure(final);
  }
  return final;
}
