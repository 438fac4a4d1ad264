/** Local checks of flag values (exit 2 before anything reaches the daemon). */

import { isValidId, validateFileName } from '../core/names.js';
import { validateName } from '../core/policy-task.js';
import { targetName } from '../core/target-input.js';

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

/** What a positional names: each kind has the form the API accepts. */
export type RefKind = 'job' | 'chain' | 'policy' | 'task' | 'target' | 'image' | 'volume';

const ID_RULE = '12 lowercase hex characters';

/** Why `s` cannot name a `kind`, or null when it can (the API's own rules, core/). */
export function refProblem(kind: RefKind, s: string): string | null {
  const refused = (check: () => unknown): string | null => {
    try {
      check();
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  switch (kind) {
    case 'job':
    case 'chain':
      return isValidId(s) ? null : `${kind} id ${JSON.stringify(s)} is not a valid id (${ID_RULE})`;
    case 'policy':
    case 'task':
      return refused(() => validateName(s, `${kind} name`));
    case 'target':
      return refused(() => targetName(s));
    case 'image':
      return refused(() => validateFileName(s, 'image'));
    case 'volume':
      return isValidId(s) ? null : refused(() => validateFileName(s, 'volume'));
  }
}

/**
 * A yargs `coerce` for a positional naming a `kind`: a malformed id or name is a usage error
 * (exit 2) before anything is sent.
 */
/** A required string positional checked by checkRef (a usage error, exit 2, before any request). */
export function requiredRef(kind: RefKind, describe: string) {
  return { type: 'string', demandOption: true, describe, coerce: checkRef(kind) } as const;
}

export function checkRef(kind: RefKind): (s: string) => string {
  return (s) => {
    const problem = refProblem(kind, s);
    if (problem !== null) throw new Error(problem);
    return s;
  };
}
