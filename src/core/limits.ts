import { VirtpointError } from './errors.js';

/**
 * The one place for input limits: what the CLI checks locally, what the API's parsers refuse and
 * what the services check again all read these. Timeouts are in milliseconds here; the wire
 * (`shutdownTimeout`, seconds) converts at the edge.
 */

/**
 * A disk target as libvirt names them (`vda`, `sdb`, `hdc`, `vdaa`, `nvme0n1`): lower-case
 * letters then letters or digits, at most 16 characters; never path-like.
 */
export const DISK_TARGET_RE = /^[a-z]{1,8}[a-z0-9]{0,8}$/;
/** Disks one request may name. */
export const DISKS_MAX = 64;

/** Control characters (C0 and DEL): refused in every name, reference and path taken as input. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS_RE = /[\u0000-\u001f\u007f]/;

/** A domain name or UUID as given by a client. */
export const DOMAIN_REF_MAX = 255;
/** A custom point name, in characters (Unicode code points). */
export const POINT_NAME_MAX = 255;
/** A volume or image name (a file name). */
export const FILE_NAME_MAX = 255;
/** A storage pool name. */
export const POOL_NAME_MAX = 255;
/** A directory given for a volume. */
export const DIR_MAX = 4096;

/** Points per chain (a new full chain starts once a chain has this many). */
export const DEFAULT_CHAIN_LENGTH = 30;
export const MIN_CHAIN_LENGTH = 1;
export const MAX_CHAIN_LENGTH = 30;

/** `auto`: freeze when the agent answers; `required`: fail without a freeze; `off`: never freeze. */
export const QUIESCE_MODES = ['auto', 'required', 'off'] as const;

/** A page of a list (`limit=`). */
export const LIMIT_MAX = 10_000;

/** Graceful shutdown of a domain before a rollback. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 120_000;
export const MAX_SHUTDOWN_TIMEOUT_MS = 3_600_000;

/** The chain length validated (1–30); the default when undefined. */
export function validateChainLength(maxLength: number | undefined): number {
  if (maxLength === undefined) return DEFAULT_CHAIN_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < MIN_CHAIN_LENGTH || maxLength > MAX_CHAIN_LENGTH) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `chain length must be an integer from ${MIN_CHAIN_LENGTH} to ${MAX_CHAIN_LENGTH}, got ${maxLength}`,
    );
  }
  return maxLength;
}

/** The quiesce mode validated; `auto` when undefined. */
export function validateQuiesce(value: unknown): (typeof QUIESCE_MODES)[number] {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (QUIESCE_MODES as readonly string[]).includes(value)) {
    return value as (typeof QUIESCE_MODES)[number];
  }
  throw new VirtpointError(
    'INVALID_ARGUMENT',
    `quiesce must be one of ${QUIESCE_MODES.join(', ')}, got ${String(value)}`,
  );
}

/** The shutdown timeout (ms) validated (0–1 h); the default when undefined. */
export function validateShutdownTimeoutMs(ms: number | undefined): number {
  const timeout = ms ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_SHUTDOWN_TIMEOUT_MS) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `the shutdown timeout must be 0–${MAX_SHUTDOWN_TIMEOUT_MS / 1000} s, got ${timeout} ms`,
    );
  }
  return timeout;
}
