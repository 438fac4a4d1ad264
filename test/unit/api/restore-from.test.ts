import test from 'ava';

import { POINT1 } from '../../fakes/fake-apis.js';
import { ALLOWED_DIR } from '../../fakes/fake-restore.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

// `from` in the rollback, volume and image bodies (docs/api.md "Restore"; docs/copies.md
// "Restore from a target"): a target name, passed to the restore API; a linked image from a
// target is refused at the edge.

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

const lastCall = () => h.fakes.calls.at(-1);

test.serial('from reaches the restore API in each of the three bodies', async (t) => {
  const rb = await h.req('POST', '/v1/domains/web/rollback', { body: { point: POINT1, from: 'offsite' } });
  t.is(rb.status, 202, rb.text);
  t.deepEqual(lastCall(), {
    method: 'startRollback',
    args: [{ domain: 'web', point: POINT1, from: 'offsite' }],
  });
  const vol = await h.req('POST', '/v1/volumes', {
    body: { point: POINT1, disk: 'vda', name: 'v.qcow2', dir: ALLOWED_DIR, from: 'offsite' },
  });
  t.is(vol.status, 202, vol.text);
  t.like(lastCall(), { method: 'createVolume', args: [{ point: POINT1, from: 'offsite' }] });
  const img = await h.req('POST', '/v1/images', {
    body: { point: POINT1, disk: 'vda', name: 'fresh', from: 'offsite' },
  });
  t.is(img.status, 202, img.text);
  t.like(lastCall(), { method: 'createImage', args: [{ point: POINT1, from: 'offsite' }] });
});

test.serial('a bad from, and linked with from, are 400 INVALID_ARGUMENT and reach nothing', async (t) => {
  const before = h.fakes.calls.length;
  const cases: [string, object, RegExp][] = [
    ['/v1/domains/web/rollback', { point: POINT1, from: '' }, /from must be a target name/],
    ['/v1/domains/web/rollback', { point: POINT1, from: 3 }, /from must be a target name/],
    [
      '/v1/volumes',
      { point: POINT1, disk: 'vda', name: 'v', dir: ALLOWED_DIR, from: '../x' },
      /from must be/,
    ],
    [
      '/v1/images',
      { point: POINT1, disk: 'vda', name: 'g', linked: true, from: 'offsite' },
      /linked image .* temporary/,
    ],
  ];
  for (const [path, body, message] of cases) {
    const r = await h.req('POST', path, { body });
    t.is(r.status, 400, `${path} ${JSON.stringify(body)}`);
    t.is(errorOf(r).code, 'INVALID_ARGUMENT');
    t.regex(String(errorOf(r).message), message);
  }
  t.is(h.fakes.calls.length, before);
});
