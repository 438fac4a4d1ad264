import test from 'ava';

import { Router } from '../../../src/api/router.js';
import { isVirtpointError } from '../../../src/core/errors.js';
import { errorOf, startHarness } from './helpers.js';

test('Router: params, 404, 405 with allowed methods', (t) => {
  const r = new Router<string>()
    .add('GET', '/v1/points/:id', 'show')
    .add('DELETE', '/v1/points/:id', 'delete')
    .add('GET', '/v1/points', 'list');
  t.like(r.match('GET', '/v1/points/abc'), { kind: 'found', handler: 'show', params: { id: 'abc' } });
  t.like(r.match('delete', '/v1/points/abc'), { kind: 'found', handler: 'delete' });
  t.like(r.match('GET', '/v1/points/a%20b'), { params: { id: 'a b' } });
  t.deepEqual(r.match('PUT', '/v1/points/abc'), { kind: 'method-not-allowed', allow: ['GET', 'DELETE'] });
  t.deepEqual(r.match('GET', '/v1/points/'), { kind: 'not-found' });
  t.deepEqual(r.match('GET', '/v1/points/a/b'), { kind: 'not-found' });
  t.deepEqual(r.match('GET', '//v1/points'), { kind: 'not-found' });
  t.deepEqual(r.match('GET', 'v1/points'), { kind: 'not-found' });
  const e = t.throws(() => r.match('GET', '/v1/points/%E0%A4%A'));
  t.true(isVirtpointError(e, 'INVALID_ARGUMENT'));
});

test('server: unknown routes → 404 NOT_FOUND, wrong method → 405 with Allow', async (t) => {
  const h = await startHarness();
  try {
    for (const path of [
      '/',
      '/v1',
      '/v2/status',
      '/v1/status/',
      '/v1/points/a00000000001/x',
      '/v1/../v1/status',
    ]) {
      const r = await h.req('GET', path);
      t.is(r.status, 404, path);
      t.is(errorOf(r).code, 'NOT_FOUND', path);
      t.regex(String(r.headers['content-type']), /^application\/json/);
    }
    const cases: [string, string, string][] = [
      ['POST', '/v1/status', 'GET'],
      ['PUT', '/v1/points/a00000000001', 'GET, DELETE'],
      ['GET', '/v1/backups', 'POST'],
      ['GET', '/v1/jobs/b00000000003/cancel', 'POST'],
      ['PATCH', '/v1/jobs', 'GET, DELETE'],
      ['HEAD', '/v1/usage', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await h.req(method, path);
      t.is(r.status, 405, `${method} ${path}`);
      t.is(r.headers.allow, allow, `${method} ${path}`);
      if (method !== 'HEAD') t.is(errorOf(r).code, 'METHOD_NOT_ALLOWED');
    }
    t.is(h.fakes.calls.length, 0);
  } finally {
    await h.close();
  }
});
