/**
 * Log lines of a job carry `job` (its id), `type`, `domain` (UUID) and `domainName` (docs/architecture.md
 * "Logging"). The JobRunner gives each job a logger with those fields (`JobContext.log`) and runs
 * the job's work inside the job's scope (an AsyncLocalStorage), so the services a job calls —
 * whose logger is `jobScopedLogger(root)` (daemon/compose.ts) — add them to every line they log
 * while working for that job, however deep the call, without a logger passed down each call.
 * Outside a job the scoped logger logs as the root one.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { withFields, type Logger } from '../../ports/logger.js';

export interface JobLogFields {
  readonly job: string;
  /** The job's type (`backup`, `verify`, …). */
  readonly type?: string;
  /** Domain UUID; absent for a job of no domain. */
  readonly domain?: string;
  /** The domain's last known name. */
  readonly domainName?: string;
}

const scope = new AsyncLocalStorage<JobLogFields>();

/** Runs `fn` (and everything it starts) in the job's scope. */
export function runInJobScope<T>(fields: JobLogFields, fn: () => T): T {
  return scope.run(fields, fn);
}

/** The fields of the job whose work is running, if any. */
export function currentJobFields(): JobLogFields | undefined {
  return scope.getStore();
}

/** A Logger that adds the current job's fields (inside a job's work) to every line. */
export function jobScopedLogger(base: Logger): Logger {
  const add = (obj: object): object => {
    const f = scope.getStore();
    return f === undefined ? obj : { ...f, ...obj };
  };
  return {
    debug: (obj, msg) => base.debug(add(obj), msg),
    info: (obj, msg) => base.info(add(obj), msg),
    warn: (obj, msg) => base.warn(add(obj), msg),
    error: (obj, msg) => base.error(add(obj), msg),
  };
}

/** The logger of one job: `base` with the job's fields. */
export function jobLogger(base: Logger, fields: JobLogFields): Logger {
  return withFields(base, fields);
}
