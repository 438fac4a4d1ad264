/**
 * A task's `--verify-after` (docs/verify.md "After each backup"): the new point is verified
 * (quick) as a `verify` job right after its backup, before the task's retention. The job yields
 * like the daily sweep's (a backup of the domain submitted meanwhile cancels it), so it never
 * delays a scheduled backup; a verify that gave way or could not run is a warning, not a
 * failure. A point that fails is corrupt (VerifyService), its resource fails with POINT_CORRUPT
 * and the retention of that resource is not run: nothing older is deleted while the newest
 * point cannot restore.
 */

import type { VerifyResultView } from '../../contract/index.js';
import { toVirtpointError } from '../../core/errors.js';
import type { Point } from '../../ports/catalog.js';
import type { TaskRunResource } from '../../ports/scheduling-catalog.js';
import type { JobRunner } from '../jobs/runner.js';
import { verifyResultView } from '../verify/api.js';
import type { VerifyService } from '../verify/verify.js';

export type VerifyOutcome = NonNullable<TaskRunResource['verify']>;

export interface VerifyAfterDeps {
  readonly runner: Pick<JobRunner, 'submit' | 'wait'>;
  readonly verify: Pick<VerifyService, 'verifyPoint'>;
}

export async function verifyAfterBackup(
  deps: VerifyAfterDeps,
  point: Point,
  byHand: boolean,
): Promise<VerifyOutcome> {
  const { runner, verify } = deps;
  try {
    const job = runner.submit(
      {
        type: 'verify',
        trigger: byHand ? 'manual' : 'schedule',
        domainUuid: point.domainUuid,
        pointId: point.id,
      },
      async (ctx) =>
        verifyResultView(
          await verify.verifyPoint(point.id, {
            signal: ctx.signal,
            trigger: 'after-backup',
            onProgress: (p) => ctx.progress(p),
          }),
        ),
      { yields: true },
    );
    const ended = await runner.wait(job.id);
    if (ended.state === 'canceled') {
      return { state: 'skipped', summary: `verify job ${job.id} gave way to another job of the domain` };
    }
    if (ended.state !== 'succeeded') {
      return {
        state: 'skipped',
        summary: `verify job ${job.id} failed: ${ended.error?.message ?? 'unknown'}`,
      };
    }
    const result = ended.result as VerifyResultView;
    return { state: result.ok ? 'ok' : 'failed', summary: result.summary };
  } catch (e) {
    return { state: 'skipped', summary: `the verify could not start: ${toVirtpointError(e).message}` };
  }
}

/** The resource after its verify: failed when the point is corrupt, a warning when skipped. */
export function withVerify(r: TaskRunResource, v: VerifyOutcome): TaskRunResource {
  if (v.state === 'ok') return { ...r, verify: v };
  if (v.state === 'skipped')
    return { ...r, verify: v, warnings: [...(r.warnings ?? []), `verify skipped: ${v.summary}`] };
  return {
    ...r,
    outcome: 'failed',
    verify: v,
    error: {
      code: 'POINT_CORRUPT',
      message: `the new point ${r.pointId ?? ''} failed its verify: ${v.summary}; the next backup starts a new full chain`,
    },
  };
}
