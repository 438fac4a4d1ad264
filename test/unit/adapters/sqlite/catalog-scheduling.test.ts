import test from 'ava';

import type { NewTask } from '../../../../src/ports/scheduling-catalog.js';
import { memoryCatalog, U1, U2 } from './_catalog.js';

const weekly = { kind: 'weekly' as const, days: ['mon' as const, 'thu' as const], times: ['02:00'] };

function setup() {
  const { catalog, clock } = memoryCatalog();
  const s = catalog.scheduling;
  const nightly = s.createPolicy({ name: 'nightly', schedule: weekly, enabled: true });
  const hourly = s.createPolicy({
    name: 'hourly',
    schedule: { kind: 'every-days', n: 1, times: ['00:00', '01:00'] },
    enabled: false,
  });
  const newTask = (over: Partial<NewTask> = {}): NewTask => ({
    name: 'web-daily',
    resources: [
      { domainUuid: U1, domainName: 'web', disks: null },
      { domainUuid: U2, domainName: 'db', disks: ['vdb'] },
    ],
    policyIds: [nightly.id],
    chainLength: 7,
    retention: { kind: 'count', n: 3 },
    receivers: [{ kind: 'journal' }, { kind: 'webhook', url: 'https://example.com/hook' }],
    enabled: true,
    ...over,
  });
  return { catalog, clock, s, nightly, hourly, newTask };
}

test('policies: create, get by name and id, list sorted, update, unique names', (t) => {
  const { s, nightly, hourly } = setup();
  t.like(nightly, { name: 'nightly', enabled: true, schedule: weekly });
  t.regex(nightly.id, /^[0-9a-f]{12}$/);
  t.deepEqual(s.getPolicy('nightly'), nightly);
  t.deepEqual(s.getPolicyById(hourly.id), hourly);
  t.is(s.getPolicy('nope'), null);
  t.deepEqual(
    s.listPolicies().map((p) => p.name),
    ['hourly', 'nightly'],
  );
  t.throws(() => s.createPolicy({ name: 'nightly', schedule: weekly, enabled: true }), {
    code: 'ALREADY_EXISTS',
  });
  const renamed = s.updatePolicy(hourly.id, { name: 'often', enabled: true });
  t.like(renamed, { id: hourly.id, name: 'often', enabled: true, schedule: hourly.schedule });
  t.true(renamed.updatedAt > hourly.updatedAt);
  t.throws(() => s.updatePolicy(hourly.id, { name: 'nightly' }), { code: 'ALREADY_EXISTS' });
  t.throws(() => s.updatePolicy('000000000999', { enabled: false }), { code: 'NOT_FOUND' });
});

test('tasks: create with policies in order, JSON fields round-trip, filters', (t) => {
  const { s, nightly, hourly, newTask } = setup();
  const task = s.createTask(newTask({ policyIds: [nightly.id, hourly.id] }));
  t.like(task, { name: 'web-daily', chainLength: 7, enabled: true, runCount: 0 });
  t.deepEqual(task.policies, [
    { id: nightly.id, name: 'nightly' },
    { id: hourly.id, name: 'hourly' },
  ]);
  t.deepEqual(task.retention, { kind: 'count', n: 3 });
  t.deepEqual(task.receivers, [{ kind: 'journal' }, { kind: 'webhook', url: 'https://example.com/hook' }]);
  t.deepEqual(task.resources[1], { domainUuid: U2, domainName: 'db', disks: ['vdb'] });
  t.deepEqual(s.getTask('web-daily'), task);
  t.deepEqual(s.getTaskById(task.id), task);
  s.createTask(newTask({ name: 'db-only', resources: [{ domainUuid: U2, domainName: 'db', disks: null }] }));
  t.deepEqual(
    s.listTasks().map((x) => x.name),
    ['db-only', 'web-daily'],
  );
  t.deepEqual(
    s.listTasks({ policyId: hourly.id }).map((x) => x.name),
    ['web-daily'],
  );
  t.deepEqual(
    s.listTasks({ domainUuid: U1 }).map((x) => x.name),
    ['web-daily'],
  );
  t.throws(() => s.createTask(newTask()), { code: 'ALREADY_EXISTS' });
  t.throws(() => s.createTask(newTask({ name: 'x', policyIds: ['000000000999'] })), { code: 'NOT_FOUND' });
  t.is(s.getTask('x'), null, 'a failed create leaves nothing behind');
});

test('tasks: update changes everything but the policies; delete keeps policies', (t) => {
  const { s, nightly, newTask } = setup();
  const task = s.createTask(newTask());
  const updated = s.updateTask(task.id, {
    name: 'web2',
    resources: [{ domainUuid: U1, domainName: 'web-renamed', disks: ['vda'] }],
    chainLength: 30,
    retention: { kind: 'forever' },
    receivers: [],
    enabled: false,
  });
  t.like(updated, { id: task.id, name: 'web2', chainLength: 30, enabled: false });
  t.deepEqual(updated.retention, { kind: 'forever' });
  t.deepEqual(updated.receivers, []);
  t.deepEqual(updated.policies, [{ id: nightly.id, name: 'nightly' }]);
  t.is(s.getTask('web-daily'), null);
  s.deleteTask(task.id);
  t.is(s.getTaskById(task.id), null);
  t.throws(() => s.deleteTask(task.id), { code: 'NOT_FOUND' });
  s.deletePolicy(nightly.id);
  t.is(s.getPolicy('nightly'), null);
});

