import test from 'ava';

import type { ImageView, JobView, VolumeView } from '../../../src/contract/index.js';
import { job } from './fixtures.js';
import { events, run, startFakeApi } from './fake-api.js';

const GiB = 1024 ** 3;

/** A job going queued → running → `end`, with progress over `total` bytes. */
function jobRun(type: JobView['type'], result: unknown, end: Partial<JobView> = {}): JobView[] {
  const running = {
    type,
    state: 'running' as const,
    pointId: 'a1b2c3d4e5f6',
    startedAt: '2024-05-02T02:00:01.000Z',
  };
  return [
    job({ type, pointId: 'a1b2c3d4e5f6' }),
    job({ ...running, progress: { done: 0, total: 2 * GiB } }),
    job({ ...running, progress: { done: GiB, total: 2 * GiB } }),
    job({ ...running, progress: { done: 2 * GiB, total: 2 * GiB }, state: 'succeeded', result, ...end }),
  ];
}

const rollbackResult = {
  disks: [{ source: 'vda', target: 'vdb', bytes: 2 * GiB }],
  checkpointsDropped: ['vp-c00000000001-0', 'vp-c00000000001-1'],
  foreignCheckpoints: [],
  started: true,
};

const volume: VolumeView = {
  id: 'v1',
  name: 'copy.qcow2',
  pointId: 'a1b2c3d4e5f6',
  disk: 'vda',
  pool: null,
  dir: '/srv/volumes',
  path: '/srv/volumes/copy.qcow2',
  format: 'qcow2',
  createdAt: '2024-05-02T02:01:00.000Z',
};

const image: ImageView = {
  name: 'golden',
  pointId: 'a1b2c3d4e5f6',
  disk: 'vda',
  path: '/var/lib/virtpoint/images/golden',
  linked: true,
  createdAt: '2024-05-02T02:01:00.000Z',
};

test('rollback sends every flag, follows the job with progress, prints what was restored', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/domains/web/rollback': { status: 202, body: job({ type: 'rollback' }) },
    'GET /v1/jobs/b00000000001/events': events(jobRun('rollback', rollbackResult)),
  });
  const r = await run(api.socket, [
    'rollback',
    'web',
    '--point',
    'a1b2c3d4e5f6',
    '--disk',
    'vda',
    '--map',
    'vda=vdb',
    '--no-start',
    '--force',
    '--shutdown-timeout',
    '20',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, {
    point: 'a1b2c3d4e5f6',
    disks: ['vda'],
    map: { vda: 'vdb' },
    start: false,
    force: true,
    shutdownTimeout: 20,
  });
  t.regex(r.stderr, /^rollback of web \(job b00000000001\): running +50% +1\.0 GiB \/ 2\.0 GiB/m);
  t.regex(r.stderr, /^rollback of web \(job b00000000001\): succeeded +100%/m);
  t.regex(r.stdout, /^rolled back web to point a1b2c3d4e5f6: vda→vdb \(2\.0 GiB\)$/m);
  t.regex(r.stdout, /checkpoints dropped: vp-c00000000001-0, vp-c00000000001-1/);
  t.regex(r.stdout, /the domain was started/);
});

test('rollback --json prints the final job; --start sends start: true; defaults send only the point', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/domains/web/rollback': { status: 202, body: job({ type: 'rollback' }) },
    'GET /v1/jobs/b00000000001/events': events(jobRun('rollback', rollbackResult)),
  });
  const r = await run(api.socket, ['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--start', '--json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, { point: 'a1b2c3d4e5f6', start: true });
  const final = JSON.parse(r.stdout) as JobView;
  t.like(final, { type: 'rollback', state: 'succeeded', result: rollbackResult });
  const plain = await run(api.socket, ['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--no-wait']);
  t.is(plain.code, 0);
  t.deepEqual(api.requests.at(-1)?.body, { point: 'a1b2c3d4e5f6' });
  t.regex(plain.stdout, /queued rollback job b00000000001/);
});

