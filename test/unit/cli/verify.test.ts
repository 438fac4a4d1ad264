import test from 'ava';

import type { ChainVerifyResultView, JobView, VerifyResultView } from '../../../src/contract/index.js';
import { job } from './fixtures.js';
import { events, run, startFakeApi } from './fake-api.js';

const okResult: VerifyResultView = {
  point: 'a00000000001',
  ok: true,
  deep: false,
  summary: 'ok (4 files)',
  files: [],
  corrupt: [],
};

const badResult: VerifyResultView = {
  point: 'a00000000003',
  ok: false,
  deep: true,
  summary: '1 of 8 files not ok: vdb.2.qcow2 checksum-mismatch',
  files: [
    {
      point: 'a00000000002',
      seq: 2,
      disk: 'vdb',
      file: 'u/c/vdb.2.qcow2',
      verdict: 'checksum-mismatch',
      detail: 'u/c/vdb.2.qcow2 has sha256 bb…; aa… was recorded',
    },
  ],
  corrupt: ['a00000000002', 'a00000000003'],
};

const done = (result: unknown): JobView[] => [
  job({ type: 'verify' }),
  job({ type: 'verify', state: 'succeeded', result }),
];

test('point verify: all ok exits 0 and says so', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/points/a1b2c3d4e5f6/verify': { status: 202, body: job({ type: 'verify' }) },
    'GET /v1/jobs/b00000000001/events': events(done(okResult)),
  });
  const r = await run(api.socket, ['point', 'verify', 'a1b2c3d4e5f6']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'point a00000000001 quick verify: ok (4 files)\n');
  t.deepEqual(api.requests[0]?.body, {});
});

test('point verify --deep: a bad file exits 1, naming the file, its verdict and the corrupt points', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/points/a3a3a3a3a3a3/verify': { status: 202, body: job({ type: 'verify' }) },
    'GET /v1/jobs/b00000000001/events': events(done(badResult)),
  });
  const r = await run(api.socket, ['point', 'verify', 'a3a3a3a3a3a3', '--deep']);
  t.is(r.code, 1);
  t.deepEqual(api.requests[0]?.body, { deep: true });
  t.regex(r.stdout, /^point a00000000003 deep verify: 1 of 8 files not ok/m);
  t.regex(r.stdout, /^ {2}u\/c\/vdb\.2\.qcow2 {2}checksum-mismatch: /m);
  t.regex(r.stdout, /^marked corrupt: a00000000002, a00000000003/m);
  const json = await run(api.socket, ['point', 'verify', 'a3a3a3a3a3a3', '--json']);
  t.is(json.code, 1);
  t.like(JSON.parse(json.stdout), { ok: false, corrupt: ['a00000000002', 'a00000000003'] });
});

test('chain verify: each point with its verdict; exit 1 when any is not ok', async (t) => {
  const chain: ChainVerifyResultView = {
    chain: 'c00000000001',
    ok: false,
    summary: '1 of 2 points not ok',
    points: [okResult, badResult],
    corrupt: ['a00000000002', 'a00000000003'],
  };
  const api = await startFakeApi(t, {
    'POST /v1/chains/c00000000001/verify': { status: 202, body: job({ type: 'verify' }) },
    'GET /v1/jobs/b00000000001/events': events(done(chain)),
  });
  const r = await run(api.socket, ['chain', 'verify', 'c00000000001']);
  t.is(r.code, 1);
  t.regex(r.stdout, /^chain c00000000001 verify: 1 of 2 points not ok$/m);
  t.regex(r.stdout, /^ {2}a00000000001 {2}ok {2}ok \(4 files\)$/m);
  t.regex(r.stdout, /^ {2}a00000000003 {2}NOT OK {2}1 of 8 files/m);
});
