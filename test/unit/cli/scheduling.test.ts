import test from 'ava';

import { policyView, runView, taskView } from '../../fakes/fake-scheduling.js';
import { run, startFakeApi } from './fake-api.js';

const nightly = policyView();
const task = taskView();

test('policy create --weekly/--at builds the schedule; --json prints the PolicyView', async (t) => {
  const api = await startFakeApi(t, { 'POST /v1/policies': { status: 201, body: nightly } });
  const r = await run(api.socket, [
    'policy',
    'create',
    'nightly',
    '--weekly',
    'thu,Mon',
    '--at',
    '14:00,02:00',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, {
    name: 'nightly',
    schedule: { kind: 'weekly', days: ['mon', 'thu'], times: ['02:00', '14:00'] },
  });
  t.regex(r.stdout, /^schedule +weekly mon,thu$/m);
  t.regex(r.stdout, /^next run +2025-01-02 02:00 UTC$/m);
  const json = await run(api.socket, [
    'policy',
    'create',
    'e3',
    '--every-days',
    '3',
    '--at',
    '03:00',
    '--disabled',
    '--json',
  ]);
  t.is(json.code, 0);
  t.deepEqual(api.requests[1]?.body, {
    name: 'e3',
    schedule: { kind: 'every-days', n: 3, times: ['03:00'] },
    enabled: false,
  });
  t.deepEqual(JSON.parse(json.stdout), nightly);
});

test('policy create: bad flags are usage errors (exit 2, no request)', async (t) => {
  const api = await startFakeApi(t, {});
  for (const argv of [
    ['policy', 'create', 'p', '--at', '02:00'],
    ['policy', 'create', 'p', '--weekly', 'mon'],
    ['policy', 'create', 'p', '--weekly', 'mon', '--every-days', '2', '--at', '02:00'],
    ['policy', 'create', 'p', '--weekly', 'funday', '--at', '02:00'],
    ['policy', 'create', 'p', '--every-days', '31', '--at', '02:00'],
    ['policy', 'create', 'p', '--weekly', 'mon', '--at', '02:00,02:30'],
  ]) {
    const r = await run(api.socket, argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /\(INVALID_ARGUMENT\)/);
  }
  t.is(api.requests.length, 0);
});

test('policy list/show/enable/disable/delete/run', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/policies': {
      body: [nightly, policyView({ name: 'off', enabled: false, nextRun: null, tasks: [] })],
    },
    'GET /v1/policies/nightly': { body: nightly },
    'POST /v1/policies/nightly/disable': { body: { ...nightly, enabled: false } },
    'POST /v1/policies/nightly/enable': { body: nightly },
    'DELETE /v1/policies/nightly': {
      status: 409,
      body: { error: { code: 'INVALID_STATE', message: 'policy nightly is used by task web-daily' } },
    },
    'POST /v1/policies/nightly/run': {
      status: 202,
      body: [runView({ trigger: 'manual', outcome: 'running' })],
    },
  });
  const list = await run(api.socket, ['policy', 'list']);
  t.is(list.code, 0);
  const lines = list.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^NAME +ENABLED +SCHEDULE +AT +TASKS +NEXT RUN$/);
  t.regex(lines[1] ?? '', /^nightly +yes +weekly mon,thu +02:00 +1 +2025-01-02 02:00 UTC$/);
  t.regex(lines[2] ?? '', /^off +no .* -$/);
  t.regex((await run(api.socket, ['policy', 'show', 'nightly'])).stdout, /^tasks +web-daily$/m);
  t.is((await run(api.socket, ['policy', 'disable', 'nightly'])).stdout, 'disabled policy nightly\n');
  t.is((await run(api.socket, ['policy', 'enable', 'nightly'])).stdout, 'enabled policy nightly\n');
  const del = await run(api.socket, ['policy', 'delete', 'nightly']);
  t.is(del.code, 1);
  t.regex(del.stderr, /^error: policy nightly is used by task web-daily \(INVALID_STATE\)$/m);
  const r = await run(api.socket, ['policy', 'run', 'nightly']);
  t.regex(r.stdout, /^started run e00000000001 of task web-daily/);
});

