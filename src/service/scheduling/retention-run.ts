/**
 * The retention executor (issue 7, docs/scheduling.md "Retention"): applies a task's retention
 * rule to one of its resources (a domain + disk set) through the DeleteService, as `cleanup` jobs
 * (JobRunner type `cleanup`, trigger `retention`) that `job list` shows.
 *
 * - The plan comes from core/retention.ts (`planRetention`, or `chainsToDropBeforeNewChain` just
 *   before a scheduled backup opens a new chain under `chains:N`). It is made when the job
 *   starts, under the domain's job slot, so it sees the points as they are then.
 * - Only the task's own chains (owner: the task) are looked at: another task's chains and the
 *   manual chains are never counted nor touched, and neither are `pending` chains (a full point
 *   still being made). For chosen disks, the task's chains of exactly that disk set; for a whole
 *   domain, every chain of the task on the domain (so a whole domain whose disks changed still
 *   ages out its old chains), except those of a chosen-disk resource of the same task.
 * - Automatic points are those with trigger `schedule` (made on schedule); manual points — in
 *   the task's chains, those of `task run` / `policy run` (`backup_<id>`) — are never counted nor
 *   deleted. When the rule drops a chain holding one, that point stays (the chain's automatic
 *   points go by merge; a kept point after a dropped full becomes a synthetic full).
 * - Points an image was made from (Catalog.pointProtections) are skipped: listed in the result's
 *   `skipped` with the images, logged at info; the next cleanup retries them.
 * - Steps run in plan order; a step that fails is logged and recorded in the result, and the
 *   rest of that chain's steps are skipped (the next cleanup retries); other chains go on.
 */

import { toVirtpointError } from '../../core/errors.js';
import { canonicalDiskSet } from '../../core/names.js';
import {
  chainsToDropBeforeNewChain,
  formatRetention,
  planRetention,
  type RetentionPlan,
  type RetentionStep,
} from '../../core/retention.js';
import type { Catalog, CodedError, Job } from '../../ports/catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { Retention, TaskResource } from '../../ports/scheduling-catalog.js';
import type { DeleteService } from '../catalog/delete.js';
import type { JobRunner } from '../jobs/runner.js';

export interface RetentionRunDeps {
  readonly catalog: Catalog;
  readonly del: Pick<DeleteService, 'deleteChain' | 'deletePoint' | 'deleteLone' | 'dropFullKeepRest'>;
  readonly runner: Pick<JobRunner, 'submit'>;
  readonly log: Logger;
  /** The scheduler's clock (days:N and the failed-points age use it). */
  readonly now: () => number;
  /** The host's IANA zone: the days, weeks, months of a GFS rule are local (default UTC). */
  readonly timeZone?: string;
}

/** `rule`: the task's rule; `before-new-chain`: make room for a new chain under chains:N. */
export type CleanupMode = 'rule' | 'before-new-chain';

export interface CleanupRequest {
  /** The task whose chains (owner) the cleanup manages. */
  readonly taskId: string;
  readonly taskName: string;
  readonly retention: Retention;
  readonly resource: TaskResource;
  readonly mode: CleanupMode;
}

export interface CleanupResult {
  readonly task: string;
  readonly domain: string;
  readonly retention: string;
  readonly mode: CleanupMode;
  readonly deleted: string[];
  readonly kept: number;
  readonly deferred: { readonly chainId: string; readonly reason: string }[];
  readonly held: string[];
  /** Points the rule would delete but which are protected (an image was made from them). */
  readonly skipped: readonly SkippedPoint[];
  readonly failed: { readonly step: RetentionStep; readonly error: CodedError }[];
}

export interface SkippedPoint {
  readonly pointId: string;
  readonly reason: 'protected';
  /** The images made from the point (Catalog.pointProtections). */
  readonly images: readonly string[];
}

export class RetentionRunner {
  constructor(private readonly deps: RetentionRunDeps) {}

  /** The plan for a resource now (no change). */
  plan(req: CleanupRequest): RetentionPlan {
    const { catalog } = this.deps;
    const chains = this.chainsOf(req.taskId, req.resource);
    const chainIds = new Set(chains.map((c) => c.id));
    const points = catalog
      .listPoints({ domainUuid: req.resource.domainUuid })
      .filter((p) => chainIds.has(p.chainId));
    const input = {
      retention: req.retention,
      chains: chains.map((c) => ({ id: c.id, createdAt: c.createdAt })),
      points: points.map((p) => ({
        id: p.id,
        chainId: p.chainId,
        seq: p.seq,
        state: p.state,
        trigger: p.trigger,
        createdAt: p.createdAt,
      })),
      now: this.deps.now(),
      ...(this.deps.timeZone === undefined ? {} : { timeZone: this.deps.timeZone }),
      protectedPointIds: points
        .filter((p) => catalog.artifacts.pointProtections(p.id).length > 0)
        .map((p) => p.id),
    };
    return req.mode === 'rule' ? planRetention(input) : chainsToDropBeforeNewChain(input);
  }

