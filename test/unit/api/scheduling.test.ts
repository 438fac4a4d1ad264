import test from 'ava';

import { VirtpointError } from '../../../src/core/errors.js';
import type { FakeApis } from '../../fakes/fake-apis.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

let h: Harness;

test.beforeEach(async () => {
  h = await startHarness();
});
test.afterEach.always(async () => {
  await h.close();
});

const lastCall = (fakes: FakeApis) => fakes.calls.at(-1);
const weekly = { kind: 'weekly', days: ['thu', 'mon'], times: ['14:00', '02:00'] };

test.serial('policies: list, show, create (201 + Location, normalized), 404, 409', async (t) => {
  const list = await h.req('GET', '/v1/policies');
  t.is(list.status, 200);
  t.deepEqual(
    (list.json as { name: string }[]).map((p) => p.name),
    ['hourly', 'nightly'],
  );
  const one = await h.req('GET', '/v1/policies/nightly');
  t.like(one.json, { name: 'nightly', tasks: ['web-daily'], schedule: { kind: 'weekly' } });
  t.is((await h.req('GET', '/v1/policies/nope')).status, 404);

  const created = await h.req('POST', '/v1/policies', { body: { name: 'twice', schedule: weekly } });
  t.is(created.status, 201);
  t.is(created.headers.location, '/v1/policies/twice');
  t.deepEqual(lastCall(h.fakes), {
    method: 'createPolicy',
    args: [{ name: 'twice', schedule: { kind: 'weekly', days: ['mon', 'thu'], times: ['02:00', '14:00'] } }],
  });
  const every = await h.req('POST', '/v1/policies', {
    body: { name: 'e3', schedule: { kind: 'every-days', n: 3, times: ['03:00'] }, enabled: false },
  });
  t.is(every.status, 201);
  t.like(every.json, { enabled: false });
  const dup = await h.req('POST', '/v1/policies', { body: { name: 'twice', schedule: weekly } });
  t.is(dup.status, 409);
  t.is(errorOf(dup).code, 'ALREADY_EXISTS');
});

test.serial('policies: bad bodies are 400 naming the field, and reach nothing', async (t) => {
  const bad: [unknown, RegExp][] = [
    [{ name: 'x' }, /schedule is required/],
    [{ schedule: weekly }, /name is required/],
    [{ name: 'x', schedule: weekly, extra: 1 }, /unknown field extra/],
    [{ name: 'x', schedule: { ...weekly, n: 2 } }, /schedule.n is only for kind every-days/],
    [{ name: 'x', schedule: { ...weekly, color: 'red' } }, /unknown field color in schedule/],
    [{ name: 'x', schedule: { kind: 'weekly', days: ['mon'], times: ['01:00', '01:59'] } }, /1 hour apart/],
    [{ name: 'x', schedule: { kind: 'every-days', n: 31, times: ['01:00'] } }, /schedule.n/],
    [{ name: 'x', schedule: { kind: 'weekly', days: ['funday'], times: ['01:00'] } }, /schedule.days\[0\]/],
    [{ name: 'x', schedule: { kind: 'weekly', days: ['mon'], times: ['24:00'] } }, /schedule.times\[0\]/],
    [{ name: '../x', schedule: weekly }, /policy name/],
    [{ name: 'x', schedule: weekly, enabled: 'yes' }, /enabled/],
    [[], /JSON object/],
  ];
  const before = h.fakes.calls.length;
  for (const [body, message] of bad) {
    const r = await h.req('POST', '/v1/policies', { body: body as object });
    t.is(r.status, 400, JSON.stringify(body));
    t.regex(String(errorOf(r).message), message);
  }
  t.is(h.fakes.calls.length, before);
  const patchEmpty = await h.req('PATCH', '/v1/policies/nightly', { body: {} });
  t.is(patchEmpty.status, 400);
  const badPath = await h.req('GET', '/v1/policies/..');
  t.is(badPath.status, 400);
  const query = await h.req('GET', '/v1/policies?x=1');
  t.is(query.status, 400);
});

test.serial(
  'policies: PATCH, enable, disable, DELETE (204; 409 when a task uses it), run (202)',
  async (t) => {
    const patched = await h.req('PATCH', '/v1/policies/hourly', {
      body: { name: 'often', schedule: { kind: 'every-days', n: 2, times: ['05:00'] } },
    });
    t.is(patched.status, 200);
    t.deepEqual(lastCall(h.fakes), {
      method: 'updatePolicy',
      args: ['hourly', { name: 'often', schedule: { kind: 'every-days', n: 2, times: ['05:00'] } }],
    });
    const off = await h.req('POST', '/v1/policies/often/disable');
    t.like(off.json, { enabled: false });
    const on = await h.req('POST', '/v1/policies/often/enable');
    t.like(on.json, { enabled: true });
    t.is((await h.req('POST', '/v1/policies/often/enable', { body: { x: 1 } })).status, 400);
    t.is((await h.req('DELETE', '/v1/policies/often')).status, 204);
    const inUse = await h.req('DELETE', '/v1/policies/nightly');
    t.is(inUse.status, 409);
    t.regex(String(errorOf(inUse).message), /web-daily/);
    const run = await h.req('POST', '/v1/policies/nightly/run');
    t.is(run.status, 202);
    t.like(run.json, [{ task: 'web-daily', trigger: 'manual', policy: 'nightly', outcome: 'running' }]);
    h.fakes.failNext('runPolicy', new VirtpointError('UNSUPPORTED', 'no task runner yet'));
    const unsupported = await h.req('POST', '/v1/policies/nightly/run');
    t.is(unsupported.status, 501);
    t.is(errorOf(unsupported).code, 'UNSUPPORTED');
    t.is((await h.req('PUT', '/v1/policies/nightly')).status, 405);
  },
);