test('policy update: a schedule flag alone keeps the rest of the schedule (PATCH)', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/policies/nightly': { body: nightly },
    'PATCH /v1/policies/nightly': { body: nightly },
  });
  const r = await run(api.socket, ['policy', 'update', 'nightly', '--at', '03:00', '--name', 'n2']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests.at(-1), {
    method: 'PATCH',
    path: '/v1/policies/nightly',
    query: {},
    body: { name: 'n2', schedule: { kind: 'weekly', days: ['mon', 'thu'], times: ['03:00'] } },
  });
  const nothing = await run(api.socket, ['policy', 'update', 'nightly']);
  t.is(nothing.code, 2);
});

test('task create prints the warnings of the response on stderr, the task on stdout; exit 0', async (t) => {
  const warning = 'task other already backs up domain web (all disks); each task keeps its own chains';
  const api = await startFakeApi(t, {
    'POST /v1/tasks': { status: 201, body: { ...task, warnings: [warning] } },
  });
  const r = await run(api.socket, ['task', 'create', 'web-daily', '--domain', 'web', '--policy', 'nightly']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, `warning: ${warning}\n`);
  t.regex(r.stdout, /^retention +/m);
});

test('task create sends the whole task; repeatable flags; local checks', async (t) => {
  const api = await startFakeApi(t, { 'POST /v1/tasks': { status: 201, body: task } });
  const r = await run(api.socket, [
    'task',
    'create',
    'web-daily',
    '--domain',
    'web',
    '--domain',
    'db',
    '--disk',
    'files:vdb',
    '--policy',
    'nightly',
    '--policy',
    'hourly',
    '--chain-length',
    '7',
    '--retain',
    'count:7',
    '--notify',
    'journal',
    '--notify',
    'webhook:https://example.com/h',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, {
    name: 'web-daily',
    domains: ['web', 'db'],
    disks: ['files:vdb'],
    policies: ['nightly', 'hourly'],
    chainLength: 7,
    retention: 'count:7',
    receivers: ['journal', 'webhook:https://example.com/h'],
  });
  t.regex(r.stdout, /^retention +count:7$/m);
  t.regex(r.stdout, /^web +11111111-2222-3333-4444-555555555555 +all$/m);
  for (const argv of [
    ['task', 'create', 't', '--domain', 'web'],
    ['task', 'create', 't', '--policy', 'p'],
    ['task', 'create', 't', '--domain', 'web', '--policy', 'p', '--retain', 'weeks:2'],
    ['task', 'create', 't', '--domain', 'web', '--policy', 'p', '--chain-length', '0'],
    ['task', 'create', 't', '--disk', 'vdb', '--policy', 'p'],
    ['task', 'create', 't', '--domain', 'web', '--policy', 'p', '--notify', 'mail:me'],
  ]) {
    const bad = await run(api.socket, argv);
    t.is(bad.code, 2, argv.join(' '));
  }
  t.is(api.requests.length, 1);
});

test('task update: PATCH with the given fields; --policy refused; --clear-notify', async (t) => {
  const api = await startFakeApi(t, { 'PATCH /v1/tasks/web-daily': { body: task } });
  const r = await run(api.socket, [
    'task',
    'update',
    'web-daily',
    '--retain',
    'days:30',
    '--clear-notify',
    '--json',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, { retention: 'days:30', receivers: [] });
  t.deepEqual(JSON.parse(r.stdout), task);
  const policy = await run(api.socket, ['task', 'update', 'web-daily', '--policy', 'hourly']);
  t.is(policy.code, 2);
  t.regex(policy.stderr, /cannot be changed/);
  t.is((await run(api.socket, ['task', 'update', 'web-daily'])).code, 2);
  t.is(api.requests.length, 1);
});

test('task list/show/enable/disable/delete/run/history', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/tasks': { body: [task] },
    'GET /v1/tasks/web-daily': { body: task },
    'POST /v1/tasks/web-daily/enable': { body: task },
    'POST /v1/tasks/web-daily/disable': { body: { ...task, enabled: false } },
    'DELETE /v1/tasks/web-daily': { status: 204 },
    'POST /v1/tasks/web-daily/run': {
      status: 501,
      body: { error: { code: 'UNSUPPORTED', message: 'cannot run task web-daily: no task runner yet' } },
    },
    'GET /v1/tasks/web-daily/history': {
      body: [runView(), runView({ id: 'e00000000000', outcome: 'skipped', resources: [] })],
    },
  });
  const list = await run(api.socket, ['task', 'list', '--policy', 'nightly']);
  t.deepEqual(api.requests[0]?.query, { policy: 'nightly' });
  t.regex(list.stdout, /^NAME +ENABLED +RESOURCES +POLICIES +CHAIN +RETAIN +RUNS +LAST RUN$/m);
  t.regex(list.stdout, /^web-daily +yes +web +nightly +30 +count:7 +1 +succeeded 2025-01-01 00:00 UTC$/m);
  t.regex((await run(api.socket, ['task', 'show', 'web-daily'])).stdout, /^notify +journal$/m);
  t.is((await run(api.socket, ['task', 'enable', 'web-daily'])).stdout, 'enabled task web-daily\n');
  t.is((await run(api.socket, ['task', 'disable', 'web-daily'])).stdout, 'disabled task web-daily\n');
  t.regex((await run(api.socket, ['task', 'delete', 'web-daily'])).stdout, /points are kept/);
  const r = await run(api.socket, ['task', 'run', 'web-daily']);
  t.is(r.code, 1);
  t.regex(r.stderr, /\(UNSUPPORTED\)/);
  const h = await run(api.socket, ['task', 'history', 'web-daily', '--limit', '2']);
  t.deepEqual(api.requests.at(-1)?.query, { limit: '2' });
  const lines = h.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', /^ID +TASK +TRIGGER +POLICY +STARTED +ENDED +OUTCOME +OK +ERRORS +WARNINGS$/);
  t.regex(lines[1] ?? '', /^e00000000001 +web-daily +schedule +nightly .* succeeded +1\/1$/);
  t.regex(lines[2] ?? '', /skipped +-$/);
  t.is((await run(api.socket, ['task', 'history', 'web-daily', '--limit', '500'])).code, 2);
});

