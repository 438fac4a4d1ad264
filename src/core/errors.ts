/**
 * The one error type of virtpoint. Every failure that reaches an operator carries a code from
 * the closed set below and a message that says what to do. Adapters translate foreign errors
 * (libvirt error numbers, qemu-img exit codes, sqlite errors) into these codes exactly once.
 */

export const ERROR_CODES = [
  // input
  'INVALID_ARGUMENT',
  'METHOD_NOT_ALLOWED',
  'BODY_TOO_LARGE',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  // lookups
  'DOMAIN_NOT_FOUND',
  'DISK_NOT_FOUND',
  'POINT_NOT_FOUND',
  'CHAIN_NOT_FOUND',
  'JOB_NOT_FOUND',
  'CHECKPOINT_NOT_FOUND',
  'POOL_NOT_FOUND',
  'VOLUME_NOT_FOUND',
  'TARGET_NOT_FOUND',
  'REMOTE_NOT_FOUND',
  'NOT_FOUND',
  'POINT_AMBIGUOUS',
  // state
  'INVALID_STATE',
  'ALREADY_EXISTS',
  'POINT_BUSY',
  'POINT_PROTECTED',
  'POINT_IN_USE',
  'POINT_CORRUPT',
  'DOMAIN_BUSY',
  'IN_USE',
  'CHAIN_BROKEN',
  'CHECKPOINT_INCONSISTENT',
  'LIBVIRT_CHECKPOINT_INCONSISTENT',
  // guest agent
  'AGENT_UNAVAILABLE',
  'FREEZE_TIMEOUT',
  'FREEZE_FAILED',
  // libvirt transport
  'LIBVIRT_DISCONNECTED',
  'LIBVIRT_TIMEOUT',
  'LIBVIRT_PROTOCOL',
  'LIBVIRT_ERROR',
  'UNSUPPORTED',
  // jobs
  'JOB_FAILED',
  'JOB_CANCELED',
  // daemon
  'DAEMON_UNREACHABLE',
  'DAEMON_RESTARTED',
  'SHUTTING_DOWN',
  // host
  'NO_SPACE',
  'IO_ERROR',
  'COMMAND_FAILED',
  'COMMAND_TIMEOUT',
  'PERMISSION_DENIED',
  'INTERNAL',
  // off-host targets and what they hold (docs/copies.md)
  'TARGET_UNREACHABLE',
  'TARGET_AUTH_FAILED',
  'TARGET_ERROR',
  'HOST_KEY_MISMATCH',
  'CHECKSUM_MISMATCH',
  'ENCRYPTION_KEY_MISMATCH',
  'DATA_CORRUPT',
  'DATA_TRUNCATED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as stored and shown: a code and its message (a failed job, point or delivery). */
export interface CodedError {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface ErrorDetails {
  /** Foreign error data kept for logs (e.g. libvirt code/domain/message, stderr of a command). */
  readonly [key: string]: unknown;
}

export class VirtpointError extends Error {
  override readonly name = 'VirtpointError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: ErrorDetails }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isVirtpointError(e: unknown, code?: ErrorCode): e is VirtpointError {
  return e instanceof VirtpointError && (code === undefined || e.code === code);
}

const NOT_FOUND_CODES: ReadonlySet<ErrorCode> = new Set([
  'DOMAIN_NOT_FOUND',
  'DISK_NOT_FOUND',
  'POINT_NOT_FOUND',
  'CHAIN_NOT_FOUND',
  'JOB_NOT_FOUND',
  'CHECKPOINT_NOT_FOUND',
  'POOL_NOT_FOUND',
  'VOLUME_NOT_FOUND',
  'TARGET_NOT_FOUND',
  'REMOTE_NOT_FOUND',
  'NOT_FOUND',
]);

export function isNotFound(e: unknown): boolean {
  return e instanceof VirtpointError && NOT_FOUND_CODES.has(e.code);
}

const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'LIBVIRT_DISCONNECTED',
  'LIBVIRT_TIMEOUT',
  'AGENT_UNAVAILABLE',
  'FREEZE_TIMEOUT',
  'DOMAIN_BUSY',
  'POINT_BUSY',
]);

/** Errors where the same request may succeed later without operator action. */
export function isRetryable(e: unknown): boolean {
  return e instanceof VirtpointError && RETRYABLE_CODES.has(e.code);
}

/** Wrap anything thrown into a VirtpointError, keeping coded errors as they are. */
export function toVirtpointError(e: unknown, fallback: ErrorCode = 'INTERNAL'): VirtpointError {
  if (e instanceof VirtpointError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new VirtpointError(fallback, message, { cause: e });
}
