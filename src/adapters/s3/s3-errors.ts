/**
 * S3 errors → VirtpointError codes (ports/target.ts). RGW sends no message (`e.message` is
 * "UnknownError"), so the mapping branches on the error's name and HTTP status only. Messages
 * name the operation and the key, never a credential.
 */

import { VirtpointError, type ErrorCode } from '../../core/errors.js';
import { UNREACHABLE_ERRNO } from '../net-errors.js';

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const AUTH_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'RequestTimeTooSkewed',
]);
const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);

export function s3Status(e: unknown): number | undefined {
  return (e as SdkError | null)?.$metadata?.httpStatusCode;
}

/** The code of an SDK error (exported for the unit tests). */
export function s3ErrorCode(e: unknown): ErrorCode {
  const err = (e ?? {}) as SdkError;
  const name = err.name ?? '';
  const status = s3Status(e);
  if (UNREACHABLE_ERRNO.has(err.code ?? '') || name === 'TimeoutError' || name === 'RequestTimeout')
    return 'TARGET_UNREACHABLE';
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) return 'TARGET_AUTH_FAILED';
  if (name === 'BadDigest' || name === 'InvalidDigest' || name === 'XAmzContentSHA256Mismatch')
    return 'DATA_CORRUPT';
  if (name === 'NoSuchBucket' || name === 'NoSuchUpload') return 'TARGET_ERROR';
  if (NOT_FOUND_NAMES.has(name) || status === 404) return 'REMOTE_NOT_FOUND';
  return 'TARGET_ERROR';
}

const ADVICE: Partial<Record<ErrorCode, string>> = {
  TARGET_UNREACHABLE: 'check the endpoint URL and that the S3 service answers',
  TARGET_AUTH_FAILED:
    'check the access key id and secret key (remove and add the target again to change them)',
  DATA_CORRUPT: 'the server received other bytes than were sent; retry the copy',
  REMOTE_NOT_FOUND: 'the object is not on the target',
};

/** Wraps an SDK error: `<what>: <name> (HTTP <status>): <advice>`. */
export function s3Error(what: string, e: unknown, bucket: string): VirtpointError {
  if (e instanceof VirtpointError) return e;
  const err = (e ?? {}) as SdkError;
  const code = s3ErrorCode(e);
  const status = s3Status(e);
  const name = err.name === undefined || err.name === 'Error' ? (err.code ?? 'error') : err.name;
  const advice =
    err.name === 'NoSuchBucket'
      ? `bucket ${bucket} does not exist: create it on the S3 service first`
      : err.name === 'NoSuchUpload'
        ? 'the upload is gone (aborted or expired): start the upload again'
        : (ADVICE[code] ?? 'the S3 service refused the request');
  const message = err.message !== undefined && err.message !== 'UnknownError' ? `, ${err.message}` : '';
  return new VirtpointError(
    code,
    `S3 ${what}: ${name}${status === undefined ? '' : ` (HTTP ${status})`}${message}: ${advice}`,
    { cause: e },
  );
}
