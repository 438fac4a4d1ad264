/** Validation of the catalog routes' queries: point, job and domain filters, deletes. */

import { JOB_STATES, JOB_TYPES, TRIGGERS } from '../../core/job-state.js';
import { LIMIT_MAX } from '../../core/limits.js';
import { POINT_STATES } from '../../core/point-state.js';
import type { JobDeleteInput, JobFilterInput, PointFilterInput } from '../../contract/index.js';
import { decimal, domainRef, id, invalid, isoTime, oneOf, queryParams, sinceTime } from './parse.js';

/** Points per page of GET /v1/points when `limit` is not given, and the largest page. */
export const POINT_PAGE_DEFAULT = 100;
export const POINT_PAGE_MAX = 1000;

export function parsePointFilter(
  query: URLSearchParams,
  now: number = Date.now(),
): PointFilterInput & { limit: number } {
  const q = queryParams(query, [
    'domain',
    'chain',
    'state',
    'orphaned',
    'after',
    'limit',
    'since',
    'until',
    'name',
  ]);
  const filter: { -readonly [K in keyof PointFilterInput]: PointFilterInput[K] } = {};
  const domain = q.get('domain');
  const chain = q.get('chain');
  const state = q.get('state');
  const after = q.get('after');
  const limit = q.get('limit');
  if (domain !== undefined) filter.domain = domainRef(domain, 'domain');
  if (chain !== undefined) filter.chain = id(chain, 'chain');
  if (state !== undefined) filter.state = oneOf(state, 'state', POINT_STATES);
  const orphaned = q.get('orphaned');
  if (orphaned !== undefined) filter.orphaned = oneOf(orphaned, 'orphaned', ['true', 'false']) === 'true';
  if (after !== undefined) filter.after = id(after, 'after');
  const since = q.get('since');
  const until = q.get('until');
  const name = q.get('name');
  if (since !== undefined) filter.since = sinceTime(since, now);
  if (until !== undefined) filter.until = isoTime(until, 'until');
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw invalid('since must be before until');
  }
  if (name !== undefined) {
    if (name.length < 1 || name.length > 255) throw invalid('name must be 1 to 255 characters');
    filter.name = name;
  }
  return {
    ...filter,
    limit: limit === undefined ? POINT_PAGE_DEFAULT : decimal(limit, 'limit', 1, POINT_PAGE_MAX),
  };
}

export function parseDomainFilter(query: URLSearchParams): { domain?: string } {
  const domain = queryParams(query, ['domain']).get('domain');
  return domain === undefined ? {} : { domain: domainRef(domain, 'domain') };
}

export function parseJobFilter(query: URLSearchParams, now: number): JobFilterInput {
  const q = queryParams(query, ['type', 'state', 'trigger', 'domain', 'since', 'until', 'limit']);
  const f: { -readonly [K in keyof JobFilterInput]: JobFilterInput[K] } = {};
  const get = (name: string) => q.get(name);
  if (get('type') !== undefined) f.type = oneOf(get('type'), 'type', JOB_TYPES);
  if (get('state') !== undefined) f.state = oneOf(get('state'), 'state', JOB_STATES);
  if (get('trigger') !== undefined) f.trigger = oneOf(get('trigger'), 'trigger', TRIGGERS);
  if (get('domain') !== undefined) f.domain = domainRef(get('domain'), 'domain');
  const since = get('since');
  const until = get('until');
  const limit = get('limit');
  if (since !== undefined) f.since = sinceTime(since, now);
  if (until !== undefined) f.until = isoTime(until, 'until');
  if (f.since !== undefined && f.until !== undefined && f.since >= f.until) {
    throw invalid('since must be before until');
  }
  if (limit !== undefined) f.limit = decimal(limit, 'limit', 1, LIMIT_MAX);
  return f;
}

/** DELETE /v1/points/{id}: `?cascade=true|false`. */
export function parseCascade(query: URLSearchParams): boolean {
  const cascade = queryParams(query, ['cascade']).get('cascade');
  if (cascade === undefined) return false;
  return oneOf(cascade, 'cascade', ['true', 'false']) === 'true';
}

/** DELETE /v1/points: `state=error` (required: only error points are removed in bulk), `domain`. */
export function parseDeleteErrorsQuery(query: URLSearchParams): { domain?: string } {
  const q = queryParams(query, ['state', 'domain']);
  const state = q.get('state');
  if (state === undefined)
    throw invalid('DELETE /v1/points needs ?state=error (only error points are deleted in bulk)');
  oneOf(state, 'state', ['error'] as const);
  const domain = q.get('domain');
  return domain === undefined ? {} : { domain: domainRef(domain, 'domain') };
}

/** DELETE /v1/jobs: `?state=failed|canceled` and/or `?before=ISO` (jobs that ended before it); one is required. */
export function parseDeleteJobsQuery(query: URLSearchParams): JobDeleteInput {
  const q = queryParams(query, ['state', 'before']);
  const state = q.get('state');
  const before = q.get('before');
  if (state === undefined && before === undefined) {
    throw invalid('DELETE /v1/jobs needs ?state=failed|canceled or ?before=ISO (which finished jobs go)');
  }
  return {
    ...(state === undefined ? {} : { state: oneOf(state, 'state', ['failed', 'canceled'] as const) }),
    ...(before === undefined ? {} : { before: isoTime(before, 'before') }),
  };
}
