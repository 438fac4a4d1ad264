import test from 'ava';

import { chains, job, a00000000001, a00000000002, a00000000003 } from './fixtures.js';
import { events, run, startFakeApi, type Answer } from './fake-api.js';

const delJob = job({ id: 'd00000000001', type: 'delete', pointId: 'a00000000001' });
const delRun = (end: 'succeeded' | 'failed') => [
  delJob,
  job({ ...delJob, state: 'running', progress: { done: 1, total: 3 } }),
  job({
    ...delJob,
    state: end,
    progress: { done: 3, total: 3 },
    error: end === 'failed' ? { code: 'IO_ERROR', message: 'unlink failed' } : null,
  }),
];

function routes(end: 'succeeded' | 'failed' = 'succeeded'): Record<string, Answer> {
  return {
    'GET /v1/points/a00000000001': { body: a00000000001 },
    'GET /v1/points/a00000000002': { body: a00000000002 },
    'GET /v1/points/a00000000003': { body: a00000000003 },
    'GET /v1/points': { body: [a00000000001, a00000000002, a00000000003] },
    'DELETE /v1/points/a00000000001': { status: 202, body: delJob },
    'DELETE /v1/points/a00000000002': { status: 202, body: delJob },
    'DELETE /v1/points/a00000000003': { status: 202, body: delJob },
    'GET /v1/jobs/d00000000001/events': events(delRun(end)),
    'GET /v1/chains/c00000000001': { body: chains[0] },
    'GET /v1/chains/c00000000000': { body: chains[1] },
    'DELETE /v1/chains/c00000000001': { status: 202, body: delJob },
    'DELETE /v1/chains/c00000000000': { status: 202, body: delJob },
  };
}

const sent = (api: { requests: { method: string; path: string }[] }) =>
  api.requests.filter((q) => q.method === 'DELETE').map((q) => q.path);

test('deleting a full point (its whole chain) without --yes: exit 2, nothing deleted', async (t) => {
  const api = await startFakeApi(t, routes());
  const r = await run(api.socket, ['point', 'delete', 'a00000000001']);
  t.is(r.code, 2);
  t.regex(
    r.stderr,
    /full point of chain c00000000001: 3 points would be deleted \(first, nightly, later\); pass --yes/,
  );
  t.deepEqual(api.requests.find((q) => q.path === '/v1/points')?.query, {
    chain: 'c00000000001',
    limit: '1000',
  });
  t.deepEqual(sent(api), []);
});

