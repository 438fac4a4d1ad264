import test from 'ava';

import { chains, job, p1, p2, p3 } from './fixtures.js';
import { events, run, startFakeApi, type Answer } from './fake-api.js';

const delJob = job({ id: 'd1', type: 'delete', pointId: 'p1' });
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
    'GET /v1/points/p1': { body: p1 },
    'GET /v1/points/p2': { body: p2 },
    'GET /v1/points/p3': { body: p3 },
    'GET /v1/points': { body: [p1, p2, p3] },
    'DELETE /v1/points/p1': { status: 202, body: delJob },
    'DELETE /v1/points/p2': { status: 202, body: delJob },
    'DELETE /v1/points/p3': { status: 202, body: delJob },
    'GET /v1/jobs/d1/events': events(delRun(end)),
    'GET /v1/chains/c1': { body: chains[0] },
    'GET /v1/chains/c0': { body: chains[1] },
    'DELETE /v1/chains/c1': { status: 202, body: delJob },
    'DELETE /v1/chains/c0': { status: 202, body: delJob },
  };
}

const sent = (api: { requests: { method: string; path: string }[] }) =>
  api.requests.filter((q) => q.method === 'DELETE').map((q) => q.path);

test('deleting a full point (its whole chain) without --yes: exit 2, nothing deleted', async (t) => {
  const api = await startFakeApi(t, routes());
  const r = await run(api.socket, ['point', 'delete', 'p1']);
  t.is(r.code, 2);
  t.regex(
    r.stderr,
    /full point of chain c1: 3 points would be deleted \(first, nightly, later\); pass --yes/,
  );
  t.deepEqual(api.requests.find((q) => q.path === '/v1/points')?.query, { chain: 'c1', limit: '1000' });
  t.deepEqual(sent(api), []);
});

