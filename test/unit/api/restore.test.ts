import test from 'ava';

import { DOM1, POINT1, POINT2 } from '../../fakes/fake-apis.js';
import { ALLOWED_DIR, VOLUME1 } from '../../fakes/fake-restore.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

const lastCall = () => h.fakes.calls.at(-1);

test.serial(
  'rollback: 202 with the rollback job and its Location; every field reaches the restore API',
  async (t) => {
    const r = await h.req('POST', '/v1/domains/web/rollback', {
      body: {
        point: POINT1,
        disks: ['vda'],
        map: { vda: 'vdb' },
        start: false,
        force: true,
        shutdownTimeout: 20,
      },
    });
    t.is(r.status, 202, r.text);
    t.like(r.json, { type: 'rollback', state: 'queued', domain: DOM1, pointId: POINT1 });
    t.is(r.headers.location, `/v1/jobs/${(r.json as { id: string }).id}`);
    t.deepEqual(lastCall(), {
      method: 'startRollback',
      args: [
        {
          domain: 'web',
          point: POINT1,
          disks: ['vda'],
          map: { vda: 'vdb' },
          start: false,
          force: true,
          shutdownTimeout: 20,
        },
      ],
    });
    const job = await h.req('GET', `/v1/jobs/${(r.json as { id: string }).id}`);
    t.is(job.status, 200, 'the queued job can be followed');
    const minimal = await h.req('POST', `/v1/domains/${DOM1}/rollback`, { body: { point: POINT2 } });
    t.is(minimal.status, 202);
    t.deepEqual(lastCall()?.args, [{ domain: DOM1, point: POINT2 }]);
  },
);

test.serial(
  'rollback: bad bodies are 400 naming the field and reach nothing; service refusals map to 4xx',
  async (t) => {
    const bad: [unknown, RegExp][] = [
      [{}, /point is required/],
      [{ point: 'nope' }, /point .* not a valid id/],
      [{ point: POINT1, extra: 1 }, /unknown field extra/],
      [{ point: POINT1, disks: [] }, /disks must list 1/],
      [{ point: POINT1, disks: ['VDA'] }, /disks\[0\]/],
      [{ point: POINT1, map: ['vda'] }, /map must be an object/],
      [{ point: POINT1, map: {} }, /map must name at least one disk/],
      [{ point: POINT1, map: { vda: 'vdb', vdc: 'vdb' } }, /two disks onto vdb/],
      [{ point: POINT1, map: { vda: 3 } }, /map.vda must be a disk target/],
      [{ point: POINT1, map: { '../x': 'vdb' } }, /map key/],
      [{ point: POINT1, start: 'yes' }, /start must be true or false/],
      [{ point: POINT1, force: 1 }, /force must be true or false/],
      [{ point: POINT1, shutdownTimeout: 3601 }, /shutdownTimeout must be between 0 and 3600/],
      [{ point: POINT1, shutdownTimeout: -1 }, /shutdownTimeout/],
      [{ point: POINT1, shutdownTimeout: 1.5 }, /shutdownTimeout must be an integer/],
      [[], /JSON object/],
    ];
    const before = h.fakes.calls.length;
    for (const [body, message] of bad) {
      const r = await h.req('POST', '/v1/domains/web/rollback', { body: body as object });
      t.is(r.status, 400, JSON.stringify(body));
      t.is(errorOf(r).code, 'INVALID_ARGUMENT');
      t.regex(String(errorOf(r).message), message);
    }
    t.is(h.fakes.calls.length, before);
    t.is((await h.req('POST', '/v1/domains/web/rollback?x=1', { body: { point: POINT1 } })).status, 400);
    const jobs = h.fakes.catalog.jobs.size;
    const other = await h.req('POST', '/v1/domains/db/rollback', { body: { point: POINT1 } });
    t.is(other.status, 400, 'a point of another domain');
    t.is((await h.req('POST', '/v1/domains/nope/rollback', { body: { point: POINT1 } })).status, 404);
    t.is((await h.req('POST', '/v1/domains/web/rollback', { body: { point: 'a0000000ffff' } })).status, 404);
    const disk = await h.req('POST', '/v1/domains/web/rollback', { body: { point: POINT1, disks: ['vdz'] } });
    t.is(disk.status, 404);
    t.is(errorOf(disk).code, 'DISK_NOT_FOUND');
    t.is(h.fakes.catalog.jobs.size, jobs, 'nothing queued');
  },
);

