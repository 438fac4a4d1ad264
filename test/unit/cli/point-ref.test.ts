import test from 'ava';

import { job, a00000000001 } from './fixtures.js';
import { run, startFakeApi } from './fake-api.js';

const ID = 'a1b2c3d4e5f6';

test('rollback --point NAME: the name is looked up in the domain, the id is sent', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/points/before-upgrade': { body: { ...a00000000001, id: ID, name: 'before-upgrade' } },
    'POST /v1/domains/web1/rollback': { status: 202, body: job({ type: 'rollback' }) },
  });
  const r = await run(api.socket, ['rollback', 'web1', '--point', 'before-upgrade', '--no-wait']);
  t.is(r.code, 0, r.stderr);
  t.like(api.requests[0], { method: 'GET', path: '/v1/points/before-upgrade', query: { domain: 'web1' } });
  t.deepEqual(api.requests[1]?.body, { point: ID });
});

test('an id is sent as is, without a lookup', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/volumes': { status: 202, body: job({ type: 'create-volume' }) },
  });
  const r = await run(api.socket, [
    'volume',
    'create',
    '--point',
    ID,
    '--disk',
    'vda',
    '--name',
    'n',
    '--dir',
    '/srv',
    '--no-wait',
  ]);
  t.is(r.code, 0, r.stderr);
  t.is(api.requests.length, 1);
  t.like(api.requests[0]?.body, { point: ID });
});

test('a name repeated across domains: POINT_AMBIGUOUS from the API, exit 1, the matches shown', async (t) => {
  const message =
    '2 points are named nightly: aaaaaaaaaaaa (domain web1), bbbbbbbbbbbb (domain db1); give the domain or the point id';
  const api = await startFakeApi(t, {
    'GET /v1/points/nightly': { status: 409, body: { error: { code: 'POINT_AMBIGUOUS', message } } },
  });
  const r = await run(api.socket, ['image', 'create', '--point', 'nightly', '--disk', 'vda', '--name', 'g']);
  t.is(r.code, 1);
  t.is(r.stderr, `error: ${message} (POINT_AMBIGUOUS)\n`);
});

test('point show NAME --domain D; a malformed id or name exits 2 before anything is sent', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/points/first': { body: a00000000001 } });
  const show = await run(api.socket, ['point', 'show', 'first', '--domain', 'web']);
  t.is(show.code, 0, show.stderr);
  t.like(api.requests[0], { path: '/v1/points/first', query: { domain: 'web' } });
  const before = api.requests.length;
  for (const argv of [
    ['point', 'show', 'a/b'],
    ['point', 'delete', 'has space'],
    ['point', 'verify', '../x'],
    ['rollback', 'web', '--point', 'a.b'],
  ]) {
    const r = await run(api.socket, argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /is neither a point id \(12 hex characters\) nor a point name/);
  }
  t.is(api.requests.length, before, 'nothing reached the daemon');
});