test('point delete --yes deletes, waits for the delete job and reports', async (t) => {
  const api = await startFakeApi(t, routes());
  const r = await run(api.socket, ['point', 'delete', 'p1', '--yes']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(sent(api), ['/v1/points/p1']);
  t.regex(r.stdout, /^deleted 3 point\(s\): first \(p1\), nightly \(p2\), later \(p3\)$/m);
  t.regex(r.stderr, /delete job d1: succeeded/);
  const j = await run(api.socket, ['point', 'delete', 'p1', '--yes', '--json']);
  t.is((JSON.parse(j.stdout) as { state: string }).state, 'succeeded');
});

test('the last incremental point goes alone (no --yes needed); --cascade of a middle one needs --yes', async (t) => {
  const api = await startFakeApi(t, routes());
  const last = await run(api.socket, ['point', 'delete', 'p3']);
  t.is(last.code, 0, last.stderr);
  t.deepEqual(api.requests.find((q) => q.method === 'DELETE')?.query, {});
  const mid = await run(api.socket, ['point', 'delete', 'p2', '--cascade']);
  t.is(mid.code, 2);
  t.regex(mid.stderr, /--cascade deletes every later point of chain c1: 2 points/);
  const ok = await run(api.socket, ['point', 'delete', 'p2', '--cascade', '--yes']);
  t.is(ok.code, 0);
  t.deepEqual(api.requests.filter((q) => q.method === 'DELETE').at(-1)?.query, { cascade: 'true' });
});

test('a failed delete job is exit 1', async (t) => {
  const api = await startFakeApi(t, routes('failed'));
  const r = await run(api.socket, ['point', 'delete', 'p3']);
  t.is(r.code, 1);
  t.regex(r.stderr, /^error: delete job d1 failed: unlink failed \(IO_ERROR\)$/m);
});

test('chain delete: --yes required above one point; one-point chain goes without', async (t) => {
  const api = await startFakeApi(t, routes());
  const no = await run(api.socket, ['chain', 'delete', 'c1']);
  t.is(no.code, 2);
  t.regex(no.stderr, /chain c1 of web holds 3 points.*pass --yes/);
  t.deepEqual(sent(api), []);
  const yes = await run(api.socket, ['chain', 'delete', 'c1', '--yes']);
  t.is(yes.code, 0);
  t.is(yes.stdout, 'deleted chain c1 of web (3 point(s))\n');
  const single = await run(api.socket, ['chain', 'delete', 'c0', '--no-wait', '--json']);
  t.is(single.code, 0);
  t.deepEqual(JSON.parse(single.stdout), delJob);
  t.deepEqual(sent(api), ['/v1/chains/c1', '/v1/chains/c0']);
});

test('job wait: progress, final job; exit 1 when it failed or was canceled', async (t) => {
  const canceled = [job({ state: 'running' }), job({ state: 'canceled', endedAt: '2024-05-02T02:00:05Z' })];
  const api = await startFakeApi(t, {
    'GET /v1/jobs/d1/events': events(delRun('succeeded')),
    'GET /v1/jobs/j1/events': events(canceled),
  });
  const ok = await run(api.socket, ['job', 'wait', 'd1']);
  t.is(ok.code, 0);
  t.regex(ok.stderr, /^delete job d1: running +33% +1 B \/ 3 B$/m);
  t.regex(ok.stdout, /^state +succeeded$/m);
  const json = await run(api.socket, ['job', 'wait', 'd1', '--json']);
  t.deepEqual(JSON.parse(json.stdout), delRun('succeeded')[2]);
  const follow = await run(api.socket, ['job', 'follow', 'd1', '--json']);
  t.is(follow.code, 0, 'job follow is an alias of job wait');
  t.deepEqual(JSON.parse(follow.stdout), delRun('succeeded')[2]);
  const c = await run(api.socket, ['job', 'wait', 'j1']);
  t.is(c.code, 1);
  t.regex(c.stderr, /^error: backup job j1 was canceled \(JOB_CANCELED\)$/m);
});

test('job wait: a stream that ends early is completed by one GET of the job', async (t) => {
  const final = job({ state: 'succeeded', pointId: 'p2' });
  const api = await startFakeApi(t, {
    'GET /v1/jobs/j1/events': events([job({ state: 'running' })]),
    'GET /v1/jobs/j1': { body: final },
  });
  const r = await run(api.socket, ['job', 'wait', 'j1', '--json']);
  t.is(r.code, 0);
  t.deepEqual(JSON.parse(r.stdout), final);
});

test('job delete ID / --failed; one of them is required', async (t) => {
  const api = await startFakeApi(t, {
    'DELETE /v1/jobs/j1': { status: 204 },
    'DELETE /v1/jobs': { body: { deleted: 4 } },
  });
  const one = await run(api.socket, ['job', 'delete', 'j1']);
  t.is(one.code, 0);
  t.is(one.stdout, 'deleted job j1\n');
  const failed = await run(api.socket, ['job', 'delete', '--failed']);
  t.is(failed.code, 0);
  t.is(failed.stdout, 'deleted 4 failed job(s)\n');
  t.deepEqual(api.requests[1]?.query, { state: 'failed' });
  t.deepEqual(JSON.parse((await run(api.socket, ['job', 'delete', '--failed', '--json'])).stdout), {
    deleted: 4,
  });
  t.is((await run(api.socket, ['job', 'delete'])).code, 2);
  t.is((await run(api.socket, ['job', 'delete', 'j1', '--failed'])).code, 2);
  t.is(api.requests.length, 3);
});

test('point delete --errors [--domain D]: DELETE /v1/points?state=error, follows each job, reports deleted and kept', async (t) => {
  const errJob = job({ id: 'd1', type: 'delete', pointId: null });
  const done = job({ ...errJob, state: 'succeeded', result: { deleted: ['e1', 'e2'], kept: ['e3'] } });
  const api = await startFakeApi(t, {
    'DELETE /v1/points': { status: 202, body: { points: ['e1', 'e2', 'e3'], jobs: [errJob] } },
    'GET /v1/jobs/d1/events': events([errJob, done]),
  });
  const r = await run(api.socket, ['point', 'delete', '--errors', '--domain', 'web1']);
  t.is(r.code, 0, r.stderr);
  const q = api.requests.find((x) => x.method === 'DELETE');
  t.is(q?.path, '/v1/points');
  t.deepEqual(q?.query, { state: 'error', domain: 'web1' });
  t.regex(r.stdout, /^deleted 2 error point\(s\): e1, e2$/m);
  t.regex(r.stdout, /^kept 1 .*: e3$/m);
  const bad = await run(api.socket, ['point', 'delete', 'p1', '--errors']);
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
    ['j1', '--canceled'],
    ['j1', '--before', '2025-01-01T00:00:00Z'],
  ]) {
    t.is((await run(api.socket, ['job', 'delete', ...argv])).code, 2, argv.join(' '));
  }
  t.is(api.requests.length, 3);
});

test('Ctrl-C while waiting on a job: the job goes on, the command says how to cancel it, exit 130', async (t) => {
  const running = Array.from({ length: 50 }, () => job({ state: 'running' }));
  const api = await startFakeApi(t, { 'GET /v1/jobs/j1/events': events(running, 100) });
  const interrupted = new Promise<void>((resolve) => setTimeout(resolve, 150));
  const started = Date.now();
  const r = await run(api.socket, ['job', 'wait', 'j1'], { interrupted });
  t.is(r.code, 130);
  t.regex(r.stderr, /^job j1 continues; virtpoint job cancel j1$/m);
  t.true(Date.now() - started < 3000, 'it stopped waiting at once, not at the end of the stream');
  t.false(
    api.requests.some((q) => q.method === 'POST'),
    'nothing was canceled',
  );
});
