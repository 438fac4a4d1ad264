import test from 'ava';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import type { TaskRunRequest } from '../../../../src/service/scheduling/task-run.js';
import { SchedulingService } from '../../../../src/service/scheduling/policies-tasks.js';
import { SchedulingApiImpl } from '../../../../src/service/scheduling/api.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { schedHarness } from './_sched.js';

const weekly = { kind: 'weekly', days: ['thu', 'mon'], times: ['14:00', '02:00'] };
const disk = (target: string) => ({
  target,
  sourcePath: `/img/${target}`,
  format: 'qcow2',
  capacity: 1 << 30,
});

function setup(opts: { limits?: { maxPolicies?: number; maxDomainsPerPolicy?: number } } = {}) {
  const hv = new FakeHypervisor();
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const web = hv.addDomain({ name: 'web', disks: [disk('vda'), disk('vdb')] });
  const db = hv.addDomain({ name: 'db', disks: [disk('vda')] });
  const requests: TaskRunRequest[] = [];
  const runTask = async (req: TaskRunRequest) => {
    requests.push(req);
    return catalog.scheduling.createTaskRun({
      taskId: req.task.id,
      trigger: req.trigger,
      policyId: req.policy?.id ?? null,
    });
  };
  const svc = new SchedulingService({
    catalog,
    hypervisor: hv,
    runTask,
    domainBusy: () => false,
    ...(opts.limits === undefined ? {} : { limits: opts.limits }),
  });
  svc.createPolicy({ name: 'nightly', schedule: weekly });
  return { hv, catalog, svc, web, db, requests };
}

test('policies: create normalizes the schedule; unique names; update; enable/disable', (t) => {
  const { svc } = setup();
  const p = svc.requirePolicy('nightly');
  t.deepEqual(p.schedule, { kind: 'weekly', days: ['mon', 'thu'], times: ['02:00', '14:00'] });
  t.true(p.enabled);
  t.throws(() => svc.createPolicy({ name: 'nightly', schedule: weekly }), { code: 'ALREADY_EXISTS' });
  t.throws(() => svc.createPolicy({ name: '-bad', schedule: weekly }), { code: 'INVALID_ARGUMENT' });
  t.throws(
    () =>
      svc.createPolicy({ name: 'x', schedule: { kind: 'weekly', days: ['mon'], times: ['01:00', '01:30'] } }),
    {
      code: 'INVALID_ARGUMENT',
      message: /less than 1 hour apart/,
    },
  );
  const u = svc.updatePolicy('nightly', {
    name: 'n2',
    schedule: { kind: 'every-days', n: 3, times: ['03:00'] },
  });
  t.like(u, { name: 'n2', schedule: { kind: 'every-days', n: 3 } });
  t.false(svc.setPolicyEnabled('n2', false).enabled);
  t.throws(() => svc.updatePolicy('nightly', { enabled: true }), { code: 'NOT_FOUND' });
  t.throws(() => svc.updatePolicy('n2', { enabled: 'yes' }), { code: 'INVALID_ARGUMENT' });
});

test('policies: at most maxPolicies (configurable)', (t) => {
  const { svc } = setup({ limits: { maxPolicies: 2 } });
  svc.createPolicy({ name: 'second', schedule: weekly });
  t.throws(() => svc.createPolicy({ name: 'third', schedule: weekly }), {
    code: 'INVALID_ARGUMENT',
    message: /at most 2 policies/,
  });
  t.throws(
    () =>
      new SchedulingService({
        catalog: new SqliteCatalog({ path: ':memory:' }),
        hypervisor: new FakeHypervisor(),
        runTask: () => Promise.reject(new Error('not run here')),
        domainBusy: () => false,
        limits: { maxPolicies: 0 },
      }),
    {
      code: 'INVALID_ARGUMENT',
    },
  );
});

