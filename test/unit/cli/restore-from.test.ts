import test from 'ava';

import { job } from './fixtures.js';
import { run, startFakeApi } from './fake-api.js';

// `--from TARGET` on rollback, volume create and image create (docs/cli.md; docs/copies.md
// "Restore from a target"): sent as `from`; the point is then named by its id only (a name
// would be looked up in the local catalog); `--linked --from` is a usage error.

const ID = 'a1b2c3d4e5f6';

test('--from is sent as from in each of the three requests (with --no-wait: only queued)', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/domains/web/rollback': { status: 202, body: job({ type: 'rollback' }) },
    'POST /v1/volumes': { status: 202, body: job({ type: 'create-volume' }) },
    'POST /v1/images': { status: 202, body: job({ type: 'create-image' }) },
  });
  const cmds: [string[], object][] = [
    [['rollback', 'web', '--point', ID], { point: ID, from: 'offsite' }],
    [
      ['volume', 'create', '--point', ID, '--disk', 'vdb', '--name', 'd', '--dir', '/srv/v'],
      { point: ID, disk: 'vdb', name: 'd', dir: '/srv/v', from: 'offsite' },
    ],
    [
      ['image', 'create', '--point', ID, '--disk', 'vda', '--name', 'g'],
      { point: ID, disk: 'vda', name: 'g', from: 'offsite' },
    ],
  ];
  for (const [argv, body] of cmds) {
    const r = await run(api.socket, [...argv, '--from', 'offsite', '--no-wait']);
    t.is(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    t.deepEqual(api.requests.at(-1)?.body, body);
  }
  t.is(api.requests.length, 3, 'no point lookup: the id goes as is');
});

test('--from with a point name, and --linked --from, exit 2 before anything is sent', async (t) => {
  const api = await startFakeApi(t, {});
  const cases: [string[], RegExp][] = [
    [
      ['rollback', 'web', '--point', 'before-upgrade', '--from', 'offsite'],
      /with --from, --point takes the point's id/,
    ],
    [
      ['volume', 'create', '--point', 'p1', '--disk', 'vda', '--name', 'd', '--dir', '/srv/v', '--from', 'o'],
      /remote list o/,
    ],
    [
      ['image', 'create', '--point', ID, '--disk', 'vda', '--name', 'g', '--linked', '--from', 'o'],
      /--linked cannot be used with --from/,
    ],
  ];
  for (const [argv, message] of cases) {
    const r = await run(api.socket, argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, message);
  }
  t.is(api.requests.length, 0);
});