test.serial('volumes: create (202 job), list, show, delete (204), 404s', async (t) => {
  const r = await h.req('POST', '/v1/volumes', {
    body: { point: POINT1, disk: 'vda', name: 'copy.qcow2', dir: ALLOWED_DIR, format: 'raw' },
  });
  t.is(r.status, 202, r.text);
  t.like(r.json, { type: 'create-volume', state: 'queued', pointId: POINT1 });
  t.truthy(r.headers.location);
  t.deepEqual(lastCall(), {
    method: 'createVolume',
    args: [{ point: POINT1, disk: 'vda', name: 'copy.qcow2', dir: ALLOWED_DIR, format: 'raw' }],
  });
  const pool = await h.req('POST', '/v1/volumes', {
    body: { point: POINT1, disk: 'vda', name: 'p', pool: 'default' },
  });
  t.is(pool.status, 202);
  const list = await h.req('GET', '/v1/volumes');
  t.is(list.status, 200);
  t.deepEqual(
    (list.json as { id: string }[]).map((v) => v.id),
    [VOLUME1],
  );
  t.like((await h.req('GET', `/v1/volumes/${VOLUME1}`)).json, { name: 'web-copy', dir: ALLOWED_DIR });
  t.is((await h.req('DELETE', `/v1/volumes/${VOLUME1}`)).status, 204);
  const gone = await h.req('DELETE', `/v1/volumes/${VOLUME1}`);
  t.is(gone.status, 404);
  t.is(errorOf(gone).code, 'VOLUME_NOT_FOUND');
  t.is((await h.req('GET', '/v1/volumes/not-a-volume')).status, 404, 'an id or a name');
  t.is((await h.req('GET', '/v1/volumes/.hidden')).status, 400);
});

test.serial('volumes: bad bodies are 400 and reach nothing; refusals of the service are 4xx', async (t) => {
  const base = { point: POINT1, disk: 'vda', name: 'v' };
  const bad: [unknown, RegExp][] = [
    [{ disk: 'vda', name: 'v', dir: ALLOWED_DIR }, /point is required/],
    [{ point: POINT1, name: 'v', dir: ALLOWED_DIR }, /disk is required/],
    [{ point: POINT1, disk: 'vda', dir: ALLOWED_DIR }, /name is required/],
    [base, /exactly one of pool .* and dir/],
    [{ ...base, pool: 'default', dir: ALLOWED_DIR }, /exactly one of pool/],
    [{ ...base, dir: 'relative/dir' }, /dir must be an absolute path/],
    [{ ...base, pool: 'a/b' }, /not a valid storage pool name/],
    [{ ...base, dir: ALLOWED_DIR, format: 'vmdk' }, /format must be one of qcow2, raw/],
    [{ ...base, name: '../etc/passwd', dir: ALLOWED_DIR }, /volume name may contain only/],
    [{ ...base, name: '.hidden', dir: ALLOWED_DIR }, /may not start with/],
    [{ ...base, name: '', dir: ALLOWED_DIR }, /name is empty/],
    [{ ...base, name: 'x'.repeat(256), dir: ALLOWED_DIR }, /at most 255/],
    [{ ...base, disk: 'vda;', dir: ALLOWED_DIR }, /disk must be a disk target/],
    [{ ...base, dir: ALLOWED_DIR, color: 'red' }, /unknown field color/],
  ];
  const before = h.fakes.calls.length;
  for (const [body, message] of bad) {
    const r = await h.req('POST', '/v1/volumes', { body: body as object });
    t.is(r.status, 400, JSON.stringify(body));
    t.regex(String(errorOf(r).message), message);
  }
  t.is(h.fakes.calls.length, before);
  const jobs = h.fakes.catalog.jobs.size;
  t.is((await h.req('POST', '/v1/volumes', { body: { ...base, dir: '/etc' } })).status, 400);
  t.is((await h.req('POST', '/v1/volumes', { body: { ...base, pool: 'nope' } })).status, 404);
  t.is(
    (await h.req('POST', '/v1/volumes', { body: { ...base, disk: 'vdz', dir: ALLOWED_DIR } })).status,
    404,
  );
  t.is(h.fakes.catalog.jobs.size, jobs, 'nothing queued');
});

test.serial('images: create (202 job), 409 for a taken name, list, show, delete, bad input', async (t) => {
  const r = await h.req('POST', '/v1/images', {
    body: { point: POINT2, disk: 'vda', name: 'web.qcow2', linked: true },
  });
  t.is(r.status, 202, r.text);
  t.like(r.json, { type: 'create-image', state: 'queued', pointId: POINT2 });
  t.deepEqual(lastCall()?.args, [{ point: POINT2, disk: 'vda', name: 'web.qcow2', linked: true }]);
  const taken = await h.req('POST', '/v1/images', { body: { point: POINT2, disk: 'vda', name: 'golden' } });
  t.is(taken.status, 409);
  t.is(errorOf(taken).code, 'ALREADY_EXISTS');
  t.like(((await h.req('GET', '/v1/images')).json as unknown[])[0], { name: 'golden', linked: true });
  t.like((await h.req('GET', '/v1/images/golden')).json, { name: 'golden' });
  t.is((await h.req('GET', '/v1/images/nope')).status, 404);
  t.is((await h.req('GET', '/v1/images/..')).status, 400);
  t.is((await h.req('DELETE', '/v1/images/golden')).status, 204);
  t.is((await h.req('DELETE', '/v1/images/golden')).status, 404);
  t.is((await h.req('DELETE', '/v1/images/%2e%2e')).status, 400);
  const before = h.fakes.calls.length;
  for (const body of [
    { point: POINT2, disk: 'vda', name: 'x', linked: 'yes' },
    { point: POINT2, disk: 'vda', name: 'a/b' },
    { point: POINT2, disk: 'vda' },
    { point: POINT2, disk: 'vda', name: 'x', pool: 'p' },
  ]) {
    t.is((await h.req('POST', '/v1/images', { body })).status, 400, JSON.stringify(body));
  }
  t.is(h.fakes.calls.length, before);
});