test('tasks: domains resolved by name or UUID to UUID + name; disks checked against the domain', async (t) => {
  const { svc, web, db } = setup();
  const task = await svc.createTask({
    name: 'web-daily',
    domains: [web],
    disks: ['db:vda'],
    policies: ['nightly'],
    retention: 'count:7',
    receivers: ['journal'],
  });
  t.deepEqual(task.resources, [
    { domainUuid: web, domainName: 'web', disks: null },
    { domainUuid: db, domainName: 'db', disks: ['vda'] },
  ]);
  t.like(task, { chainLength: 30, enabled: true, runCount: 0 });
  t.deepEqual(task.retention, { kind: 'count', n: 7 });
  await t.throwsAsync(svc.createTask({ name: 'web-daily', domains: ['db'], policies: ['nightly'] }), {
    code: 'ALREADY_EXISTS',
  });
  await t.throwsAsync(svc.createTask({ name: 'x', domains: ['nope'], policies: ['nightly'] }), {
    code: 'DOMAIN_NOT_FOUND',
  });
  await t.throwsAsync(svc.createTask({ name: 'x', disks: ['web:vdz'], policies: ['nightly'] }), {
    code: 'DISK_NOT_FOUND',
  });
  await t.throwsAsync(svc.createTask({ name: 'x', domains: ['web'], policies: ['weekly'] }), {
    code: 'NOT_FOUND',
    message: /no policy named weekly/,
  });
  await t.throwsAsync(svc.createTask({ name: 'x', domains: ['web', web], policies: ['nightly'] }), {
    code: 'INVALID_ARGUMENT',
    message: /same domain/,
  });
  await t.throwsAsync(
    svc.createTask({ name: 'x', domains: ['web'], policies: ['nightly'], chainLength: 31 }),
    {
      code: 'INVALID_ARGUMENT',
    },
  );
  t.deepEqual(
    svc.listTasks().map((x) => x.name),
    ['web-daily'],
  );
});

test('tasks: at most maxDomainsPerPolicy distinct domains per policy, through all its tasks', async (t) => {
  const { svc } = setup({ limits: { maxDomainsPerPolicy: 1 } });
  await svc.createTask({ name: 'a', domains: ['web'], policies: ['nightly'] });
  // the same domain in a second task does not count twice
  await svc.createTask({ name: 'b', disks: ['web:vdb'], policies: ['nightly'] });
  await t.throwsAsync(svc.createTask({ name: 'c', domains: ['db'], policies: ['nightly'] }), {
    code: 'INVALID_ARGUMENT',
    message: /policy nightly would be bound to 2 domains/,
  });
  await t.throwsAsync(svc.updateTask('b', { domains: ['db'] }), { code: 'INVALID_ARGUMENT' });
  // replacing a task's own domain is fine once no other task holds the old one
  await svc.updateTask('b', { domains: ['web'] });
  svc.deleteTask('a');
  await svc.updateTask('b', { domains: ['db'] });
  t.deepEqual(
    svc.requireTask('b').resources.map((r) => r.domainName),
    ['db'],
  );
});

test('tasks: update anything but the policies; enable/disable; delete', async (t) => {
  const { svc } = setup();
  await svc.createTask({ name: 'web-daily', domains: ['web'], policies: ['nightly'] });
  await t.throwsAsync(svc.updateTask('web-daily', { policies: ['nightly'] }), {
    code: 'INVALID_ARGUMENT',
    message: /cannot be changed/,
  });
  const u = await svc.updateTask('web-daily', {
    name: 'web',
    disks: ['web:vdb'],
    chainLength: 5,
    retention: 'days:14',
    receivers: ['exec:/usr/local/bin/hook'],
  });
  t.like(u, { name: 'web', chainLength: 5 });
  t.deepEqual(u.resources[0]?.disks, ['vdb']);
  t.deepEqual(u.receivers, [{ kind: 'exec', path: '/usr/local/bin/hook' }]);
  t.false(svc.setTaskEnabled('web', false).enabled);
  await svc.createTask({ name: 'other', domains: ['db'], policies: ['nightly'] });
  await t.throwsAsync(svc.updateTask('web', { name: 'other' }), { code: 'ALREADY_EXISTS' });
  svc.deleteTask('web');
  t.throws(() => svc.requireTask('web'), { code: 'NOT_FOUND' });
});

test('deleting a policy a task uses → INVALID_STATE naming the tasks', async (t) => {
  const { svc } = setup();
  await svc.createTask({ name: 'a', domains: ['web'], policies: ['nightly'] });
  await svc.createTask({ name: 'b', domains: ['db'], policies: ['nightly'] });
  const e = t.throws(() => svc.deletePolicy('nightly'), { code: 'INVALID_STATE' });
  t.regex(e?.message ?? '', /used by tasks a, b/);
  svc.deleteTask('a');
  svc.deleteTask('b');
  svc.deletePolicy('nightly');
  t.deepEqual(svc.listPolicies(), []);
});

