import test from 'ava';

import { chains, domains, job, a00000000001, a00000000002, status, usage, UUID } from './fixtures.js';
import { events, run, startFakeApi } from './fake-api.js';

test('status: aligned key/values; --json prints the StatusView as sent', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/status': { body: status } });
  const human = await run(api.socket, ['status']);
  t.is(human.code, 0);
  t.regex(human.stdout, /^version {2}0\.1\.0$/m);
  t.regex(human.stdout, /^libvirt {2}connected$/m);
  t.regex(human.stdout, /^queue {4}2 running, 1 queued$/m);
  const json = await run(api.socket, ['status', '--json']);
  t.is(json.code, 0);
  t.deepEqual(JSON.parse(json.stdout), status);
  t.is(json.stderr, '');
});

test('domain list: a table whose columns line up', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/domains': { body: domains } });
  const r = await run(api.socket, ['domain', 'list']);
  t.is(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  t.is(lines.length, 3);
  const [header, web, db] = lines as [string, string, string];
  t.regex(header, /^NAME +UUID +STATE +AGENT +DISKS +CHAINS +POINTS +SIZE +LAST POINT$/);
  // Every column starts at the same offset on every line.
  for (const col of ['UUID', 'STATE', 'AGENT', 'DISKS']) {
    const at = header.indexOf(col);
    t.not(web[at - 1], undefined);
    t.is(web[at - 1], ' ', col);
    t.not(web[at], ' ', col);
    t.not(db[at], ' ', col);
  }
  t.true(web.startsWith('web        ' + UUID));
  t.true(db.startsWith('db-server  11111111-'));
  t.regex(web, /vda,vdb/);
  // Right-aligned sizes end at the SIZE header's end.
  const sizeEnd = header.indexOf('SIZE') + 'SIZE'.length;
  t.is(web.slice(sizeEnd - 7, sizeEnd), '3.0 GiB');
  t.is(db.slice(sizeEnd - 3, sizeEnd), '0 B');
  t.regex(web, /2024-05-02 02:00 UTC$/);
  t.regex(db, / -$/);

  const json = await run(api.socket, ['domain', 'list', '--json']);
  t.deepEqual(JSON.parse(json.stdout), domains);
});

test('point list passes the filters; --json prints the array of points', async (t) => {
  const copied = {
    ...a00000000002,
    copies: [
      { target: 'offsite', state: 'copied', at: '2024-05-02T03:00:00.000Z', bytes: 1, error: null },
      { target: 'nas', state: 'failed', at: '2024-05-02T03:00:00.000Z', bytes: 0, error: null },
    ],
  } as const;
  const api = await startFakeApi(t, { 'GET /v1/points': { body: [a00000000001, copied] } });
  const r = await run(api.socket, [
    'point',
    'list',
    '--domain',
    'web',
    '--chain',
    'c00000000001',
    '--state',
    'available',
  ]);
  t.is(r.code, 0);
  t.deepEqual(api.requests[0]?.query, {
    limit: '1000',
    domain: 'web',
    chain: 'c00000000001',
    state: 'available',
  });
  const lines = r.stdout.trimEnd().split('\n');
  t.regex(
    lines[0] ?? '',
    /^ID +NAME +DOMAIN +CHAIN +SEQ +KIND +STATE +CONSISTENCY +VERIFIED +OWNER +COPIES +SIZE +CREATED$/,
  );
  t.regex(
    lines[1] ?? '',
    /^a00000000001 +first +web +c00000000001 +0 +full +available +filesystem +never +manual +- +2\.0 GiB +2024-05-01 02:00 UTC$/,
  );
  t.regex(
    lines[2] ?? '',
    /^a00000000002 +nightly +web +c00000000001 +1 +incremental +available +filesystem +ok 2024-05-03 +manual +offsite:copied,nas:failed +1\.5 MiB/,
  );
  const json = await run(api.socket, ['point', 'list', '--json']);
  t.deepEqual(JSON.parse(json.stdout), [a00000000001, copied]);
  t.deepEqual(api.requests[1]?.query, { limit: '1000' });
  const orphaned = await run(api.socket, ['point', 'list', '--orphaned']);
  t.is(orphaned.code, 0);
  t.deepEqual(api.requests[2]?.query, { limit: '1000', orphaned: 'true' });
});

test('point list --state rejects an unknown state locally (exit 2, no request)', async (t) => {
  const api = await startFakeApi(t, {});
  const r = await run(api.socket, ['point', 'list', '--state', 'bogus']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^error: .*bogus.* \(INVALID_ARGUMENT\)$/m);
  t.is(api.requests.length, 0);
});

