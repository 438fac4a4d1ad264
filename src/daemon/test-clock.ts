/**
 * The scheduler's clock, with a **test-only** override: when virtpointd starts with
 * `VIRTPOINT_TEST_CLOCK=1` in its environment (never set by the packaged unit, never on by
 * default), `POST /v1/test/clock {"now": "<ISO 8601>"}` sets the scheduler's "now" to that
 * instant and runs a scheduler tick at once; the answer lists the runs the tick recorded. The
 * clock then stays there (the periodic tick sees no time pass) until the next POST. Only the
 * scheduler's view of time changes: backups, points, jobs and run start/end times keep real time.
 * Without the variable the route does not exist (404).
 */

import { VirtpointError } from '../core/errors.js';
import type { Router } from '../api/router.js';
import type { RouteSpec } from '../api/routes/context.js';
import type { TickResult } from '../service/scheduling/scheduler.js';

export const TEST_CLOCK_ENV = 'VIRTPOINT_TEST_CLOCK';

export interface SchedulerClock {
  readonly enabled: boolean;
  now(): number;
  set(ms: number): void;
}

export function schedulerClock(env: NodeJS.ProcessEnv = process.env): SchedulerClock {
  let fixed: number | null = null;
  return {
    enabled: env[TEST_CLOCK_ENV] === '1',
    now: () => fixed ?? Date.now(),
    set: (ms) => {
      fixed = ms;
    },
  };
}

/** Registers `POST /v1/test/clock` (only call it when the clock is enabled). */
export function addTestClockRoute(
  router: Router<RouteSpec>,
  clock: SchedulerClock,
  tick: (now: number) => TickResult,
): void {
  router.add('POST', '/v1/test/clock', {
    body: true,
    handle: async ({ body }) => {
      const raw = (body as { now?: unknown } | undefined)?.now;
      const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
      if (!Number.isFinite(ms)) {
        throw new VirtpointError('INVALID_ARGUMENT', 'now must be an ISO 8601 instant');
      }
      clock.set(ms);
      const result = tick(ms);
      return {
        status: 200,
        body: {
          now: new Date(ms).toISOString(),
          runs: result.runs.map((r) => ({
            id: r.id,
            taskId: r.taskId,
            trigger: r.trigger,
            outcome: r.outcome,
          })),
          cleanups: result.cleanups,
        },
      };
    },
  });
}
