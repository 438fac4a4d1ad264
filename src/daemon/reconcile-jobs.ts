import type { Catalog, Job, JobOutcome } from '../ports/catalog.js';
import type { Logger } from '../ports/logger.js';
import type { RestoreLeftovers } from './reconcile-restore.js';

/**
 * The outcome of each job the restart interrupted, set once reconcile has established it (so a
 * job record never contradicts the catalog or the disks):
 * - backup: its point `available` → `succeeded` (the restart came after the point was recorded);
 *   its point undone (it was `creating`) → `failed`, saying what was undone; no point → `failed`;
 * - restore (rollback): reconcile completed it → `succeeded`; undid it → `failed`, saying so; a
 *   chain of the domain sealed `restored` since the job started (the crash came after the
 *   rollback's last step) → `succeeded`; otherwise → `failed`, the disks unchanged;
 * - create-volume / create-image: the volume or image recorded since the job started →
 *   `succeeded`; otherwise `failed` (its temp file, if any, was removed);
 * - queued jobs and the rest → `failed` (DAEMON_RESTARTED), as before.
 * Every outcome carries a note that virtpointd restarted (`daemon-restarted`).
 */

export interface JobFacts {
  /** Points that were `creating` and were undone. */
  readonly undonePoints: ReadonlySet<string>;
  readonly restores: RestoreLeftovers;
}

const NOTE = 'virtpointd restarted while this job ran (daemon-restarted)';

export function settleInterruptedJobs(
  deps: { catalog: Catalog; log: Logger },
  jobs: readonly Job[],
  facts: JobFacts,
): { succeeded: string[]; failed: string[] } {
  const out = { succeeded: [] as string[], failed: [] as string[] };
  for (const job of jobs) {
    const outcome =
      job.state === 'queued'
        ? failed('it had not started; nothing was done')
        : decide(deps.catalog, job, facts);
    deps.catalog.jobs.finish(job.id, outcome);
    (outcome.state === 'succeeded' ? out.succeeded : out.failed).push(job.id);
  }
  if (jobs.length > 0) deps.log.info(out, 'set the outcome of the jobs the restart interrupted');
  return out;
}

function failed(what: string): JobOutcome {
  return { state: 'failed', error: { code: 'DAEMON_RESTARTED', message: `${NOTE}; ${what}` } };
}

function succeeded(result: Record<string, unknown>, what: string): JobOutcome {
  return { state: 'succeeded', result: { ...result, note: `${NOTE}; ${what}` } };
}

function decide(catalog: Catalog, job: Job, facts: JobFacts): JobOutcome {
  const since = job.startedAt ?? job.createdAt;
  const point = job.pointId === null ? null : catalog.getPoint(job.pointId);
  switch (job.type) {
    case 'backup': {
      if (point?.state === 'available') {
        return succeeded(
          { pointId: point.id, kind: point.kind, newChainReason: point.newChainReason },
          'the point had been recorded available before the restart',
        );
      }
      if (point !== null && facts.undonePoints.has(point.id)) {
        const cp = point.disks[0]?.checkpoint;
        return failed(
          `undone: the libvirt job aborted${cp ? `, checkpoint ${cp} deleted` : ''}, ` +
            `${point.disks.length} partial file(s) removed; point ${point.id} is error`,
        );
      }
      return failed('no point had been written');
    }
    case 'rollback': {
      const uuid = job.domainUuid ?? '';
      if (facts.restores.rollbacks.completed.includes(uuid)) {
        return succeeded(
          { pointId: job.pointId },
          'reconcile completed the rollback: every disk had been renamed; the old files removed, checkpoints dropped, chains sealed',
        );
      }
      if (facts.restores.rollbacks.undone.includes(uuid)) {
        return failed('undone: the disks already renamed got their original files back; nothing changed');
      }
      const sealed = catalog
        .listChains({ domainUuid: uuid })
        .some((c) => c.sealReason === 'restored' && (c.sealedAt ?? 0) >= since);
      if (sealed) return succeeded({ pointId: job.pointId }, 'the rollback had completed before the restart');
      return failed('the disks were not changed');
    }
    case 'create-volume': {
      const v =
        job.pointId === null
          ? undefined
          : catalog.artifacts.listVolumes({ pointId: job.pointId }).find((x) => x.createdAt >= since);
      if (v)
        return succeeded(
          { id: v.id, name: v.name, path: v.path },
          'the volume had been recorded before the restart',
        );
      return failed('no volume was recorded; its partial file was removed');
    }
    case 'create-image': {
      const i =
        job.pointId === null
          ? undefined
          : catalog.artifacts.listImages({ pointId: job.pointId }).find((x) => x.createdAt >= since);
      if (i) return succeeded({ name: i.name }, 'the image had been recorded before the restart');
      return failed('no image was recorded; its partial file was removed');
    }
    default:
      return failed(
        job.type === 'delete' ? 'the point is delete-failed: run the delete again' : 'it was not completed',
      );
  }
}