test('point show: details and disks; --json the exact point; a name or UUID goes through as is', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/points/a00000000002': { body: a00000000002 } });
  const r = await run(api.socket, ['point', 'show', 'a00000000002']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^chain +c00000000001 #1$/m);
  t.regex(r.stdout, new RegExp(`^domain +web \\(${UUID}\\)$`, 'm'));
  t.regex(r.stdout, /^verified +ok 2024-05-03 03:00 UTC: ok \(2 files\)$/m);
  t.regex(r.stdout, /^DISK +VIRTUAL +SIZE +PATH$/m);
  t.regex(r.stdout, /^vda +10\.0 GiB +1\.5 MiB +\/store\/web\/c00000000001\/a00000000002-vda\.qcow2$/m);
  const json = await run(api.socket, ['point', 'show', 'a00000000002', '--json']);
  t.deepEqual(JSON.parse(json.stdout), a00000000002);
});

test('chain list and usage: tables and exact --json; --domain passed through', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/chains': { body: chains }, 'GET /v1/usage': { body: usage } });
  const c = await run(api.socket, ['chain', 'list', '--domain', UUID]);
  t.is(c.code, 0);
  t.deepEqual(api.requests[0]?.query, { domain: UUID });
  t.regex(c.stdout, /^c00000000001 +web +vda +open +nightly-web +3\/14 +2\.0 GiB/m);
  t.regex(c.stdout, /^c00000000000 +web +vda,vdb +sealed \(disk-set-changed\) +manual +1\/7 +512 B/m);
  t.deepEqual(JSON.parse((await run(api.socket, ['chain', 'list', '--json'])).stdout), chains);
  const u = await run(api.socket, ['usage', '--domain', 'web']);
  t.is(u.code, 0);
  t.deepEqual(api.requests.at(-1)?.query, { domain: 'web' });
  t.regex(u.stdout, new RegExp(`^web +${UUID} +2 +4 +2\\.0 GiB +0 +0$`, 'm'));
  t.deepEqual(JSON.parse((await run(api.socket, ['usage', '--json'])).stdout), usage);
});

test('job list: filters passed through, table, --json', async (t) => {
  const jobs = [
    job({
      id: 'b00000000002',
      state: 'failed',
      error: { code: 'FREEZE_TIMEOUT', message: 'guest did not freeze' },
    }),
    job({
      id: 'b00000000001',
      state: 'succeeded',
      pointId: 'a00000000001',
      progress: { done: 10, total: 10 },
    }),
  ];
  const api = await startFakeApi(t, { 'GET /v1/jobs': { body: jobs } });
  const r = await run(api.socket, ['job', 'list', '--type', 'backup', '--state', 'failed', '--since', '7d']);
  t.is(r.code, 0);
  t.deepEqual(api.requests[0]?.query, { type: 'backup', state: 'failed', since: '7d' });
  t.regex(r.stdout, /^b00000000002 +backup +failed +manual .* FREEZE_TIMEOUT$/m);
  t.regex(
    r.stdout,
    /^b00000000001 +backup +succeeded +manual +web +a00000000001 +100% /m,
    'the domain by name',
  );
  const iso = await run(api.socket, [
    'job',
    'list',
    '--since',
    '2024-05-01T00:00:00Z',
    '--until',
    '2024-05-02',
    '--json',
  ]);
  t.is(iso.code, 0);
  t.deepEqual(api.requests[1]?.query, { since: '2024-05-01T00:00:00Z', until: '2024-05-02' });
  t.deepEqual(JSON.parse(iso.stdout), jobs);
});

test('job list: bad --since, --until, --type are usage errors (exit 2), nothing sent', async (t) => {
  const api = await startFakeApi(t, {});
  for (const argv of [
    ['--since', '2d'],
    ['--since', 'yesterday'],
    ['--until', '7d'],
    ['--until', '2024-13-45'],
    ['--type', 'nope'],
    ['--limit', '0'],
    ['--limit', '10001'],
  ]) {
    const r = await run(api.socket, ['job', 'list', ...argv]);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /\(INVALID_ARGUMENT\)/);
  }
  t.is(api.requests.length, 0);
});

test('job show and job cancel: details; --json the exact job', async (t) => {
  const running = job({
    state: 'running',
    progress: { done: 512, total: 1024 },
    startedAt: '2024-05-02T02:00:01Z',
  });
  const canceled = job({ state: 'canceled', endedAt: '2024-05-02T02:00:09Z' });
  const api = await startFakeApi(t, {
    'GET /v1/jobs/b00000000001': { body: running },
    'POST /v1/jobs/b00000000001/cancel': { body: canceled },
  });
  const s = await run(api.socket, ['job', 'show', 'b00000000001']);
  t.is(s.code, 0);
  t.regex(s.stdout, /^progress +50% \(512 B \/ 1\.0 KiB\)$/m);
  t.regex(s.stdout, /^domain +web \(6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f\)$/m);
  t.deepEqual(JSON.parse((await run(api.socket, ['job', 'show', 'b00000000001', '--json'])).stdout), running);
  const c = await run(api.socket, ['job', 'cancel', 'b00000000001']);
  t.is(c.code, 0);
  t.regex(c.stdout, /^state +canceled$/m);
  t.deepEqual(
    JSON.parse((await run(api.socket, ['job', 'cancel', 'b00000000001', '--json'])).stdout),
    canceled,
  );
  t.is(api.requests.filter((r) => r.method === 'POST').length, 2);
});

