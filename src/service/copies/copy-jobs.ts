/**
 * Copy jobs (docs/copies.md, "Copies"): `POST /v1/points/{id}/copy` and `POST /v1/chains/{id}/copy`
 * queue a job of type `copy` (copy.ts does the work), one domain's jobs at a time like every job
 * of that domain. `resume` runs once at daemon start, after the reconciliation: uploads under this
 * host's prefix that the catalog does not know are aborted, then every copy left `copying` by a
 * killed daemon is queued again (its uploads continue from their last completed part).
 */

import type { CopyResultView, JobView } from '../../contract/index.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { isValidId } from '../../core/names.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Point } from '../../ports/catalog-records.js';
import type { Trigger } from '../../core/job-state.js';
import type { Logger } from '../../ports/logger.js';
import { jobView } from '../catalog/views.js';
import type { JobRunner } from '../jobs/runner.js';
import type { CopyResult, CopyService, CopyStores } from './copy.js';

export interface CopyJobsDeps {
  readonly catalog: Catalog;
  readonly runner: JobRunner;
  readonly copy: CopyService;
  readonly stores: CopyStores;
  readonly log: Logger;
  /**
   * The target's remote retention (service/remote/retention.ts `prune`), run after each copy job
   * that succeeded when the target's retention is not `forever`. A failed prune is logged and
   * never fails the copy.
   */
  readonly prune?: (targetName: string) => Promise<unknown>;
}

export function copyResultView(r: CopyResult): CopyResultView {
  return {
    target: r.target,
    points: r.points.map((p) => ({
      pointId: p.pointId,
      bytes: p.bytes,
      uploaded: p.uploaded,
      skipped: p.skipped,
    })),
  };
}

export class CopyJobs {
  constructor(private readonly deps: CopyJobsDeps) {}

  private submit(points: readonly Point[], target: string, trigger: Trigger, yields = false): JobView {
    const { catalog, runner, copy } = this.deps;
    const t = catalog.copies.requireTarget(target);
    const last = points.at(-1)!;
    const job = runner.submit(
      { type: 'copy', trigger, domainUuid: last.domainUuid, pointId: last.id },
      async (ctx) => {
        const r = await copy.copy(points, t.id, {
          jobId: ctx.jobId,
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p),
        });
        await this.retention(t.id);
        return copyResultView(r);
      },
      { yields },
    );
    return jobView(job);
  }

  private async retention(targetId: string): Promise<void> {
    const { catalog, prune, log } = this.deps;
    const t = catalog.copies.getTarget(targetId);
    if (prune === undefined || t === null || t.retention === 'forever') return;
    try {
      log.info({ target: t.name, result: await prune(t.name) }, 'remote retention after a copy');
    } catch (e) {
      log.warn({ target: t.name, err: toVirtpointError(e).message }, 'remote retention after a copy failed');
    }
  }

  /**
   * The point, and first the ancestors it backs onto (those already there are skipped).
   * `yields`: the job gives way to the domain's other jobs (a task's copies, auto-copy.ts).
   */
  async copyPoint(
    pointId: string,
    target: string,
    trigger: Trigger = 'manual',
    opts: { readonly yields?: boolean } = {},
  ): Promise<JobView> {
    if (!isValidId(pointId)) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
    return this.submit(this.deps.copy.pointsFor(pointId), target, trigger, opts.yields === true);
  }

  /** Every available point of the chain, oldest first. */
  async copyChain(chainId: string, target: string): Promise<JobView> {
    if (!isValidId(chainId)) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    return this.submit(this.deps.copy.chainPoints(chainId), target, 'manual');
  }

  /**
   * At daemon start: abort uploads nobody will complete, queue the interrupted copies again.
   * `scheduled` takes over those a task had queued (auto-copy.ts: they yield and are retried).
   */
  async resume(scheduled?: (pointId: string, targetId: string) => void): Promise<void> {
    const { catalog, log } = this.deps;
    const hostId = catalog.copies.hostId();
    // Known under any target: two targets may name the same bucket or directory.
    const known = new Set(catalog.copies.listUploads().map((u) => `${u.key}\n${u.uploadId ?? ''}`));
    for (const t of catalog.copies.listTargets()) {
      try {
        const store = await this.deps.stores.open(t.id);
        try {
          for (const u of await store.listUploads(`${hostId}/`)) {
            if (known.has(`${u.key}\n${u.uploadId}`)) continue;
            await store.abortUpload(u.key, u.uploadId);
            log.info({ target: t.name, key: u.key }, 'aborted an upload the catalog does not know');
          }
        } finally {
          await store.close().catch(() => undefined);
        }
      } catch (e) {
        log.warn(
          { target: t.name, err: toVirtpointError(e).message },
          'could not list the uploads of a target',
        );
      }
    }
    for (const c of catalog.copies.listCopies().filter((x) => x.state === 'copying')) {
      const trigger = (c.jobId === null ? null : catalog.jobs.get(c.jobId))?.trigger ?? 'manual';
      if (trigger === 'schedule' && scheduled !== undefined) {
        log.info(
          { point: c.pointId, target: c.targetName },
          "resuming an interrupted copy of a task's point",
        );
        scheduled(c.pointId, c.targetId);
        continue;
      }
      try {
        const job = await this.copyPoint(c.pointId, c.targetId, trigger);
        log.info({ point: c.pointId, target: c.targetName, job: job.id }, 'resuming an interrupted copy');
      } catch (e) {
        const err = toVirtpointError(e);
        catalog.copies.setCopy(c.pointId, c.targetId, { state: 'failed', error: err });
        log.warn(
          { point: c.pointId, target: c.targetName, err: err.message },
          'an interrupted copy cannot resume',
        );
      }
    }
  }
}
