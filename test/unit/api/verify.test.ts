import test from 'ava';

import { CHAIN1, DOM1, POINT1 } from '../../fakes/fake-apis.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

test.serial('point verify: 202 with the verify job; deep reaches the API; no body is quick', async (t) => {
  const r = await h.req('POST', `/v1/points/${POINT1}/verify`, { body: { deep: true } });
  t.is(r.status, 202, r.text);
  t.like(r.json, { type: 'verify', state: 'queued', domain: DOM1, pointId: POINT1 });
  t.is(r.headers.location, `/v1/jobs/${(r.json as { id: string }).id}`);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'verifyPoint', args: [POINT1, { deep: true }] });
  const quick = await h.req('POST', `/v1/points/${POINT1}/verify`);
  t.is(quick.status, 202, quick.text);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'verifyPoint', args: [POINT1, {}] });
});

test.serial('chain verify: 202 with the verify job', async (t) => {
  const r = await h.req('POST', `/v1/chains/${CHAIN1}/verify`, { body: {} });
  t.is(r.status, 202, r.text);
  t.like(r.json, { type: 'verify', domain: DOM1 });
  t.deepEqual(h.fakes.calls.at(-1), { method: 'verifyChain', args: [CHAIN1, {}] });
});

test.serial('verify: bad input is 400 and reaches nothing; unknown points are 404', async (t) => {
  const before = h.fakes.calls.length;
  for (const [path, body, re] of [
    [`/v1/points/${POINT1}/verify`, { deep: 'yes' }, /deep must be/],
    [`/v1/points/${POINT1}/verify`, { deeep: true }, /unknown field deeep/],
    ['/v1/points/NOTANID/verify', {}, /not a valid id/],
    [`/v1/chains/zz/verify`, {}, /not a valid id/],
  ] as const) {
    const r = await h.req('POST', path, { body });
    t.is(r.status, 400, `${path} ${JSON.stringify(body)}`);
    t.regex(String(errorOf(r).message), re);
  }
  t.is(h.fakes.calls.length, before);
  const r = await h.req('POST', '/v1/points/0123456789ab/verify', { body: {} });
  t.is(r.status, 404);
  t.is(errorOf(r).code, 'POINT_NOT_FOUND');
});
