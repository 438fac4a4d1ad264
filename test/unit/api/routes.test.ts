import test from 'ava';

import {
  CHAIN1,
  DOM1,
  DOM2,
  JOB_DONE,
  JOB_FAILED,
  JOB_RUNNING,
  POINT1,
  type FakeApis,
} from '../../fakes/fake-apis.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
const NOW = Date.parse('2025-06-01T00:00:00Z');

test.beforeEach(async () => {
  h = await startHarness({ now: () => NOW });
});
test.afterEach.always(async () => {
  await h.close();
});

const lastCall = (fakes: FakeApis) => fakes.calls.at(-1);

test.serial('GET /v1/status', async (t) => {
  const r = await h.req('GET', '/v1/status');
  t.is(r.status, 200);
  t.regex(String(r.headers['content-type']), /^application\/json/);
  t.like(r.json, { version: '0.1.0', libvirtConnected: true, queue: { queued: 0, running: 1 } });
});

test.serial('GET /v1/domains and /v1/domains/{name-or-uuid}', async (t) => {
  const list = await h.req('GET', '/v1/domains');
  t.is(list.status, 200);
  t.deepEqual(
    (list.json as { uuid: string }[]).map((d) => d.uuid),
    [DOM1, DOM2],
  );
  const byName = await h.req('GET', '/v1/domains/web');
  t.is(byName.status, 200);
  t.like(byName.json, { uuid: DOM1, name: 'web', disks: [{ target: 'vda' }], chains: 1, points: 3 });
  const byUuid = await h.req('GET', `/v1/domains/${DOM2}`);
  t.like(byUuid.json, { name: 'db', lastPoint: null });
  const encoded = await h.req('GET', '/v1/domains/w%65b');
  t.like(encoded.json, { uuid: DOM1 });
  t.deepEqual(lastCall(h.fakes), { method: 'getDomain', args: ['web'] });
});