test('run: task run and policy run call the injected runner; history newest first', async (t) => {
  const { svc, requests } = setup();
  await svc.createTask({ name: 'a', domains: ['web'], policies: ['nightly'] });
  await svc.createTask({ name: 'b', domains: ['db'], policies: ['nightly'], enabled: false });
  const run = await svc.runTask('b');
  t.like(run, { trigger: 'manual', policyId: null, outcome: 'running' });
  const runs = await svc.runPolicy('nightly');
  t.is(runs.length, 1, 'policy run runs the enabled tasks only');
  t.deepEqual(
    requests.map((r) => [r.task.name, r.policy?.name ?? null, r.trigger]),
    [
      ['b', null, 'manual'],
      ['a', 'nightly', 'manual'],
    ],
  );
  t.is(svc.history('b').length, 1);
  t.is(svc.requireTask('a').runCount, 1);
  svc.setTaskEnabled('a', false);
  await t.throwsAsync(svc.runPolicy('nightly'), { code: 'INVALID_STATE' });
});

test('views: nextRun in the given time zone, null when disabled; task and run views', async (t) => {
  const { svc, web } = setup();
  // Wednesday 2025-01-01 12:00 UTC; Berlin is UTC+1 in winter: next is Thu 02:00 local = 01:00 UTC
  const ctl = new SchedulingApiImpl(svc, {
    now: () => Date.parse('2025-01-01T12:00:00Z'),
    timeZone: 'Europe/Berlin',
  });
  await ctl.createTask({ name: 'a', domains: ['web'], policies: ['nightly'], receivers: ['journal'] });
  const p = await ctl.getPolicy('nightly');
  t.like(p, { name: 'nightly', enabled: true, tasks: ['a'], nextRun: '2025-01-02T01:00:00.000Z' });
  t.is((await ctl.setPolicyEnabled('nightly', false)).nextRun, null);
  const run = await ctl.runTask('a');
  t.like(run, { task: 'a', trigger: 'manual', policy: null, endedAt: null, outcome: 'running' });
  const view = await ctl.getTask('a');
  t.like(view, {
    name: 'a',
    resources: [{ domain: web, domainName: 'web', disks: null }],
    policies: ['nightly'],
    chainLength: 30,
    retention: 'forever',
    receivers: ['journal'],
    runCount: 1,
    lastRun: { id: run.id, outcome: 'running', endedAt: null },
  });
  t.deepEqual(
    (await ctl.taskHistory('a', {})).map((r) => r.id),
    [run.id],
  );
  t.deepEqual(
    (await ctl.listTasks({ policy: 'nightly' })).map((x) => x.name),
    ['a'],
  );
  await t.throwsAsync(ctl.listTasks({ policy: 'nope' }), { code: 'NOT_FOUND' });
});

test('task run / policy run while a bound domain has a backup queued or running: DOMAIN_BUSY naming it, nothing recorded or queued; runs once it ended', async (t) => {
  const h = await schedHarness({ domains: ['web', 'db'] });
  const svc = new SchedulingService({
    catalog: h.catalog,
    hypervisor: h.hv,
    runTask: h.scheduler.runTask,
    domainBusy: (uuid) => h.exec.busy(uuid),
  });
  const p = h.policy('hourly', h.hourly);
  const a = h.task('a', [p.id]);
  const b = h.task('b', [p.id], { domains: [h.uuids[1]!] });
  const web = a.resources[0]!.domainName;
  h.catalog.upsertDomain({ uuid: h.uuids[0]!, name: 'web' });
  let release!: () => void;
  const blocker = h.runner.submit(
    { type: 'backup', trigger: 'manual', domainUuid: h.uuids[0]! },
    () => new Promise<void>((r) => (release = r)),
  );
  await t.throwsAsync(svc.runTask('a'), {
    code: 'DOMAIN_BUSY',
    message: new RegExp(`domain ${web} has a job`),
  });
  // The policy's other task (domain db, idle) does not run either: refused before anything.
  await t.throwsAsync(svc.runPolicy('hourly'), {
    code: 'DOMAIN_BUSY',
    message: new RegExp(`domain ${web} `),
  });
  t.deepEqual(h.db.listTaskRuns(a.id), []);
  t.deepEqual(h.db.listTaskRuns(b.id), []);
  t.deepEqual(
    h.catalog.jobs.list({ type: 'backup' }).map((j) => j.id),
    [blocker.id],
    'no backup queued behind the busy domain',
  );
  // A run executing on a domain makes it busy too (between its jobs).
  const runB = await svc.runTask('b');
  await t.throwsAsync(svc.runTask('b'), { code: 'DOMAIN_BUSY' });
  await h.scheduler.idle();
  t.is(h.db.listTaskRuns(b.id)[0]?.id, runB.id);
  while (h.catalog.jobs.get(blocker.id)?.state !== 'running') await new Promise((r) => setTimeout(r, 1));
  release();
  await h.runner.wait(blocker.id);
  const run = await svc.runTask('a');
  t.is(run.trigger, 'manual');
  await h.scheduler.idle();
  t.is(h.db.listTaskRuns(a.id)[0]?.outcome, 'succeeded');
});