test('rollback: a failed job exits 1 with its code; a refusal of the daemon exits 1', async (t) => {
  const failed = jobRun('rollback', null, {
    state: 'failed',
    error: { code: 'INVALID_STATE', message: 'domain web did not shut down in 20 s; use --force' },
  });
  const api = await startFakeApi(t, {
    'POST /v1/domains/web/rollback': { status: 202, body: job({ type: 'rollback' }) },
    'GET /v1/jobs/b00000000001/events': events(failed),
    'POST /v1/domains/db/rollback': {
      status: 409,
      body: { error: { code: 'POINT_BUSY', message: 'point a1b2c3d4e5f6 is restoring' } },
    },
  });
  const r = await run(api.socket, ['rollback', 'web', '--point', 'a1b2c3d4e5f6']);
  t.is(r.code, 1);
  t.regex(r.stderr, /did not shut down in 20 s; use --force \(INVALID_STATE\)/);
  const busy = await run(api.socket, ['rollback', 'db', '--point', 'a1b2c3d4e5f6']);
  t.is(busy.code, 1);
  t.regex(busy.stderr, /POINT_BUSY/);
});

test('rollback: bad flags exit 2 before anything reaches the daemon', async (t) => {
  const api = await startFakeApi(t, {});
  const cases: [string[], RegExp][] = [
    [['rollback', 'web'], /Missing required argument: point/],
    [['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--map', 'vda'], /--map takes SOURCE=TARGET/],
    [['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--map', 'vda=VDB'], /--map takes SOURCE=TARGET/],
    [
      ['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--map', 'vda=vdb', '--map', 'vda=vdc'],
      /--map names vda twice/,
    ],
    [
      ['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--shutdown-timeout', '3601'],
      /--shutdown-timeout must be/,
    ],
    [['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--shutdown-timeout', 'x'], /--shutdown-timeout must be/],
    [['rollback', 'web', '--point', 'a1b2c3d4e5f6', '--frobnicate'], /Unknown argument/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(api.socket, argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, message);
  }
  t.is(api.requests.length, 0);
});

test('volume create waits and prints the volume; --json the volume object; list and delete', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/volumes': { status: 202, body: job({ type: 'create-volume' }) },
    'GET /v1/jobs/b00000000001/events': events(jobRun('create-volume', volume)),
    'GET /v1/volumes': { body: [volume] },
    'DELETE /v1/volumes/v1': { status: 204 },
  });
  const argv = ['volume', 'create', '--point', 'a1b2c3d4e5f6', '--disk', 'vda', '--name', 'copy.qcow2'];
  const r = await run(api.socket, [...argv, '--dir', '/srv/volumes', '--format', 'raw']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, {
    point: 'a1b2c3d4e5f6',
    disk: 'vda',
    name: 'copy.qcow2',
    dir: '/srv/volumes',
    format: 'raw',
  });
  t.regex(r.stderr, /volume copy\.qcow2 \(job b00000000001\): succeeded/);
  t.regex(r.stdout, /^path +\/srv\/volumes\/copy\.qcow2$/m);
  t.regex(r.stdout, /^where +directory \/srv\/volumes$/m);
  const j = await run(api.socket, [...argv, '--pool', 'default', '--json']);
  t.is(j.code, 0);
  t.deepEqual(api.requests.at(-2)?.body, {
    point: 'a1b2c3d4e5f6',
    disk: 'vda',
    name: 'copy.qcow2',
    pool: 'default',
  });
  t.deepEqual(JSON.parse(j.stdout), volume);
  const list = await run(api.socket, ['volume', 'list']);
  t.regex(list.stdout, /^ID +NAME +WHERE/);
  t.regex(list.stdout, /v1 +copy\.qcow2 +dir:\/srv\/volumes +qcow2 +a1b2c3d4e5f6:vda/);
  t.deepEqual(JSON.parse((await run(api.socket, ['volume', 'list', '--json'])).stdout), [volume]);
  const del = await run(api.socket, ['volume', 'delete', 'v1']);
  t.is(del.code, 0);
  t.is(del.stdout, 'deleted volume v1\n');
});

test('volume create: neither or both of --pool and --dir, a relative --dir, a bad format exit 2', async (t) => {
  const api = await startFakeApi(t, {});
  const base = ['volume', 'create', '--point', 'a1b2c3d4e5f6', '--disk', 'vda', '--name', 'n'];
  for (const extra of [
    [],
    ['--pool', 'a', '--dir', '/srv'],
    ['--dir', 'srv'],
    ['--dir', '/srv', '--format', 'vmdk'],
    ['--pool', 'a', '--extra'],
  ]) {
    const r = await run(api.socket, [...base, ...extra]);
    t.is(r.code, 2, extra.join(' '));
  }
  t.is((await run(api.socket, ['volume', 'create', '--pool', 'a'])).code, 2, 'required flags');
  t.is(api.requests.length, 0);
});