  /** Plans and applies now (the caller holds the domain: inside a job, whose logger `log` is). */
  async apply(req: CleanupRequest, log: Logger = this.deps.log): Promise<CleanupResult> {
    const { del, catalog } = this.deps;
    const reason = `retention ${formatRetention(req.retention)} of task ${req.taskName}`;
    const plan = this.plan(req);
    const skipped = plan.held.map((pointId): SkippedPoint => ({
      pointId,
      reason: 'protected',
      images: catalog.artifacts.pointProtections(pointId),
    }));
    for (const s of skipped) {
      log.info(
        { task: req.taskName, domain: req.resource.domainUuid, point: s.pointId, images: s.images },
        'retention skipped a protected point (an image was made from it)',
      );
    }
    const deleted: string[] = [];
    const failed: { step: RetentionStep; error: CodedError }[] = [];
    const brokenChains = new Set<string>();
    for (const step of plan.steps) {
      const chainId = step.action === 'delete-chain' ? step.chainId : catalog.getPoint(step.pointId)?.chainId;
      if (chainId === undefined || brokenChains.has(chainId)) continue;
      try {
        const res = await runStep(del, step, `${reason} (${step.action})`);
        deleted.push(...res.deleted);
      } catch (e) {
        const err = toVirtpointError(e);
        brokenChains.add(chainId);
        failed.push({ step, error: { code: err.code, message: err.message } });
        log.warn(
          { task: req.taskName, domain: req.resource.domainUuid, step, code: err.code, err: err.message },
          'retention step failed; the next cleanup retries',
        );
      }
    }
    if (deleted.length > 0 || failed.length > 0) {
      log.info(
        {
          task: req.taskName,
          domain: req.resource.domainUuid,
          deleted,
          failed: failed.length,
          mode: req.mode,
        },
        'retention applied',
      );
    }
    return {
      task: req.taskName,
      domain: req.resource.domainUuid,
      retention: formatRetention(req.retention),
      mode: req.mode,
      deleted,
      kept: plan.keptPointIds.length,
      deferred: plan.deferred,
      held: plan.held,
      skipped,
      failed,
    };
  }

  /** Queues a `cleanup` job (trigger `retention`) for the resource; the plan is made when it starts. */
  submit(req: CleanupRequest): Job {
    return this.deps.runner.submit(
      { type: 'cleanup', trigger: 'retention', domainUuid: req.resource.domainUuid },
      async (ctx) => {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        return this.apply(req, ctx.log);
      },
    );
  }

  /** The task's own chains of the resource (never another owner's, never a pending one). */
  private chainsOf(taskId: string, r: TaskResource) {
    const { catalog } = this.deps;
    const all = catalog
      .listChains({ domainUuid: r.domainUuid, owner: taskId })
      .filter((c) => c.ownerTaskId === taskId && c.state !== 'pending');
    if (r.disks !== null) {
      const key = canonicalDiskSet(r.disks).join(',');
      return all.filter((c) => canonicalDiskSet(c.diskSet).join(',') === key);
    }
    const others = new Set<string>();
    for (const x of catalog.scheduling.getTaskById(taskId)?.resources ?? []) {
      if (x.domainUuid === r.domainUuid && x.disks !== null) others.add(canonicalDiskSet(x.disks).join(','));
    }
    return all.filter((c) => !others.has(canonicalDiskSet(c.diskSet).join(',')));
  }
}

function runStep(
  del: RetentionRunDeps['del'],
  step: RetentionStep,
  reason: string,
): Promise<{ deleted: string[] }> {
  switch (step.action) {
    case 'delete-chain':
      return del.deleteChain(step.chainId, reason);
    case 'merge-point':
      return del.deletePoint(step.pointId, { cascade: false, reason });
    case 'drop-full-keep-rest':
      return del.dropFullKeepRest(step.pointId, step.newFullPointId, reason);
    case 'delete-point':
    case 'delete-failed-point':
      return del.deleteLone(step.pointId, reason);
  }
}
