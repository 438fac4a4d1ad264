import { VirtpointError, isVirtpointError } from '../../core/errors.js';
import type { Clock } from '../../ports/fs.js';
import type { Hypervisor, JobStats } from '../../ports/hypervisor.js';
import { isNoSpaceMessage } from './space.js';

/**
 * Follows a running backup job until it ends: progress from job stats (polled), the end from the
 * job-completed event or, if no event comes, from the completed job's stats. Aborts the job when
 * `signal` fires. Resolves on success; throws JOB_FAILED / JOB_CANCELED otherwise.
 */

export interface FollowOptions {
  readonly pollMs: number;
  readonly onProgress?: (progress: { done: number; total: number | null }) => void;
  readonly signal?: AbortSignal;
}

export async function followBackupJob(
  hv: Hypervisor,
  clock: Clock,
  uuid: string,
  opts: FollowOptions,
  completed: Promise<JobStats>,
): Promise<JobStats> {
  let final: JobStats | null = null;
  void completed.then((s) => (final = s));
  let aborted = false;
  const abort = () => {
    aborted = true;
    hv.abortJob(uuid).catch(() => undefined);
  };
  opts.signal?.addEventListener('abort', abort, { once: true });
  if (opts.signal?.aborted) abort();
  try {
    let idlePolls = 0;
    while (final === null) {
      let stats: JobStats | null = null;
      try {
        stats = await hv.getJobStats(uuid);
      } catch (e) {
        if (!isVirtpointError(e, 'LIBVIRT_TIMEOUT')) throw e;
      }
      if (stats !== null && stats.type !== 'none' && stats.dataProcessed !== null) {
        opts.onProgress?.({ done: stats.dataProcessed, total: stats.dataTotal });
        idlePolls = 0;
      } else if (stats?.type === 'none' && final === null) {
        // The job is gone but its event has not arrived (yet): ask for the completed job's stats.
        if (++idlePolls >= 4) {
          final = await hv.getJobStats(uuid, { completed: true });
          break;
        }
      }
      await Promise.race([clock.sleep(opts.pollMs), completed]);
    }
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
  const end = final as JobStats;
  if (end.type === 'completed') {
    if (end.dataTotal !== null) opts.onProgress?.({ done: end.dataTotal, total: end.dataTotal });
    return end;
  }
  if (aborted || end.type === 'cancelled') {
    throw new VirtpointError('JOB_CANCELED', 'the backup job was canceled');
  }
  if (isNoSpaceMessage(end.errorMessage)) {
    throw new VirtpointError(
      'NO_SPACE',
      `the backup job ran out of space in the store: ${end.errorMessage}; free space or delete points, then back up again`,
      { details: { stats: end.raw } },
    );
  }
  throw new VirtpointError(
    'JOB_FAILED',
    `the backup job failed${end.errorMessage ? `: ${end.errorMessage}` : ''} (job type ${end.type})`,
    { details: { stats: end.raw } },
  );
}

/** Resolves with the stats of the next job-completed event of the domain. Call `cancel` to stop listening. */
export function nextJobCompleted(
  hv: Hypervisor,
  uuid: string,
): { promise: Promise<JobStats>; cancel: () => void } {
  let off: () => void = () => undefined;
  const promise = new Promise<JobStats>((resolve) => {
    off = hv.onEvent((ev) => {
      if (ev.kind === 'job-completed' && ev.domainUuid === uuid) {
        off();
        resolve(ev.stats);
      }
    });
  });
  return { promise, cancel: () => off() };
}
