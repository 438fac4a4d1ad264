import test from 'ava';

import type { CopyResultView, JobView } from '../../../../src/contract/index.js';
import { job } from '../fixtures.js';
import { events, run, startFakeApi } from '../fake-api.js';

const result: CopyResultView = {
  target: 'offsite',
  points: [
    { pointId: 'a00000000001', bytes: 0, uploaded: ['m'], skipped: ['x', 'y'] },
    { pointId: 'a00000000002', bytes: 2 * 1024 * 1024, uploaded: ['a', 'b', 'm'], skipped: [] },
  ],
};
const done = (r: unknown): JobView[] => [
  job({ type: 'copy' }),
  job({ type: 'copy', state: 'succeeded', result: r }),
];

test('point copy ID --to NAME: posts the target, waits, prints per point what was uploaded', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/points/a1b2c3d4e5f6/copy': { status: 202, body: job({ type: 'copy' }) },
    'GET /v1/jobs/b00000000001/events': events(done(result)),
  });
  const r = await run(api.socket, ['point', 'copy', 'a1b2c3d4e5f6', '--to', 'offsite']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, { target: 'offsite' });
  t.regex(r.stdout, /^point a00000000001 copied to offsite: 0 B uploaded, 2 file\(s\) already there$/m);
  t.regex(r.stdout, /^point a00000000002 copied to offsite: 2\.0 MiB uploaded, 0 file\(s\) already there$/m);
});

test('chain copy ID --to NAME --json: the result object; without --to it is a usage error', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/chains/c00000000001/copy': { status: 202, body: job({ type: 'copy' }) },
    'GET /v1/jobs/b00000000001/events': events(done(result)),
  });
  const r = await run(api.socket, ['chain', 'copy', 'c00000000001', '--to', 'nas', '--json']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, { target: 'nas' });
  t.deepEqual(JSON.parse(r.stdout), result);
  const bad = await run(api.socket, ['chain', 'copy', 'c00000000001']);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /to/);
});