test('task create / update warn (not refuse) when another task already covers the same resource', async (t) => {
  const { svc } = setup();
  const ctl = new SchedulingApiImpl(svc, { timeZone: 'UTC' });
  const a = await ctl.createTask({ name: 'a', domains: ['web'], policies: ['nightly'] });
  t.is(a.warnings, undefined, 'nothing else covers web');
  const b = await ctl.createTask({
    name: 'b',
    domains: ['web'],
    policies: ['nightly'],
    retention: 'count:2',
  });
  t.is(b.warnings?.length, 1);
  t.regex(b.warnings?.[0] ?? '', /task a already backs up domain web \(all disks\).*own chains/);
  const c = await ctl.createTask({ name: 'c', domains: ['db'], policies: ['nightly'] });
  t.is(c.warnings, undefined, 'another domain');
  t.is((await ctl.getTask('b')).warnings, undefined, 'show does not warn');
  t.is((await ctl.updateTask('c', { retention: 'count:3' })).warnings, undefined);
  const moved = await ctl.updateTask('c', { domains: ['web'] });
  t.deepEqual(
    moved.warnings?.map((w) => w.split(' ')[1]),
    ['a', 'b'],
  );
  t.is(svc.listTasks({}).length, 3, 'all created');
});

test('deleting a task while a run of it is going → INVALID_STATE; once ended it goes', async (t) => {
  const { svc, catalog } = setup();
  await svc.createTask({ name: 'web', domains: ['web'], policies: ['nightly'] });
  const run = await svc.runTask('web');
  t.is(run.outcome, 'running');
  const e = t.throws(() => svc.deleteTask('web'), { code: 'INVALID_STATE' });
  t.regex(e?.message ?? '', new RegExp(`task web is running \\(run ${run.id}\\)`));
  t.truthy(svc.requireTask('web'), 'the task stays');
  catalog.scheduling.updateTaskRun(run.id, { outcome: 'succeeded', endedAt: Date.now() });
  svc.deleteTask('web');
  t.throws(() => svc.requireTask('web'), { code: 'NOT_FOUND' });
});

test('tasks: copyTo names targets (resolved to ids, shown by name); an unknown or repeated one is refused, nothing made', async (t) => {
  const { svc, catalog } = setup();
  const api = new SchedulingApiImpl(svc, { timeZone: 'UTC' });
  catalog.copies.addTarget({
    name: 's3-eu',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv' },
    keyId: null,
    bwlimit: null,
    retention: 'forever',
  });
  await t.throwsAsync(
    svc.createTask({ name: 'a', domains: ['web'], policies: ['nightly'], copyTo: ['nope'] }),
    {
      code: 'TARGET_NOT_FOUND',
    },
  );
  t.is(catalog.scheduling.getTask('a'), null);
  await t.throwsAsync(
    svc.createTask({ name: 'a', domains: ['web'], policies: ['nightly'], copyTo: ['s3-eu', 's3-eu'] }),
    { code: 'INVALID_ARGUMENT', message: /target s3-eu is listed twice/ },
  );
  const made = await svc.createTask({
    name: 'a',
    domains: ['web'],
    policies: ['nightly'],
    copyTo: ['s3-eu'],
  });
  t.is(made.copyTo[0]?.id, catalog.copies.requireTarget('s3-eu').id);
  t.deepEqual((await api.getTask('a')).copyTo, ['s3-eu']);
  const none = await svc.updateTask('a', { copyTo: [] });
  t.deepEqual(none.copyTo, []);
});