test('task show and task history print the warnings of a run that succeeded with warnings', async (t) => {
  const warnings = [
    'web: point autobk_1 (a00000000002) is crash-consistent: freeze failed: agent gone',
    'notification journal failed: stdout closed (INTERNAL)',
  ];
  const lastRun = { ...task.lastRun!, outcome: 'succeeded-with-warnings' as const, warnings };
  const api = await startFakeApi(t, {
    'GET /v1/tasks/web-daily': { body: { ...task, lastRun } },
    'GET /v1/tasks/web-daily/history': {
      body: [runView({ outcome: 'succeeded-with-warnings', warnings })],
    },
  });
  const show = await run(api.socket, ['task', 'show', 'web-daily']);
  t.regex(
    show.stdout,
    /^last run +succeeded with 2 warnings: web: point autobk_1 \(a00000000002\) is crash-consistent: freeze failed: agent gone; notification journal failed: stdout closed \(INTERNAL\) \(run e00000000001 at .+\)$/m,
  );
  const h = await run(api.socket, ['task', 'history', 'web-daily']);
  const lines = h.stdout.trimEnd().split('\n');
  t.regex(lines[0] ?? '', / +OUTCOME +OK +ERRORS +WARNINGS$/);
  t.regex(
    lines[1] ?? '',
    /succeeded-with-warnings +1\/1 +web: point autobk_1 .*; notification journal failed/,
  );
});

