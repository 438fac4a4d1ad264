/**
 * Typed parameters of a job (GET_JOB_STATS reply, job-completed event) in the port's terms.
 */
import type { JobStats } from '../../ports/hypervisor.js';
import { JOB_OPERATIONS, JOB_TYPES } from './procedures.js';
import { typedParamsToRecord, type TypedParam } from './typed-params.js';

function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

export function toJobStats(type: JobStats['type'], params: readonly TypedParam[]): JobStats {
  const raw = typedParamsToRecord(params);
  const op = num(raw['operation']);
  return {
    type,
    operation: op === null ? null : (JOB_OPERATIONS[op] ?? `operation-${op}`),
    dataProcessed: num(raw['data_processed']) ?? num(raw['disk_processed']),
    dataTotal: num(raw['data_total']) ?? num(raw['disk_total']),
    timeElapsedMs: num(raw['time_elapsed']),
    errorMessage: typeof raw['errmsg'] === 'string' ? raw['errmsg'] : null,
    raw,
  };
}

export function jobTypeName(t: number): JobStats['type'] {
  return JOB_TYPES[t] ?? 'unknown';
}
