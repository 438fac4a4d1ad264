/** Local checks of flag values (exit 2 before anything reaches the daemon). */

const WINDOW = /^(24h|7d|30d)$/;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function isIsoTime(s: string): boolean {
  return ISO.test(s) && !Number.isNaN(Date.parse(s));
}

/** `--since`: a window back from now (24h, 7d, 30d) or an ISO 8601 time. */
export function checkSince(s: string | undefined): void {
  if (s !== undefined && !WINDOW.test(s) && !isIsoTime(s)) {
    throw new Error(`--since must be 24h, 7d, 30d or an ISO 8601 time (2024-05-01T10:00:00Z), got "${s}"`);
  }
}

export function checkIso(flag: string, s: string | undefined): void {
  if (s !== undefined && !isIsoTime(s)) {
    throw new Error(`${flag} must be an ISO 8601 time (2024-05-01T10:00:00Z), got "${s}"`);
  }
}

export function checkInt(flag: string, n: number | undefined, min: number, max: number): void {
  if (n !== undefined && (!Number.isInteger(n) || n < min || n > max)) {
    throw new Error(
      `${flag} must be an integer from ${min} to ${max}, got ${Number.isNaN(n) ? 'not a number' : n}`,
    );
  }
}

/** A repeatable string flag as an array (`--disk vda --disk vdb`). */
export function toList(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).map(String);
}