test.serial('tasks: list (?policy=), show, create, 400s', async (t) => {
  const list = await h.req('GET', '/v1/tasks?policy=nightly');
  t.is(list.status, 200);
  t.deepEqual(lastCall(h.fakes), { method: 'listTasks', args: [{ policy: 'nightly' }] });
  t.like(list.json, [{ name: 'web-daily', retention: 'count:7' }]);
  t.is((await h.req('GET', '/v1/tasks?domain=web')).status, 400);
  t.like((await h.req('GET', '/v1/tasks/web-daily')).json, { name: 'web-daily', policies: ['nightly'] });
  t.is((await h.req('GET', '/v1/tasks/nope')).status, 404);

  const body = {
    name: 'db-hourly',
    domains: ['db'],
    disks: ['web:vdb'],
    policies: ['hourly'],
    chainLength: 10,
    retention: 'chains:2',
    receivers: ['webhook:https://example.com/x', 'journal'],
    enabled: false,
  };
  const created = await h.req('POST', '/v1/tasks', { body });
  t.is(created.status, 201);
  t.is(created.headers.location, '/v1/tasks/db-hourly');
  t.deepEqual(lastCall(h.fakes), { method: 'createTask', args: [body] });

  const bad: [unknown, RegExp][] = [
    [{ name: 'x', domains: ['web'] }, /policies is required/],
    [{ name: 'x', policies: ['nightly'] }, /domains, disks, volumes or volumePaths is required/],
    [{ name: 'x', domains: 'web', policies: ['nightly'] }, /domains must be an array/],
    [{ name: 'x', domains: ['web'], policies: [] }, /policies must list 1 to 8/],
    [{ name: 'x', domains: ['web'], policies: ['nightly'], chainLength: 31 }, /chainLength/],
    [{ name: 'x', domains: ['web'], policies: ['nightly'], retention: 'count:0' }, /retention/],
    [{ name: 'x', domains: ['web'], policies: ['nightly'], retention: 7 }, /retention must be a string/],
    [{ name: 'x', domains: ['web'], policies: ['nightly'], receivers: ['sms:123'] }, /receiver/],
    [{ name: 'x', disks: ['web'], policies: ['nightly'] }, /DOMAIN:TARGET/],
    [{ name: 'x', domains: ['web'], policies: ['nightly'], owner: 'me' }, /unknown field owner/],
  ];
  for (const [b, message] of bad) {
    const r = await h.req('POST', '/v1/tasks', { body: b as object });
    t.is(r.status, 400, JSON.stringify(b));
    t.regex(String(errorOf(r).message), message);
  }
});

test.serial('tasks: PATCH (not policies), enable, disable, DELETE, run, history', async (t) => {
  const patched = await h.req('PATCH', '/v1/tasks/web-daily', {
    body: { retention: 'days:30', receivers: [] },
  });
  t.is(patched.status, 200);
  t.deepEqual(lastCall(h.fakes), {
    method: 'updateTask',
    args: ['web-daily', { retention: 'days:30', receivers: [] }],
  });
  const policies = await h.req('PATCH', '/v1/tasks/web-daily', { body: { policies: ['hourly'] } });
  t.is(policies.status, 400);
  t.regex(String(errorOf(policies).message), /cannot be changed/);
  t.is((await h.req('PATCH', '/v1/tasks/web-daily', { body: {} })).status, 400);
  t.like((await h.req('POST', '/v1/tasks/web-daily/disable')).json, { enabled: false });
  t.like((await h.req('POST', '/v1/tasks/web-daily/enable')).json, { enabled: true });
  const run = await h.req('POST', '/v1/tasks/web-daily/run');
  t.is(run.status, 202);
  t.like(run.json, { task: 'web-daily', trigger: 'manual', outcome: 'running' });
  const history = await h.req('GET', '/v1/tasks/web-daily/history?limit=5');
  t.is(history.status, 200);
  t.deepEqual(lastCall(h.fakes), { method: 'taskHistory', args: ['web-daily', { limit: 5 }] });
  t.like(history.json, [{ id: 'e00000000001', outcome: 'succeeded' }]);
  for (const q of ['limit=0', 'limit=101', 'limit=x', 'since=1d']) {
    t.is((await h.req('GET', `/v1/tasks/web-daily/history?${q}`)).status, 400, q);
  }
  t.is((await h.req('DELETE', '/v1/tasks/web-daily')).status, 204);
  t.is((await h.req('DELETE', '/v1/tasks/web-daily')).status, 404);
});

test.serial(
  'POST /v1/tasks/{name}/notify-test: 200 with one result per receiver; a bad name 400; a query 400',
  async (t) => {
    const r = await h.req('POST', '/v1/tasks/web-daily/notify-test');
    t.is(r.status, 200);
    t.deepEqual(lastCall(h.fakes), { method: 'notifyTest.notifyTest', args: ['web-daily'] });
    t.like(r.json, { task: 'web-daily', event: 'test', results: [{ receiver: 'journal', ok: true }] });
    t.is((await h.req('POST', '/v1/tasks/-bad/notify-test')).status, 400);
    t.is((await h.req('POST', '/v1/tasks/web-daily/notify-test?x=1')).status, 400);
    h.fakes.failNext('notifyTest.notifyTest', new VirtpointError('NOT_FOUND', 'no task named nope'));
    t.is((await h.req('POST', '/v1/tasks/nope/notify-test')).status, 404);
  },
);
