import test from 'ava';

import { errorOf, startHarness, type Harness } from './helpers.js';

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

test.serial('remote list: the filters reach the API; an unknown query parameter is 400', async (t) => {
  const r = await h.req('GET', '/v1/targets/off/points?domain=db1&host=kvm1');
  t.is(r.status, 200, r.text);
  t.deepEqual(h.fakes.calls.at(-1), {
    method: 'remote.list',
    args: ['off', { domain: 'db1', host: 'kvm1' }],
  });
  const bad = await h.req('GET', '/v1/targets/off/points?chain=x');
  t.is(bad.status, 400);
  t.is(errorOf(bad).code, 'INVALID_ARGUMENT');
});

test.serial(
  'remote restore: 202 with a remote-restore job; bad bodies are 400 and queue nothing',
  async (t) => {
    const body = {
      target: 'off',
      point: 'a00000000001',
      as: 'db1-b',
      dir: '/srv',
      start: true,
      keepMacs: true,
    };
    const r = await h.req('POST', '/v1/remote-restores', { body });
    t.is(r.status, 202, r.text);
    t.like(r.json, { type: 'remote-restore', state: 'queued' });
    t.deepEqual(h.fakes.calls.at(-1), { method: 'remote.startRestore', args: [body] });
    const n = h.fakes.calls.length;
    for (const bad of [
      { ...body, point: 'nope' },
      { ...body, dir: 'rel' },
      { ...body, extra: 1 },
      { ...body, start: 'yes' },
    ]) {
      const x = await h.req('POST', '/v1/remote-restores', { body: bad });
      t.is(x.status, 400, JSON.stringify(bad));
    }
    t.is(h.fakes.calls.length, n);
  },
);

test.serial('remote verify and target prune reach the API', async (t) => {
  const v = await h.req('POST', '/v1/targets/off/verify', { body: { point: 'a00000000001' } });
  t.is(v.status, 200, v.text);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'remote.verify', args: ['off', 'a00000000001'] });
  const p = await h.req('POST', '/v1/targets/off/prune', { body: {} });
  t.is(p.status, 200, p.text);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'remote.prune', args: ['off'] });
});
