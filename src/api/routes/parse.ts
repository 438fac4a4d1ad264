/**
 * Validation shared by the routes' parsers (parse-<feature>.ts): request bodies, query strings
 * and path parameters. Every function returns the typed input for a feature API or throws
 * INVALID_ARGUMENT naming the field; nothing unknown passes (unknown body fields and query
 * parameters are refused, not ignored).
 */

import { VirtpointError } from '../../core/errors.js';
import { CONTROL_CHARS_RE, DISK_TARGET_RE, DISKS_MAX, DOMAIN_REF_MAX } from '../../core/limits.js';
import { isValidId, isValidPointName } from '../../core/names.js';

/** `since` windows, back from now. */
export const SINCE_WINDOWS: Readonly<Record<string, number>> = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  '30d': 30 * 24 * 3600_000,
};

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

/** A point by id or name (docs/api.md "Points"): a valid id or point name. */
export function pointRef(value: unknown, field: string): string {
  if (typeof value === 'string' && (isValidId(value) || isValidPointName(value))) return value;
  throw invalid(`${field} ${show(value)} is neither a point id nor a valid point name`);
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

export function decimal(value: string, field: string, min: number, max: number): number {
  if (!/^[0-9]{1,6}$/.test(value)) throw invalid(`${field} must be an integer from ${min} to ${max}`);
  return integer(Number(value), field, min, max);
}

/** A route without query parameters. */
export function expectNoQuery(query: URLSearchParams): void {
  queryParams(query, []);
}
