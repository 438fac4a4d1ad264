import test from 'ava';

import { GENERIC_INTERNAL_MESSAGE, httpStatusOf, toHttpError } from '../../../src/api/status.js';
import { ERROR_CODES, VirtpointError, type ErrorCode } from '../../../src/core/errors.js';
import { JOB_RUNNING, POINT1 } from '../../fakes/fake-apis.js';
import { errorOf, recordingLogger, startHarness } from './helpers.js';

const TABLE: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  DOMAIN_NOT_FOUND: 404,
  DISK_NOT_FOUND: 404,
  POINT_NOT_FOUND: 404,
  CHAIN_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  CHECKPOINT_NOT_FOUND: 404,
  POOL_NOT_FOUND: 404,
  VOLUME_NOT_FOUND: 404,
  TARGET_NOT_FOUND: 404,
  REMOTE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PERMISSION_DENIED: 403,
  UNSUPPORTED: 501,
  ALREADY_EXISTS: 409,
  POINT_AMBIGUOUS: 409,
  INVALID_STATE: 409,
  POINT_BUSY: 409,
  POINT_PROTECTED: 409,
  POINT_IN_USE: 409,
  POINT_CORRUPT: 409,
  DOMAIN_BUSY: 409,
  IN_USE: 409,
  REQUEST_TIMEOUT: 408,
  BODY_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  AGENT_UNAVAILABLE: 503,
  LIBVIRT_DISCONNECTED: 503,
  SHUTTING_DOWN: 503,
  LIBVIRT_TIMEOUT: 504,
  NO_SPACE: 507,
};

test('httpStatusOf: the documented table; every other code is 500', (t) => {
  for (const code of ERROR_CODES) t.is(httpStatusOf(code), TABLE[code] ?? 500, code);
});

test('toHttpError: coded errors keep code and message; others become a generic 500', (t) => {
  const { log, records } = recordingLogger();
  t.deepEqual(toHttpError(new VirtpointError('POINT_BUSY', 'point is being restored'), log), {
    status: 409,
    body: { error: { code: 'POINT_BUSY', message: 'point is being restored' } },
  });
  const secret = new Error('ENOENT: /var/lib/virtpoint/secret.key');
  t.deepEqual(toHttpError(secret, log), {
    status: 500,
    body: { error: { code: 'INTERNAL', message: GENERIC_INTERNAL_MESSAGE } },
  });
  t.deepEqual(toHttpError('a string', log).status, 500);
  const errors = records.filter((r) => r.level === 'error');
  t.is(errors.length, 2);
  t.is((errors[0]?.obj as { err?: unknown }).err, secret, 'the real error is logged');
});

test('through the server: each API error code gets its status and body', async (t) => {
  const h = await startHarness();
  try {
    for (const code of ERROR_CODES) {
      h.fakes.failNext('getPoint', new VirtpointError(code, `message for ${code}`));
      const r = await h.req('GET', `/v1/points/${POINT1}`);
      t.is(r.status, TABLE[code] ?? 500, code);
      t.deepEqual(r.json, { error: { code, message: `message for ${code}` } }, code);
      t.regex(String(r.headers['content-type']), /^application\/json/);
    }
    h.fakes.failNext('cancelJob', new TypeError("Cannot read properties of undefined (reading 'id')"));
    const r = await h.req('POST', `/v1/jobs/${JOB_RUNNING}/cancel`);
    t.is(r.status, 500);
    t.deepEqual(errorOf(r), { code: 'INTERNAL', message: GENERIC_INTERNAL_MESSAGE });
    t.true(h.records.some((x) => x.level === 'error' && x.msg.includes('Cannot read properties')));
    h.fakes.failNext('status', 'thrown string');
    t.is((await h.req('GET', '/v1/status')).status, 500);
    t.is((await h.req('GET', '/v1/status')).status, 200, 'still answers');
    const missing = await h.req('GET', '/v1/jobs/ffffffffffff');
    t.is(missing.status, 404);
    t.is(errorOf(missing).code, 'JOB_NOT_FOUND');
  } finally {
    await h.close();
  }
});

test('a malformed HTTP request gets a JSON 400 and the server lives on', async (t) => {
  const h = await startHarness();
  try {
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ path: h.socket });
      let data = '';
      s.on('data', (c) => (data += String(c)));
      s.on('end', () => resolve(data));
      s.on('error', reject);
      s.write('GARBAGE / HTTP/1.1\r\n\r\n');
    });
    t.regex(answer, /^HTTP\/1\.1 400/);
    t.regex(answer, /"code":"INVALID_ARGUMENT"/);
    t.is((await h.req('GET', '/v1/status')).status, 200);
  } finally {
    await h.close();
  }
});