test('image create (--linked), list, delete; a taken name exits 1; a protected point names the image', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/images': (req, res) => {
      const name = (req.body as { name: string }).name;
      if (name === 'golden') {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: 'ALREADY_EXISTS', message: 'an image named golden already exists' },
          }),
        );
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify(job({ type: 'create-image' })));
    },
    'GET /v1/jobs/b00000000001/events': events(jobRun('create-image', image)),
    'GET /v1/images': { body: [image] },
    'DELETE /v1/images/golden': { status: 204 },
  });
  const r = await run(api.socket, [
    'image',
    'create',
    '--point',
    'a1b2c3d4e5f6',
    '--disk',
    'vda',
    '--name',
    'new',
    '--linked',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, { point: 'a1b2c3d4e5f6', disk: 'vda', name: 'new', linked: true });
  t.regex(r.stdout, /^kind +linked/m);
  const full = await run(api.socket, [
    'image',
    'create',
    '--point',
    'a1b2c3d4e5f6',
    '--disk',
    'vda',
    '--name',
    'n2',
    '--json',
  ]);
  t.deepEqual(api.requests.at(-2)?.body, { point: 'a1b2c3d4e5f6', disk: 'vda', name: 'n2' });
  t.deepEqual(JSON.parse(full.stdout), image);
  const taken = await run(api.socket, [
    'image',
    'create',
    '--point',
    'a1b2c3d4e5f6',
    '--disk',
    'vda',
    '--name',
    'golden',
  ]);
  t.is(taken.code, 1);
  t.regex(taken.stderr, /already exists \(ALREADY_EXISTS\)/);
  const list = await run(api.socket, ['image', 'list']);
  t.regex(list.stdout, /golden +linked +a1b2c3d4e5f6:vda/);
  t.is((await run(api.socket, ['image', 'delete', 'golden'])).stdout, 'deleted image golden\n');
  t.is((await run(api.socket, ['image', 'delete'])).code, 2);
});

test('volume show and image show: one object by id or name; --json the view', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/volumes/v1': { body: volume },
    'GET /v1/images/golden': { body: image },
  });
  const v = await run(api.socket, ['volume', 'show', 'v1']);
  t.is(v.code, 0, v.stderr);
  t.regex(v.stdout, /\/srv\/volumes\/copy\.qcow2/);
  const i = await run(api.socket, ['image', 'show', 'golden', '--json']);
  t.is(i.code, 0, i.stderr);
  t.deepEqual(JSON.parse(i.stdout), image);
  t.deepEqual(
    api.requests.map((r) => r.path),
    ['/v1/volumes/v1', '/v1/images/golden'],
  );
});

test('rollback prints what it is doing while it waits: shutting down, writing each disk, starting', async (t) => {
  const running = {
    type: 'rollback' as const,
    state: 'running' as const,
    startedAt: '2024-05-02T02:00:01.000Z',
  };
  const total = 7 * GiB;
  const steps: [number, string][] = [
    [0, 'shutting down web via agent and ACPI'],
    [0, 'writing vda'],
    [3 * GiB, 'writing vda'],
    [5 * GiB, 'writing vdb'],
    [total, 'starting web'],
  ];
  const api = await startFakeApi(t, {
    'POST /v1/domains/web/rollback': { status: 202, body: job({ type: 'rollback' }) },
    'GET /v1/jobs/b00000000001/events': events([
      job({ type: 'rollback' }),
      ...steps.map(([done, phase]) => job({ ...running, progress: { done, total, phase } })),
      job({ ...running, state: 'succeeded', progress: { done: total, total }, result: rollbackResult }),
    ]),
  });
  // A long interval: only state and phase changes make lines (the 3 GiB step does not).
  const r = await run(api.socket, ['rollback', 'web', '--point', 'a1b2c3d4e5f6'], {
    progressIntervalMs: 60_000,
  });
  t.is(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.deepEqual(
    lines.map((l) => l.replace(/^rollback of web \(job b00000000001\): /, '').replace(/ {2,}.*$/, '')),
    [
      'queued, waiting for its turn',
      'shutting down web via agent and ACPI',
      'writing vda',
      'writing vdb',
      'starting web 100%',
      'succeeded 100%',
    ],
  );
  t.regex(r.stderr, /: writing vdb +71% +5\.0 GiB \/ 7\.0 GiB/);
});