test.serial('POST /v1/backups → 202 with Location', async (t) => {
  const r = await h.req('POST', '/v1/backups', {
    body: {
      domain: 'web',
      disks: ['vda', 'vdb'],
      full: true,
      name: 'before-upgrade',
      quiesce: 'required',
      chainLength: 7,
    },
  });
  t.is(r.status, 202);
  const job = r.json as { id: string; state: string; type: string };
  t.is(job.state, 'queued');
  t.is(job.type, 'backup');
  t.is(r.headers.location, `/v1/jobs/${job.id}`);
  t.deepEqual(lastCall(h.fakes), {
    method: 'startBackup',
    args: [
      {
        domain: 'web',
        disks: ['vda', 'vdb'],
        full: true,
        name: 'before-upgrade',
        quiesce: 'required',
        chainLength: 7,
      },
    ],
  });
  const minimal = await h.req('POST', '/v1/backups', {
    body: '{"domain":"db"}',
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  t.is(minimal.status, 202);
  t.deepEqual(lastCall(h.fakes), { method: 'startBackup', args: [{ domain: 'db' }] });
  const noContentType = await h.req('POST', '/v1/backups', { body: '{"domain":"db","name":"数据-1"}' });
  t.is(noContentType.status, 202);
});

test.serial('GET /v1/points with filters, GET /v1/points/{id}', async (t) => {
  const all = await h.req('GET', '/v1/points');
  t.is(all.status, 200);
  t.is((all.json as unknown[]).length, 3);
  const filtered = await h.req('GET', `/v1/points?domain=web&chain=${CHAIN1}&state=available`);
  t.is((filtered.json as unknown[]).length, 3);
  t.deepEqual(lastCall(h.fakes), {
    method: 'listPoints',
    args: [{ domain: 'web', chain: CHAIN1, state: 'available', limit: 100 }],
  });
  await h.req('GET', '/v1/points?orphaned=true');
  t.deepEqual(lastCall(h.fakes), { method: 'listPoints', args: [{ orphaned: true, limit: 100 }] });
  const one = await h.req('GET', `/v1/points/${POINT1}`);
  t.is(one.status, 200);
  t.like(one.json, {
    id: POINT1,
    domain: DOM1,
    domainName: 'web',
    chainId: CHAIN1,
    seq: 1,
    kind: 'incremental',
    state: 'available',
    consistency: 'filesystem',
    error: null,
    disks: [{ target: 'vda', virtualSize: 1 << 30, size: 1000 }],
  });
});

test.serial('DELETE /v1/points/{id} → 202 job, cascade flag', async (t) => {
  const plain = await h.req('DELETE', `/v1/points/${POINT1}`);
  t.is(plain.status, 202);
  t.like(plain.json, { type: 'delete', state: 'queued', pointId: POINT1 });
  t.deepEqual(lastCall(h.fakes), { method: 'deletePoint', args: [POINT1, { cascade: false }] });
  const cascade = await h.req('DELETE', `/v1/points/${POINT1}?cascade=true`);
  t.is(cascade.status, 202);
  t.deepEqual(lastCall(h.fakes), { method: 'deletePoint', args: [POINT1, { cascade: true }] });
});

test.serial('chains: list (with domain), show, delete', async (t) => {
  const list = await h.req('GET', '/v1/chains?domain=web');
  t.is(list.status, 200);
  t.like((list.json as unknown[])[0], {
    id: CHAIN1,
    disks: ['vda'],
    maxLength: 30,
    state: 'open',
    points: 3,
  });
  t.deepEqual(lastCall(h.fakes), { method: 'listChains', args: [{ domain: 'web' }] });
  const none = await h.req('GET', '/v1/chains');
  t.deepEqual(lastCall(h.fakes), { method: 'listChains', args: [{}] });
  t.is(none.status, 200);
  const one = await h.req('GET', `/v1/chains/${CHAIN1}`);
  t.like(one.json, { id: CHAIN1, domainName: 'web' });
  const del = await h.req('DELETE', `/v1/chains/${CHAIN1}`);
  t.is(del.status, 202);
  t.like(del.json, { type: 'delete', state: 'queued' });
});

test.serial('GET /v1/jobs with filters; since windows and ISO times', async (t) => {
  const all = await h.req('GET', '/v1/jobs');
  t.is(all.status, 200);
  t.is((all.json as unknown[]).length, 3);
  await h.req('GET', '/v1/jobs?type=backup&state=failed&trigger=manual&domain=web&since=7d&limit=50');
  t.deepEqual(lastCall(h.fakes), {
    method: 'listJobs',
    args: [
      {
        type: 'backup',
        state: 'failed',
        trigger: 'manual',
        domain: 'web',
        since: NOW - 7 * 86400_000,
        limit: 50,
      },
    ],
  });
  for (const [since, expected] of [
    ['24h', NOW - 86400_000],
    ['30d', NOW - 30 * 86400_000],
    ['2025-01-31T12:00:00Z', Date.parse('2025-01-31T12:00:00Z')],
    ['2025-01-31', Date.parse('2025-01-31')],
    ['2025-01-31T12:00:00.250+02:00', Date.parse('2025-01-31T10:00:00.250Z')],
  ] as const) {
    const r = await h.req('GET', `/v1/jobs?since=${encodeURIComponent(since)}&until=2025-06-01T00:00:00Z`);
    t.is(r.status, 200, since);
    t.deepEqual(lastCall(h.fakes)?.args, [{ since: expected, until: NOW }], since);
  }
});

test.serial('jobs: show, cancel, delete one, delete failed', async (t) => {
  const one = await h.req('GET', `/v1/jobs/${JOB_FAILED}`);
  t.is(one.status, 200);
  t.like(one.json, {
    id: JOB_FAILED,
    type: 'backup',
    state: 'failed',
    trigger: 'manual',
    progress: { done: 100, total: 100 },
    error: { code: 'FREEZE_FAILED', message: 'agent said no' },
  });
  const cancel = await h.req('POST', `/v1/jobs/${JOB_RUNNING}/cancel`);
  t.is(cancel.status, 200);
  t.like(cancel.json, { id: JOB_RUNNING, state: 'canceled' });
  const cancelWithEmptyObject = await h.req('POST', `/v1/jobs/${JOB_RUNNING}/cancel`, { body: {} });
  t.is(cancelWithEmptyObject.status, 409, 'already canceled → INVALID_STATE');
  const del = await h.req('DELETE', `/v1/jobs/${JOB_DONE}`);
  t.is(del.status, 204);
  t.is(del.text, '');
  t.false(h.fakes.catalog.jobs.has(JOB_DONE));
  const failed = await h.req('DELETE', '/v1/jobs?state=failed');
  t.is(failed.status, 200);
  t.deepEqual(failed.json, { deleted: 1 });
  t.deepEqual(lastCall(h.fakes), { method: 'deleteJobs', args: [{ state: 'failed' }] });
  const canceled = await h.req('DELETE', '/v1/jobs?state=canceled&before=2025-01-01T00:00:00Z');
  t.is(canceled.status, 200);
  t.deepEqual(lastCall(h.fakes), {
    method: 'deleteJobs',
    args: [{ state: 'canceled', before: Date.parse('2025-01-01T00:00:00Z') }],
  });
  await h.req('DELETE', '/v1/jobs?before=2025-01-01T00:00:00Z');
  t.deepEqual(lastCall(h.fakes), {
    method: 'deleteJobs',
    args: [{ before: Date.parse('2025-01-01T00:00:00Z') }],
  });
});

test.serial(
  'DELETE /v1/points?state=error[&domain=D]: 202 with the jobs; without state=error 400',
  async (t) => {
    const r = await h.req('DELETE', '/v1/points?state=error&domain=web');
    t.is(r.status, 202);
    t.like(r.json, { points: [], jobs: [{ type: 'delete', state: 'queued' }] });
    t.is((await h.req('DELETE', '/v1/points')).status, 400);
    t.is((await h.req('DELETE', '/v1/points?state=available')).status, 400);
  },
);

test.serial('GET /v1/usage', async (t) => {
  const all = await h.req('GET', '/v1/usage');
  t.is(all.status, 200);
  t.deepEqual(all.json, [
    { domain: DOM1, domainName: 'web', chains: 1, points: 3, bytes: 3000 },
    { domain: DOM2, domainName: 'db', chains: 0, points: 0, bytes: 0 },
  ]);
  const one = await h.req('GET', `/v1/usage?domain=${DOM2}`);
  t.deepEqual(one.json, [{ domain: DOM2, domainName: 'db', chains: 0, points: 0, bytes: 0 }]);
});

test.serial('keep-alive: several requests on one connection', async (t) => {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { request } = await import('node:http');
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      request({ socketPath: h.socket, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
  t.deepEqual(await Promise.all([get('/v1/status'), get('/v1/nope'), get('/v1/domains')]), [200, 404, 200]);
  agent.destroy();
});

test.serial(
  'GET /v1/points pages: limit and after are passed on; a full page links to the next one',
  async (t) => {
    const res = await h.req('GET', '/v1/points?domain=web&limit=1');
    t.is(res.status, 200);
    const body = res.json as { id: string }[];
    t.true(body.length >= 1);
    t.is(res.headers['link'], `</v1/points?domain=web&limit=1&after=${body.at(-1)!.id}>; rel="next"`);
    await h.req('GET', `/v1/points?after=${body[0]!.id}&limit=1000`);
    t.deepEqual(lastCall(h.fakes), { method: 'listPoints', args: [{ after: body[0]!.id, limit: 1000 }] });
    for (const bad of ['limit=0', 'limit=1001', 'after=../x', 'after=zz']) {
      t.is((await h.req('GET', `/v1/points?${bad}`)).status, 400, bad);
    }
  },
);
