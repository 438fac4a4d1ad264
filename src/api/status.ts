/**
 * Error → HTTP: the one place that turns a VirtpointError code into an HTTP status, and the one
 * error body shape `{"error":{"code","message"}}`. Errors that are not VirtpointError become
 * 500 INTERNAL with a generic message; the real one goes to the log only.
 */

import { isNotFound, VirtpointError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../ports/logger.js';

const CONFLICT: ReadonlySet<ErrorCode> = new Set([
  'POINT_AMBIGUOUS',
  'ALREADY_EXISTS',
  'INVALID_STATE',
  'POINT_BUSY',
  'POINT_PROTECTED',
  'POINT_IN_USE',
  'POINT_CORRUPT',
  'DOMAIN_BUSY',
  'IN_USE',
]);

const UNAVAILABLE: ReadonlySet<ErrorCode> = new Set([
  'AGENT_UNAVAILABLE',
  'LIBVIRT_DISCONNECTED',
  'SHUTTING_DOWN',
]);

/** The HTTP status of an error code (docs/api.md, "Errors"). */
export function httpStatusOf(code: ErrorCode): number {
  if (code === 'INVALID_ARGUMENT') return 400;
  if (isNotFound(new VirtpointError(code, ''))) return 404;
  if (code === 'PERMISSION_DENIED') return 403;
  if (code === 'METHOD_NOT_ALLOWED') return 405;
  if (CONFLICT.has(code)) return 409;
  if (code === 'REQUEST_TIMEOUT') return 408;
  if (code === 'BODY_TOO_LARGE') return 413;
  if (code === 'HEADERS_TOO_LARGE') return 431;
  if (UNAVAILABLE.has(code)) return 503;
  if (code === 'UNSUPPORTED') return 501;
  if (code === 'LIBVIRT_TIMEOUT') return 504;
  if (code === 'NO_SPACE') return 507;
  return 500;
}

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export interface HttpError {
  readonly status: number;
  readonly body: ErrorBody;
}

export const GENERIC_INTERNAL_MESSAGE = 'internal error in virtpointd; see the daemon log';

/**
 * Status and body for anything a handler threw. 5xx answers are logged at error level (with the
 * real error and its stack); 4xx ones at debug level.
 */
export function toHttpError(e: unknown, log: Logger, context: object = {}): HttpError {
  if (e instanceof VirtpointError) {
    const status = httpStatusOf(e.code);
    if (status >= 500) {
      log.error({ ...context, err: e, code: e.code, details: e.details }, `api request failed: ${e.message}`);
    } else {
      log.debug({ ...context, code: e.code }, `api request refused: ${e.message}`);
    }
    return { status, body: { error: { code: e.code, message: e.message } } };
  }
  log.error({ ...context, err: e }, `api request failed with an uncoded error: ${String(e)}`);
  return { status: 500, body: { error: { code: 'INTERNAL', message: GENERIC_INTERNAL_MESSAGE } } };
}
