/**
 * Validation of request bodies, query strings and path parameters. Every function returns the
 * typed input for Control or throws INVALID_ARGUMENT naming the field; nothing unknown passes
 * (unknown body fields and query parameters are refused, not ignored).
 */

import { VirtpointError } from '../../core/errors.js';
import { JOB_STATES, JOB_TYPES, TRIGGERS } from '../../core/job-state.js';
import { isValidId, pointNameProblem, POINT_NAME_MAX } from '../../core/names.js';
import { POINT_STATES } from '../../core/point-state.js';
import type { BackupInput, JobFilterInput, PointFilterInput } from '../../contract/index.js';

export const QUIESCE_MODES = ['auto', 'required', 'off'] as const;
export const CHAIN_LENGTH_MIN = 1;
export const CHAIN_LENGTH_MAX = 30;
export const DISKS_MAX = 64;
export const DOMAIN_REF_MAX = 255;
export const LIMIT_MAX = 10_000;
/** `since` windows, back from now. */
export const SINCE_WINDOWS: Readonly<Record<string, number>> = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  '30d': 30 * 24 * 3600_000,
};
const DISK_TARGET_RE = /^[a-z]{1,8}[a-z0-9]{0,8}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_RE = /[\u0000-\u001f\u007f]/;

export function invalid(message: string): VirtpointError {
  return new VirtpointError('INVALID_ARGUMENT', message);
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v);

/** A JSON object (not an array, not null) with only `allowed` keys. */
export function expectObject(
  value: unknown,
  allowed: readonly string[],
  what = 'the request body',
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be a JSON object`);
  }
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const accepted = allowed.length > 0 ? `; accepted: ${allowed.join(', ')}` : '; it takes no fields';
    throw invalid(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in ${what}${accepted}`,
    );
  }
  return obj;
}

/** A domain name or UUID: 1–255 characters, no control characters, not path-like. */
export function domainRef(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string (a domain name or UUID)`);
  if (value.length === 0) throw invalid(`${field} must not be empty`);
  if (value.length > DOMAIN_REF_MAX) throw invalid(`${field} is longer than ${DOMAIN_REF_MAX} characters`);
  if (CONTROL_CHARS_RE.test(value) || value.includes('/') || value === '.' || value === '..') {
    throw invalid(`${field} ${show(value)} is not a valid domain name or UUID`);
  }
  return value;
}

/** A point, chain or job id: 12 lowercase hex characters. */
export function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isValidId(value)) {
    throw invalid(`${field} ${show(value)} is not a valid id (12 lowercase hex characters)`);
  }
  return value;
}

export function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(`${field} must be an integer`);
  if (value < min || value > max) throw invalid(`${field} must be between ${min} and ${max}, not ${value}`);
  return value;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(`${field} must be true or false`);
  return value;
}

export function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${field} must be one of ${allowed.join(', ')}, not ${show(value)}`);
  }
  return value as T;
}

export function pointName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  if (value.length > POINT_NAME_MAX * 2)
    throw invalid(`${field} is longer than ${POINT_NAME_MAX} characters`);
  const problem = pointNameProblem(value);
  if (problem !== null) throw invalid(`${field}: ${problem}`);
  return value;
}

export function diskTargets(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(`${field} must be an array of disk targets`);
  if (value.length < 1 || value.length > DISKS_MAX) {
    throw invalid(`${field} must list 1 to ${DISKS_MAX} disk targets, not ${value.length}`);
  }
  const seen = new Set<string>();
  value.forEach((t: unknown, i) => {
    if (typeof t !== 'string' || !DISK_TARGET_RE.test(t)) {
      throw invalid(`${field}[${i}] ${show(t)} is not a disk target (like vda, sdb)`);
    }
    if (seen.has(t)) throw invalid(`${field} lists ${t} twice`);
    seen.add(t);
  });
  return [...seen];
}