test('deleting a policy a task uses is INVALID_STATE naming the tasks', (t) => {
  const { s, nightly, newTask } = setup();
  s.createTask(newTask());
  s.createTask(newTask({ name: 'second' }));
  const e = t.throws(() => s.deletePolicy(nightly.id), { code: 'INVALID_STATE' });
  t.regex(e?.message ?? '', /second, web-daily/);
  t.not(s.getPolicy('nightly'), null);
});

test('runs: record, finish, run count, newest first, outcome filter', (t) => {
  const { s, nightly, newTask } = setup();
  const task = s.createTask(newTask());
  const run = s.createTaskRun({
    taskId: task.id,
    trigger: 'schedule',
    policyId: nightly.id,
    scheduledFor: 5,
  });
  t.like(run, {
    taskId: task.id,
    trigger: 'schedule',
    policyId: nightly.id,
    scheduledFor: 5,
    outcome: 'running',
  });
  t.is(run.endedAt, null);
  const skipped = s.createTaskRun({
    taskId: task.id,
    trigger: 'schedule',
    policyId: nightly.id,
    outcome: 'skipped',
  });
  t.is(skipped.endedAt, skipped.startedAt);
  t.is(s.getTaskById(task.id)?.runCount, 1, 'skipped runs are not executions');
  const resources = [
    { domain: U1, domainName: 'web', outcome: 'succeeded' as const, pointId: 'a00000000001' },
  ];
  const done = s.updateTaskRun(run.id, { outcome: 'succeeded', resources });
  t.like(done, { outcome: 'succeeded', resources });
  t.true((done.endedAt ?? 0) > 0);
  const notified = s.updateTaskRun(run.id, {
    notifications: [{ receiver: 'journal', ok: true, attempts: 1, durationMs: 2 }],
  });
  t.is(notified.endedAt, done.endedAt);
  t.is(notified.notifications.length, 1);
  t.throws(() => s.updateTaskRun(run.id, { outcome: 'running' }), { code: 'INVALID_STATE' });
  t.deepEqual(
    s.listTaskRuns(task.id).map((r) => r.id),
    [skipped.id, run.id],
  );
  t.deepEqual(
    s.listTaskRuns(task.id, { outcome: 'succeeded' }).map((r) => r.id),
    [run.id],
  );
  t.is(s.listTaskRuns(task.id, { limit: 1 }).length, 1);
  t.throws(() => s.createTaskRun({ taskId: '000000000999', trigger: 'manual' }), { code: 'NOT_FOUND' });
});

test('runs: only the newest 100 per task are kept; a running run is never pruned', (t) => {
  const { s, newTask } = setup();
  const task = s.createTask(newTask());
  const other = s.createTask(newTask({ name: 'other' }));
  const first = s.createTaskRun({ taskId: task.id, trigger: 'manual' });
  const ids: string[] = [];
  for (let i = 0; i < 105; i++) {
    ids.push(s.createTaskRun({ taskId: task.id, trigger: 'schedule', outcome: 'missed' }).id);
  }
  s.createTaskRun({ taskId: other.id, trigger: 'manual', outcome: 'missed' });
  const kept = s.listTaskRuns(task.id, { limit: 1000 }).map((r) => r.id);
  t.is(kept.length, 101);
  t.true(kept.includes(first.id), 'the running run stays');
  t.deepEqual(kept.slice(0, 100), ids.slice(5).reverse());
  t.is(s.listTaskRuns(other.id).length, 1);
});

test('scheduler state: upsert per task + policy; removed with the task', (t) => {
  const { s, nightly, hourly, newTask } = setup();
  const task = s.createTask(newTask({ policyIds: [nightly.id, hourly.id] }));
  s.setLastFired(task.id, nightly.id, 100);
  s.setLastFired(task.id, nightly.id, 200);
  s.setLastFired(task.id, hourly.id, 150);
  t.deepEqual(
    s.listSchedulerState({ taskId: task.id }).map((e) => [e.policyId === nightly.id, e.lastFiredAt]),
    [nightly.id, hourly.id].sort().map((id) => [id === nightly.id, id === nightly.id ? 200 : 150]),
  );
  t.throws(() => s.setLastFired('000000000999', nightly.id, 1), { code: 'NOT_FOUND' });
  s.deleteTask(task.id);
  t.deepEqual(s.listSchedulerState(), []);
});

test('scheduling calls join an outer catalog transaction', (t) => {
  const { catalog, s, newTask } = setup();
  t.throws(() =>
    catalog.transaction(() => {
      s.createTask(newTask({ name: 'rolled-back' }));
      throw new Error('boom');
    }),
  );
  t.is(s.getTask('rolled-back'), null);
});