test('task create/update --verify-after and --no-verify-after; task show says it', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/tasks': { status: 201, body: { ...task, verifyAfter: true } },
    'PATCH /v1/tasks/web-daily': { body: task },
  });
  const r = await run(api.socket, [
    'task',
    'create',
    'web-daily',
    '--domain',
    'web',
    '--policy',
    'p',
    '--verify-after',
  ]);
  t.is(r.code, 0, r.stderr);
  t.like(api.requests[0]?.body, { verifyAfter: true });
  t.regex(r.stdout, /^verify after +yes: each new point, right after its backup$/m);
  const off = await run(api.socket, ['task', 'update', 'web-daily', '--no-verify-after']);
  t.is(off.code, 0, off.stderr);
  t.deepEqual(api.requests[1]?.body, { verifyAfter: false });
  t.regex(off.stdout, /^verify after +no$/m);
  const plain = await run(api.socket, ['task', 'create', 'web-daily', '--domain', 'web', '--policy', 'p']);
  t.is(plain.code, 0, plain.stderr);
  t.false('verifyAfter' in (api.requests[2]?.body as object));
});

test('task create/update --copy-to (repeatable) and --no-copy-to; task show says it; bad names are usage errors', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/tasks': { status: 201, body: { ...task, copyTo: ['s3-eu', 'nas'] } },
    'PATCH /v1/tasks/web-daily': { body: task },
  });
  const base = ['task', 'create', 'web-daily', '--domain', 'web', '--policy', 'p'];
  const r = await run(api.socket, [...base, '--copy-to', 's3-eu', '--copy-to', 'nas']);
  t.is(r.code, 0, r.stderr);
  t.deepEqual((api.requests[0]?.body as { copyTo?: unknown }).copyTo, ['s3-eu', 'nas']);
  t.regex(r.stdout, /^copy to +s3-eu, nas \(each new point, after its backup\)$/m);
  const off = await run(api.socket, ['task', 'update', 'web-daily', '--no-copy-to']);
  t.is(off.code, 0, off.stderr);
  t.deepEqual(api.requests[1]?.body, { copyTo: [] });
  t.regex(off.stdout, /^copy to +-$/m);
  const five = ['a', 'b', 'c', 'd', 'e'].flatMap((n) => ['--copy-to', n]);
  const tooMany = await run(api.socket, [...base, ...five]);
  t.is(tooMany.code, 2);
  t.regex(tooMany.stderr, /--copy-to names at most 4 targets/);
  const bad = await run(api.socket, [...base, '--copy-to', 'a b']);
  t.is(bad.code, 2, bad.stderr);
  t.is(api.requests.length, 2, 'nothing sent for a usage error');
});

