import test from 'ava';

import { CHAIN1, POINT1 } from '../../fakes/fake-apis.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

test.serial('point copy and chain copy: 202 with the copy job; the target reaches the API', async (t) => {
  const r = await h.req('POST', `/v1/points/${POINT1}/copy`, { body: { target: 'offsite' } });
  t.is(r.status, 202, r.text);
  t.like(r.json, { type: 'copy', state: 'queued', pointId: POINT1 });
  t.is(r.headers.location, `/v1/jobs/${(r.json as { id: string }).id}`);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'copyPoint', args: [POINT1, { target: 'offsite' }] });
  const c = await h.req('POST', `/v1/chains/${CHAIN1}/copy`, { body: { target: 'nas' } });
  t.is(c.status, 202, c.text);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'copyChain', args: [CHAIN1, { target: 'nas' }] });
});

test.serial('copy: bad input is 400 and reaches nothing', async (t) => {
  const before = h.fakes.calls.length;
  for (const [path, body, re] of [
    [`/v1/points/${POINT1}/copy`, {}, /target must be/],
    [`/v1/points/${POINT1}/copy`, { target: 'a', to: 'b' }, /unknown field to/],
    ['/v1/points/NOTANID/copy', { target: 'a' }, /not a valid id/],
    [`/v1/chains/zz/copy`, { target: 'a' }, /not a valid id/],
  ] as const) {
    const r = await h.req('POST', path, { body });
    t.is(r.status, 400, `${path} ${JSON.stringify(body)}`);
    t.regex(String(errorOf(r).message), re);
  }
  t.is(h.fakes.calls.length, before);
});