/** POST /v1/backups. */
export function parseBackupInput(body: unknown): BackupInput {
  const o = expectObject(body, ['domain', 'disks', 'full', 'name', 'quiesce', 'chainLength']);
  if (o.domain === undefined) throw invalid('domain is required');
  const input: {
    -readonly [K in keyof BackupInput]: BackupInput[K];
  } = { domain: domainRef(o.domain, 'domain') };
  if (o.disks !== undefined) input.disks = diskTargets(o.disks, 'disks');
  if (o.full !== undefined) input.full = boolean(o.full, 'full');
  if (o.name !== undefined) input.name = pointName(o.name, 'name');
  if (o.quiesce !== undefined) input.quiesce = oneOf(o.quiesce, 'quiesce', QUIESCE_MODES);
  if (o.chainLength !== undefined) {
    input.chainLength = integer(o.chainLength, 'chainLength', CHAIN_LENGTH_MIN, CHAIN_LENGTH_MAX);
  }
  return input;
}

/** A body for a route that takes none: absent, or `{}`. */
export function expectNoBody(body: unknown): void {
  if (body !== undefined) expectObject(body, []);
}

/**
 * The query parameters as a map, refusing unknown names, repeated names and empty values.
 */
export function queryParams(query: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of query) {
    if (!allowed.includes(name)) {
      const accepted = allowed.length > 0 ? `; accepted: ${allowed.join(', ')}` : '; this route takes none';
      throw invalid(`unknown query parameter ${JSON.stringify(name)}${accepted}`);
    }
    if (out.has(name)) throw invalid(`query parameter ${name} is given more than once`);
    if (value === '') throw invalid(`query parameter ${name} is empty`);
    out.set(name, value);
  }
  return out;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** ISO 8601 date or date-time → ms since the epoch (no zone: local time; date only: UTC). */
export function isoTime(value: string, field: string): number {
  const m = ISO_RE.exec(value);
  const bad = () =>
    invalid(`${field} ${JSON.stringify(value)} is not an ISO 8601 time (2025-01-31T12:00:00Z)`);
  if (m === null) throw bad();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) throw bad();
  if (Number(m[4] ?? 0) > 23 || Number(m[5] ?? 0) > 59 || Number(m[6] ?? 0) > 59) throw bad();
  const ms = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(ms)) throw bad();
  return ms;
}

/** `since`: a window (24h, 7d, 30d) back from `now`, or an ISO 8601 time. */
export function sinceTime(value: string, now: number): number {
  const window = SINCE_WINDOWS[value];
  if (window !== undefined) return now - window;
  if (/^\d+[a-z]$/i.test(value)) {
    throw invalid(`since ${JSON.stringify(value)}: windows are ${Object.keys(SINCE_WINDOWS).join(', ')}`);
  }
  return isoTime(value, 'since');
}

function decimal(value: string, field: string, min: number, max: number): number {
  if (!/^[0-9]{1,6}$/.test(value)) throw invalid(`${field} must be an integer from ${min} to ${max}`);
  return integer(Number(value), field, min, max);
}

/** Points per page of GET /v1/points when `limit` is not given, and the largest page. */
export const POINT_PAGE_DEFAULT = 100;
export const POINT_PAGE_MAX = 1000;

export function parsePointFilter(query: URLSearchParams): PointFilterInput & { limit: number } {
  const q = queryParams(query, ['domain', 'chain', 'state', 'after', 'limit']);
  const filter: { -readonly [K in keyof PointFilterInput]: PointFilterInput[K] } = {};
  const domain = q.get('domain');
  const chain = q.get('chain');
  const state = q.get('state');
  const after = q.get('after');
  const limit = q.get('limit');
  if (domain !== undefined) filter.domain = domainRef(domain, 'domain');
  if (chain !== undefined) filter.chain = id(chain, 'chain');
  if (state !== undefined) filter.state = oneOf(state, 'state', POINT_STATES);
  if (after !== undefined) filter.after = id(after, 'after');
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

/** DELETE /v1/jobs: only `?state=failed`, which is required. */
export function parseDeleteJobsQuery(query: URLSearchParams): 'failed' {
  const state = queryParams(query, ['state']).get('state');
  if (state === undefined)
    throw invalid('DELETE /v1/jobs needs ?state=failed (only failed jobs are removed)');
  return oneOf(state, 'state', ['failed'] as const);
}

/** A route without query parameters. */
export function expectNoQuery(query: URLSearchParams): void {
  queryParams(query, []);
}