test('task run waits for the run to end and exits by its outcome; --no-wait returns at once; Ctrl-C 130', async (t) => {
  const running = runView({ trigger: 'manual', outcome: 'running', resources: [] });
  let polls = 0;
  const api = await startFakeApi(t, {
    'POST /v1/tasks/web-daily/run': { status: 202, body: running },
    'GET /v1/tasks/web-daily/history': (_req, res) => {
      polls++;
      const body = [polls < 3 ? running : runView({ trigger: 'manual', outcome: 'partial' })];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
  });
  const r = await run(api.socket, ['task', 'run', 'web-daily', '--poll-ms', '5']);
  t.is(r.code, 1, 'partial: exit 1');
  t.is(polls, 3);
  t.regex(r.stdout, /^e00000000001 +web-daily +manual .* partial /m);
  const quick = await run(api.socket, ['task', 'run', 'web-daily', '--no-wait']);
  t.is(quick.code, 0);
  t.regex(quick.stdout, /^started run e00000000001 of task web-daily/);
  t.is(polls, 3, '--no-wait polls nothing');
  polls = -1000; // stays running
  const interrupted = new Promise<void>((resolve) => setTimeout(resolve, 50));
  const c = await run(api.socket, ['task', 'run', 'web-daily', '--poll-ms', '5'], { interrupted });
  t.is(c.code, 130);
  t.regex(c.stderr, /run e00000000001 of task web-daily continues/);
});

test('task notify-test: one line per receiver; exit 1 naming the first failure; --json the answer', async (t) => {
  const view = {
    task: 'web',
    event: 'test',
    results: [
      { receiver: 'journal', ok: true, attempts: 1, durationMs: 2 },
      {
        receiver: 'webhook:https://***@hooks.example.net/v',
        ok: false,
        attempts: 4,
        durationMs: 7012,
        httpStatus: 503,
        error: { code: 'IO_ERROR', message: 'HTTP 503' },
      },
    ],
  };
  const api = await startFakeApi(t, { 'POST /v1/tasks/web/notify-test': { body: view } });
  const r = await run(api.socket, ['task', 'notify-test', 'web']);
  t.is(r.code, 1);
  t.regex(r.stdout, /^ok +journal +1 try, 2 ms$/m);
  t.regex(
    r.stdout,
    /^failed +webhook:https:\/\/\*\*\*@hooks\.example\.net\/v +4 tries, 7012 ms, HTTP 503: HTTP 503 \(IO_ERROR\)$/m,
  );
  t.regex(
    r.stderr,
    /^error: 1 of 2 receiver\(s\) of task web failed the test; first webhook:\S+: HTTP 503 \(\w+\)$/m,
  );
  const j = await run(api.socket, ['task', 'notify-test', 'web', '--json']);
  t.is(j.code, 1);
  t.deepEqual(JSON.parse(j.stdout), view);
  const good = await startFakeApi(t, {
    'POST /v1/tasks/web/notify-test': { body: { ...view, results: [view.results[0]] } },
  });
  const g = await run(good.socket, ['task', 'notify-test', 'web']);
  t.is(g.code, 0);
  t.is(g.stderr, '');
});

test('task create/update --volume POOL/VOL and --volume-path FILE (repeatable); task show names them; bad ones are usage errors', async (t) => {
  const vol = { domain: '5abfc91b-e804-5410-bd33-f3f186e1323f', domainName: '/vols/a.qcow2', disks: null };
  const api = await startFakeApi(t, {
    'POST /v1/tasks': { status: 201, body: { ...task, resources: [{ ...vol, volume: '/vols/a.qcow2' }] } },
    'PATCH /v1/tasks/web-daily': { body: task },
  });
  const base = ['task', 'create', 'web-daily', '--policy', 'p'];
  const r = await run(api.socket, [...base, '--volume', 'default/b.qcow2', '--volume-path', '/vols/a.qcow2']);
  t.is(r.code, 0, r.stderr);
  t.like(api.requests[0]?.body, { volumes: ['default/b.qcow2'], volumePaths: ['/vols/a.qcow2'] });
  t.false('domains' in (api.requests[0]?.body as object));
  t.regex(r.stdout, /^volume:\/vols\/a\.qcow2 +5abfc91b-e804-5410-bd33-f3f186e1323f +vol$/m);
  const up = await run(api.socket, ['task', 'update', 'web-daily', '--volume-path', '/vols/c.qcow2']);
  t.is(up.code, 0, up.stderr);
  t.deepEqual(api.requests[1]?.body, { volumePaths: ['/vols/c.qcow2'] });
  for (const bad of [
    [...base, '--volume', 'nopool'],
    [...base, '--volume-path', 'relative.qcow2'],
  ]) {
    const b = await run(api.socket, bad);
    t.is(b.code, 2, bad.join(' '));
  }
  t.regex((await run(api.socket, base)).stderr, /--volume POOL\/VOL or --volume-path FILE/);
  t.is(api.requests.length, 2, 'nothing sent for a usage error');
});
