import test from 'ava';

import { POINT1 } from '../../fakes/fake-apis.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

test.serial('mounts: 201 with the mount and its Location, listed, undone with DELETE', async (t) => {
  const r = await h.req('POST', '/v1/mounts', {
    body: { point: POINT1, disk: 'vda', dir: '/mnt/a', partition: 2 },
  });
  t.is(r.status, 201, r.text);
  const id = (r.json as { id: string }).id;
  t.is(r.headers.location, `/v1/mounts/${id}`);
  t.deepEqual(h.fakes.calls.at(-1), {
    method: 'mount',
    args: [{ point: POINT1, disk: 'vda', dir: '/mnt/a', partition: 2 }],
  });
  t.is(((await h.req('GET', '/v1/mounts')).json as unknown[]).length, 1);
  const d = await h.req('DELETE', `/v1/mounts/${id}`);
  t.is(d.status, 200, d.text);
  t.like(d.json, { id, dir: '/mnt/a' });
  t.is((await h.req('DELETE', `/v1/mounts/${id}`)).status, 404);
});

test.serial('exports and partitions and domain create reach their APIs', async (t) => {
  const x = await h.req('POST', '/v1/exports', {
    body: { point: POINT1, disk: 'vdb', socket: '/run/p.sock' },
  });
  t.is(x.status, 201, x.text);
  t.like(x.json, { kind: 'nbd', socket: '/run/p.sock' });
  const p = await h.req('GET', `/v1/points/${POINT1}/partitions?disk=vda`);
  t.is(p.status, 200, p.text);
  t.deepEqual(h.fakes.calls.at(-1), { method: 'partitions', args: [POINT1, 'vda'] });
  const dc = await h.req('POST', '/v1/domains', {
    body: { point: POINT1, as: 'copy1', dir: '/srv/vols', start: true },
  });
  t.is(dc.status, 202, dc.text);
  t.like(dc.json, { type: 'create-domain', state: 'queued' });
  const xml = await h.req('GET', `/v1/points/${POINT1}/xml`);
  t.like(xml.json, { pointId: POINT1 });
});

test.serial('bad input is 400 and reaches nothing', async (t) => {
  const before = h.fakes.calls.length;
  for (const [method, path, body, re] of [
    ['POST', '/v1/mounts', { point: POINT1, disk: 'vda', dir: 'rel' }, /dir must be an absolute path/],
    ['POST', '/v1/mounts', { point: POINT1, disk: 'vda' }, /dir is required/],
    ['POST', '/v1/mounts', { point: POINT1, disk: 'VDA', dir: '/m' }, /disk must be a disk target/],
    ['POST', '/v1/mounts', { point: POINT1, disk: 'vda', dir: '/m', partition: -1 }, /partition/],
    ['POST', '/v1/mounts', { point: POINT1, disk: 'vda', dir: '/m', ro: true }, /unknown field ro/],
    ['POST', '/v1/exports', { point: POINT1, disk: 'vda', socket: '/' + 'x'.repeat(120) }, /107 bytes/],
    ['POST', '/v1/domains', { point: POINT1 }, /as is required/],
    ['DELETE', '/v1/mounts/nope', undefined, /not a valid id/],
  ] as const) {
    const r = await h.req(method, path, body === undefined ? {} : { body });
    t.is(r.status, 400, `${path} ${JSON.stringify(body)}: ${r.text}`);
    t.regex(String(errorOf(r).message), re);
  }
  t.is((await h.req('GET', `/v1/points/${POINT1}/partitions`)).status, 400);
  t.is(h.fakes.calls.length, before);
});
