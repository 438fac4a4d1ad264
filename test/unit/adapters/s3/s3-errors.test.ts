import test from 'ava';

import { s3Error, s3ErrorCode } from '../../../../src/adapters/s3/s3-errors.js';
import { VirtpointError } from '../../../../src/core/errors.js';

const sdk = (name: string, status?: number, extra: object = {}): unknown =>
  Object.assign(new Error('UnknownError'), { name, $metadata: { httpStatusCode: status }, ...extra });

test('RGW errors map by name and status (RGW sends no message)', (t) => {
  t.is(s3ErrorCode(sdk('InvalidAccessKeyId', 403)), 'TARGET_AUTH_FAILED');
  t.is(s3ErrorCode(sdk('SignatureDoesNotMatch', 403)), 'TARGET_AUTH_FAILED');
  t.is(s3ErrorCode(sdk('UnknownError', 403)), 'TARGET_AUTH_FAILED');
  t.is(s3ErrorCode(sdk('BadDigest', 400)), 'DATA_CORRUPT');
  t.is(s3ErrorCode(sdk('NoSuchKey', 404)), 'REMOTE_NOT_FOUND');
  t.is(s3ErrorCode(sdk('NotFound', 404)), 'REMOTE_NOT_FOUND');
  t.is(s3ErrorCode(sdk('NoSuchBucket', 404)), 'TARGET_ERROR');
  t.is(s3ErrorCode(sdk('NoSuchUpload', 404)), 'TARGET_ERROR');
  t.is(s3ErrorCode(sdk('InternalError', 500)), 'TARGET_ERROR');
  t.is(s3ErrorCode(sdk('PreconditionFailed', 412)), 'TARGET_ERROR');
  t.is(
    s3ErrorCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    'TARGET_UNREACHABLE',
  );
  t.is(s3ErrorCode(sdk('TimeoutError')), 'TARGET_UNREACHABLE');
});

test('the wrapped error names the operation and the status, drops "UnknownError", and keeps VirtpointErrors', (t) => {
  const e = s3Error('put a/b', sdk('NoSuchBucket', 404), 'vp');
  t.is(e.code, 'TARGET_ERROR');
  t.is(
    e.message,
    'S3 put a/b: NoSuchBucket (HTTP 404): bucket vp does not exist: create it on the S3 service first',
  );
  const auth = s3Error('head x', sdk('SignatureDoesNotMatch', 403), 'vp');
  t.regex(auth.message, /check the access key id and secret key/);
  const own = new VirtpointError('TARGET_ERROR', 'mine');
  t.is(s3Error('x', own, 'vp'), own);
});