test('chain list: a pending or failed chain is shown as not usable', async (t) => {
  const failed = { ...chains[0]!, id: 'c00000000002', state: 'failed' as const, points: 1, bytes: 0 };
  const pending = { ...chains[0]!, id: 'c00000000003', state: 'pending' as const, points: 1, bytes: 0 };
  const api = await startFakeApi(t, { 'GET /v1/chains': { body: [failed, pending] } });
  const c = await run(api.socket, ['chain', 'list']);
  t.is(c.code, 0);
  t.regex(c.stdout, /^c00000000002 +web +vda +failed \(full failed, nothing to restore\) +\S+ +1\/14/m);
  t.regex(c.stdout, /^c00000000003 +web +vda +pending \(full being made\) +\S+ +1\/14/m);
});

test('point list --since/--until/--name/--limit: passed to the API, --limit stops the paging', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/points': { body: [a00000000001] } });
  const r = await run(api.socket, [
    'point',
    'list',
    '--since',
    '7d',
    '--until',
    '2024-06-01',
    '--name',
    'night',
    '--limit',
    '1',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.query, { limit: '1', since: '7d', until: '2024-06-01', name: 'night' });
  t.is(api.requests.length, 1, 'one point asked, one read: no second page');
  for (const argv of [
    ['--since', 'yesterday'],
    ['--until', '7d'],
    ['--limit', '0'],
    ['--name', ''],
  ]) {
    const bad = await run(api.socket, ['point', 'list', ...argv]);
    t.is(bad.code, 2, argv.join(' '));
  }
  t.is(api.requests.length, 1);
});

test('domain show and chain show: one object as key-value lines; --json the view', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/domains/web': { body: domains[0] },
    'GET /v1/chains/c00000000001': { body: chains[0] },
  });
  const d = await run(api.socket, ['domain', 'show', 'web']);
  t.is(d.code, 0, d.stderr);
  t.regex(d.stdout, /^name +web$/m);
  t.regex(d.stdout, new RegExp(`^uuid +${UUID}$`, 'm'));
  const c = await run(api.socket, ['chain', 'show', 'c00000000001']);
  t.is(c.code, 0, c.stderr);
  t.regex(c.stdout, /^owner +nightly-web$/m);
  t.regex(c.stdout, /^points +3\/14$/m);
  t.deepEqual(
    JSON.parse((await run(api.socket, ['chain', 'show', 'c00000000001', '--json'])).stdout),
    chains[0],
  );
  const missing = await run(api.socket, ['chain', 'show', 'c00000000009']);
  t.not(missing.code, 0);
});

test('job cancel of a running job waits until it has really ended and prints that state', async (t) => {
  const aborting = job({ id: 'b00000000007', state: 'running' });
  const api = await startFakeApi(t, {
    'POST /v1/jobs/b00000000007/cancel': { body: aborting },
    'GET /v1/jobs/b00000000007/events': events([
      aborting,
      job({ id: 'b00000000007', state: 'canceled', endedAt: '2024-05-02T02:00:09Z' }),
    ]),
  });
  const c = await run(api.socket, ['job', 'cancel', 'b00000000007']);
  t.is(c.code, 0, c.stderr);
  t.regex(c.stdout, /^state +canceled$/m);
  const quick = await run(api.socket, ['job', 'cancel', 'b00000000007', '--no-wait']);
  t.regex(quick.stdout, /^state +running$/m);
  t.deepEqual(
    api.requests.map((r) => `${r.method} ${r.path}`),
    [
      'POST /v1/jobs/b00000000007/cancel',
      'GET /v1/jobs/b00000000007/events',
      'POST /v1/jobs/b00000000007/cancel',
    ],
  );
});

test('empty lists print the same kind of hint everywhere (no THINGS (HINT)); --json prints []', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/points': { body: [] },
    'GET /v1/chains': { body: [] },
    'GET /v1/jobs': { body: [] },
    'GET /v1/domains': { body: [] },
    'GET /v1/volumes': { body: [] },
    'GET /v1/images': { body: [] },
  });
  for (const what of ['point', 'chain', 'job', 'domain', 'volume', 'image']) {
    const r = await run(api.socket, [what, 'list']);
    t.is(r.code, 0, what);
    t.regex(r.stdout, new RegExp(`^no ${what}s \\(.+\\)\\n$`), what);
    t.is((await run(api.socket, [what, 'list', '--json'])).stdout.trim(), '[]', what);
  }
});