test('point delete --yes deletes, waits for the delete job and reports', async (t) => {
  const api = await startFakeApi(t, routes());
  const r = await run(api.socket, ['point', 'delete', 'a00000000001', '--yes']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(sent(api), ['/v1/points/a00000000001']);
  t.regex(
    r.stdout,
    /^deleted 3 point\(s\): first \(a00000000001\), nightly \(a00000000002\), later \(a00000000003\)$/m,
  );
  t.regex(r.stderr, /delete job d00000000001: succeeded/);
  const j = await run(api.socket, ['point', 'delete', 'a00000000001', '--yes', '--json']);
  t.is((JSON.parse(j.stdout) as { state: string }).state, 'succeeded');
});

test('the last incremental point goes alone (no --yes needed); --cascade of a middle one needs --yes', async (t) => {
  const api = await startFakeApi(t, routes());
  const last = await run(api.socket, ['point', 'delete', 'a00000000003']);
  t.is(last.code, 0, last.stderr);
  t.deepEqual(api.requests.find((q) => q.method === 'DELETE')?.query, {});
  const mid = await run(api.socket, ['point', 'delete', 'a00000000002', '--cascade']);
  t.is(mid.code, 2);
  t.regex(mid.stderr, /--cascade deletes every later point of chain c00000000001: 2 points/);
  const ok = await run(api.socket, ['point', 'delete', 'a00000000002', '--cascade', '--yes']);
  t.is(ok.code, 0);
  t.deepEqual(api.requests.filter((q) => q.method === 'DELETE').at(-1)?.query, { cascade: 'true' });
});

test('a failed delete job is exit 1', async (t) => {
  const api = await startFakeApi(t, routes('failed'));
  const r = await run(api.socket, ['point', 'delete', 'a00000000003']);
  t.is(r.code, 1);
  t.regex(r.stderr, /^error: delete job d00000000001 failed: unlink failed \(IO_ERROR\)$/m);
});

test('chain delete: --yes required above one point; one-point chain goes without', async (t) => {
  const api = await startFakeApi(t, routes());
  const no = await run(api.socket, ['chain', 'delete', 'c00000000001']);
  t.is(no.code, 2);
  t.regex(no.stderr, /chain c00000000001 of web holds 3 points.*pass --yes/);
  t.deepEqual(sent(api), []);
  const yes = await run(api.socket, ['chain', 'delete', 'c00000000001', '--yes']);
  t.is(yes.code, 0);
  t.is(yes.stdout, 'deleted chain c00000000001 of web (3 point(s))\n');
  const single = await run(api.socket, ['chain', 'delete', 'c00000000000', '--no-wait', '--json']);
  t.is(single.code, 0);
  t.deepEqual(JSON.parse(single.stdout), delJob);
  t.deepEqual(sent(api), ['/v1/chains/c00000000001', '/v1/chains/c00000000000']);
});

test('job wait: progress, final job; exit 1 when it failed or was canceled', async (t) => {
  const canceled = [job({ state: 'running' }), job({ state: 'canceled', endedAt: '2024-05-02T02:00:05Z' })];
  const api = await startFakeApi(t, {
    'GET /v1/jobs/d00000000001/events': events(delRun('succeeded')),
    'GET /v1/jobs/b00000000001/events': events(canceled),
  });
  const ok = await run(api.socket, ['job', 'wait', 'd00000000001']);
  t.is(ok.code, 0);
  t.regex(ok.stderr, /^delete job d00000000001: running +33% +1 B \/ 3 B$/m);
  t.regex(ok.stdout, /^state +succeeded$/m);
  const json = await run(api.socket, ['job', 'wait', 'd00000000001', '--json']);
  t.deepEqual(JSON.parse(json.stdout), delRun('succeeded')[2]);
  const follow = await run(api.socket, ['job', 'follow', 'd00000000001', '--json']);
  t.is(follow.code, 0, 'job follow is an alias of job wait');
  t.deepEqual(JSON.parse(follow.stdout), delRun('succeeded')[2]);
  const c = await run(api.socket, ['job', 'wait', 'b00000000001']);
  t.is(c.code, 1);
  t.regex(c.stderr, /^error: backup job b00000000001 was canceled \(JOB_CANCELED\)$/m);
});

test('job wait: a stream that ends early is completed by one GET of the job', async (t) => {
  const final = job({ state: 'succeeded', pointId: 'a00000000002' });
  const api = await startFakeApi(t, {
    'GET /v1/jobs/b00000000001/events': events([job({ state: 'running' })]),
    'GET /v1/jobs/b00000000001': { body: final },
  });
  const r = await run(api.socket, ['job', 'wait', 'b00000000001', '--json']);
  t.is(r.code, 0);
  t.deepEqual(JSON.parse(r.stdout), final);
});

test('job delete ID / --failed; one of them is required', async (t) => {
  const api = await startFakeApi(t, {
    'DELETE /v1/jobs/b00000000001': { status: 204 },
    'DELETE /v1/jobs': { body: { deleted: 4 } },
  });
  const one = await run(api.socket, ['job', 'delete', 'b00000000001']);
  t.is(one.code, 0);
  t.is(one.stdout, 'deleted job b00000000001\n');
  const failed = await run(api.socket, ['job', 'delete', '--failed']);
  t.is(failed.code, 0);
  t.is(failed.stdout, 'deleted 4 failed job(s)\n');
  t.deepEqual(api.requests[1]?.query, { state: 'failed' });
  t.deepEqual(JSON.parse((await run(api.socket, ['job', 'delete', '--failed', '--json'])).stdout), {
    deleted: 4,
  });
  t.is((await run(api.socket, ['job', 'delete'])).code, 2);
  t.is((await run(api.socket, ['job', 'delete', 'b00000000001', '--failed'])).code, 2);
  t.is(api.requests.length, 3);
});

test('point delete --errors [--domain D]: DELETE /v1/points?state=error, follows each job, reports deleted and kept', async (t) => {
  const errJob = job({ id: 'd00000000001', type: 'delete', pointId: null });
  const done = job({
    ...errJob,
    state: 'succeeded',
    result: { deleted: ['ae0000000001', 'ae0000000002'], kept: ['ae0000000003'] },
  });
  const api = await startFakeApi(t, {
    'DELETE /v1/points': {
      status: 202,
      body: { points: ['ae0000000001', 'ae0000000002', 'ae0000000003'], jobs: [errJob] },
    },
    'GET /v1/jobs/d00000000001/events': events([errJob, done]),
  });
  const r = await run(api.socket, ['point', 'delete', '--errors', '--domain', 'web1']);
  t.is(r.code, 0, r.stderr);
  const q = api.requests.find((x) => x.method === 'DELETE');
  t.is(q?.path, '/v1/points');
  t.deepEqual(q?.query, { state: 'error', domain: 'web1' });
  t.regex(r.stdout, /^deleted 2 error point\(s\): ae0000000001, ae0000000002$/m);
  t.regex(r.stdout, /^kept 1 .*: ae0000000003$/m);
  const bad = await run(api.socket, ['point', 'delete', 'a00000000001', '--errors']);
  t.is(bad.code, 2, 'an id and --errors do not go together');
  const none = await run(api.socket, ['point', 'delete']);
  t.is(none.code, 2);
});

test('job delete --canceled / --before ISO (alone or with a state); bad combinations exit 2', async (t) => {
  const api = await startFakeApi(t, { 'DELETE /v1/jobs': { body: { deleted: 2 } } });
  const canceled = await run(api.socket, ['job', 'delete', '--canceled']);
  t.is(canceled.code, 0, canceled.stderr);
  t.is(canceled.stdout, 'deleted 2 canceled job(s)\n');
  t.deepEqual(api.requests[0]?.query, { state: 'canceled' });
  const before = await run(api.socket, ['job', 'delete', '--before', '2025-01-01T00:00:00Z']);
  t.is(before.stdout, 'deleted 2 finished job(s) that ended before 2025-01-01T00:00:00Z\n');
  t.deepEqual(api.requests[1]?.query, { before: '2025-01-01T00:00:00Z' });
  await run(api.socket, ['job', 'delete', '--failed', '--before', '2025-01-01T00:00:00Z']);
  t.deepEqual(api.requests[2]?.query, { state: 'failed', before: '2025-01-01T00:00:00Z' });
  for (const argv of [
    ['--failed', '--canceled'],
    ['--before', 'yesterday'],
    ['b00000000001', '--canceled'],
    ['b00000000001', '--before', '2025-01-01T00:00:00Z'],
  ]) {
    t.is((await run(api.socket, ['job', 'delete', ...argv])).code, 2, argv.join(' '));
  }
  t.is(api.requests.length, 3);
});

test('Ctrl-C while waiting on a job: the job goes on, the command says how to cancel it, exit 130', async (t) => {
  const running = Array.from({ length: 50 }, () => job({ state: 'running' }));
  const api = await startFakeApi(t, { 'GET /v1/jobs/b00000000001/events': events(running, 100) });
  const interrupted = new Promise<void>((resolve) => setTimeout(resolve, 150));
  const started = Date.now();
  const r = await run(api.socket, ['job', 'wait', 'b00000000001'], { interrupted });
  t.is(r.code, 130);
  t.regex(r.stderr, /^job b00000000001 continues; virtpoint job cancel b00000000001$/m);
  t.true(Date.now() - started < 3000, 'it stopped waiting at once, not at the end of the stream');
  t.false(
    api.requests.some((q) => q.method === 'POST'),
    'nothing was canceled',
  );
});
