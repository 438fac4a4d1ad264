import test, { type ExecutionContext } from 'ava';

import { isVirtpointError } from '../../../src/core/errors.js';
import {
  DEFAULT_LIMITS,
  checkLimits,
  formatReceiver,
  parseDiskSelection,
  parseReceiver,
  resolveLimits,
  validateName,
  validatePolicyInput,
  validateReceivers,
  validateResources,
  validateTaskInput,
  validateTaskPatch,
  validateTaskPolicies,
  type TaskInput,
} from '../../../src/core/policy-task.js';

function invalid(t: ExecutionContext, fn: () => unknown, message: RegExp) {
  const e = t.throws(fn);
  t.true(isVirtpointError(e, 'INVALID_ARGUMENT'), String(e));
  t.regex(e?.message ?? '', message);
}

const schedule = { kind: 'weekly', days: ['mon'], times: ['02:00'] };
const task: TaskInput = { name: 'nightly', domains: ['web1'], policies: ['night'] };

test('names: 1–64 of [A-Za-z0-9_.-], not starting with - or .', (t) => {
  for (const ok of ['a', 'nightly-2.0', '_x', '9', 'A'.repeat(64)]) t.is(validateName(ok, 'policy name'), ok);
  for (const bad of ['', '-x', '.x', 'a b', 'a/b', 'é', 'A'.repeat(65), 7, null]) {
    invalid(t, () => validateName(bad, 'policy name'), /^policy name must be 1 to 64 characters/);
  }
});

test('policy input: defaults enabled, validates the schedule', (t) => {
  t.deepEqual(validatePolicyInput({ name: 'night', schedule }), {
    name: 'night',
    schedule: { kind: 'weekly', days: ['mon'], times: ['02:00'] },
    enabled: true,
  });
  t.false(validatePolicyInput({ name: 'night', schedule, enabled: false }).enabled);
  invalid(t, () => validatePolicyInput({ name: '-x', schedule }), /policy name/);
  invalid(
    t,
    () => validatePolicyInput({ name: 'n', schedule: { ...schedule, times: [] } }),
    /schedule\.times/,
  );
  invalid(
    t,
    () => validatePolicyInput({ name: 'n', schedule, enabled: 'yes' }),
    /enabled must be true or false/,
  );
});

test('disk selections D:vdb', (t) => {
  t.deepEqual(parseDiskSelection('web1:vdb'), { domain: 'web1', disk: 'vdb' });
  t.deepEqual(parseDiskSelection('ns:web:vdb'), { domain: 'ns:web', disk: 'vdb' });
  for (const bad of ['web1', ':vdb', 'web1:', 5]) invalid(t, () => parseDiskSelection(bad), /DOMAIN:TARGET/);
  invalid(t, () => parseDiskSelection('web1:v.db'), /invalid disk target/);
  invalid(t, () => parseDiskSelection('a/b:vdb'), /domain of disk selection/);
});

test('resources: detached volumes by POOL/VOL and by path, after the domains; each once', (t) => {
  t.deepEqual(validateResources(['web1'], [], ['default/a.qcow2'], ['/vols/b.qcow2']), [
    { domain: 'web1', disks: null },
    { volume: { pool: 'default', volume: 'a.qcow2' } },
    { volume: { path: '/vols/b.qcow2' } },
  ]);
  t.deepEqual(validateResources(undefined, undefined, undefined, ['/vols/b.qcow2']), [
    { volume: { path: '/vols/b.qcow2' } },
  ]);
  invalid(t, () => validateResources([], [], ['nopool']), /is not POOL\/VOLUME/);
  invalid(t, () => validateResources([], [], [7]), /volumes\[0\] must be POOL\/VOLUME/);
  invalid(
    t,
    () => validateResources([], [], [], ['rel.qcow2']),
    /volumePaths\[0\] must be an absolute file path/,
  );
  invalid(t, () => validateResources([], [], [], ['/a\nb']), /volumePaths\[0\]/);
  invalid(t, () => validateResources([], [], [], ['/v/a', '/v/a']), /volume \/v\/a is listed twice/);
  invalid(t, () => validateResources([], [], 'p/v'), /volumes must be a list/);
});

test('resources: whole domains and chosen disks, one per domain', (t) => {
  t.deepEqual(validateResources(['web1', '3f2c1f0e-8c4e-4b8e-9a55-0d6f1c2b7e11'], ['db:vdc', 'db:vdb']), [
    { domain: 'web1', disks: null },
    { domain: '3f2c1f0e-8c4e-4b8e-9a55-0d6f1c2b7e11', disks: null },
    { domain: 'db', disks: ['vdb', 'vdc'] },
  ]);
  invalid(t, () => validateResources([], []), /at least one domain, disk or volume/);
  invalid(t, () => validateResources(undefined, undefined), /at least one domain, disk or volume/);
  invalid(t, () => validateResources(['web1', 'web1']), /domain web1 is listed twice/);
  invalid(t, () => validateResources(['web1'], ['web1:vdb']), /listed whole and with chosen disks/);
  invalid(t, () => validateResources([], ['db:vdb', 'db:vdb']), /disk vdb is listed twice/);
  invalid(t, () => validateResources([''], []), /domains\[0\] must be a domain name or UUID/);
  invalid(t, () => validateResources(['a\nb'], []), /domains\[0\]/);
  invalid(t, () => validateResources(['x'.repeat(256)], []), /domains\[0\]/);
  invalid(t, () => validateResources('web1', []), /domains must be a list/);
  invalid(t, () => validateResources([], 'db:vdb'), /disks must be a list/);
  const many = Array.from({ length: 257 }, (_, i) => `d${i}`);
  invalid(t, () => validateResources(many), /at most 256 domains/);
});

test('receivers: webhook http(s), exec absolute path, journal', (t) => {
  t.deepEqual(parseReceiver('journal'), { kind: 'journal' });
  t.deepEqual(parseReceiver('webhook:https://hooks.example/x?y=1'), {
    kind: 'webhook',
    url: 'https://hooks.example/x?y=1',
  });
  t.deepEqual(parseReceiver('webhook:http://127.0.0.1:8080'), {
    kind: 'webhook',
    url: 'http://127.0.0.1:8080/',
  });
  t.deepEqual(parseReceiver('exec:/usr/local/bin/notify'), { kind: 'exec', path: '/usr/local/bin/notify' });
  t.is(formatReceiver(parseReceiver('exec:/a/b')), 'exec:/a/b');
  t.is(formatReceiver(parseReceiver('webhook:https://h/')), 'webhook:https://h/');
  t.is(formatReceiver(parseReceiver('journal')), 'journal');
  const cases: [unknown, RegExp][] = [
    ['webhook:nope', /not a valid URL/],
    ['webhook:ftp://h/x', /only http and https/],
    ['webhook:file:///etc/passwd', /only http and https/],
    ['exec:bin/notify', /must be absolute/],
    ['exec:/usr/../bin/sh', /\. or \.\. parts/],
    ['exec:/usr/./bin', /\. or \.\. parts/],
    ['exec:/usr/bin/', /names a directory/],
    ['exec:/usr/bin/a\u0000b', /control characters/],
    ['mail:ops@example.com', /unknown kind/],
    ['Journal', /unknown kind/],
    [42, /not a string/],
  ];
  for (const [text, message] of cases) invalid(t, () => parseReceiver(text), message);
  invalid(t, () => validateReceivers(['journal', 'journal']), /receiver journal is listed twice/);
  invalid(t, () => validateReceivers('journal'), /receivers must be a list/);
  invalid(t, () => validateReceivers(Array.from({ length: 17 }, (_, i) => `exec:/x${i}`)), /at most 16/);
  t.deepEqual(validateReceivers(), []);
});

test('task policies: 1–8 valid, distinct names', (t) => {
  t.deepEqual(validateTaskPolicies(['a', 'b']), ['a', 'b']);
  t.is(validateTaskPolicies(Array.from({ length: 8 }, (_, i) => `p${i}`)).length, 8);
  invalid(t, () => validateTaskPolicies([]), /policies must list 1 to 8/);
  invalid(t, () => validateTaskPolicies(undefined), /policies must list 1 to 8/);
  invalid(t, () => validateTaskPolicies(Array.from({ length: 9 }, (_, i) => `p${i}`)), /1 to 8/);
  invalid(t, () => validateTaskPolicies(['a', 'a']), /policy a is listed twice/);
  invalid(t, () => validateTaskPolicies(['ok', '.bad']), /policies\[1\] must be/);
});

test('task input: defaults and normalization', (t) => {
  t.deepEqual(validateTaskInput(task), {
    name: 'nightly',
    resources: [{ domain: 'web1', disks: null }],
    policies: ['night'],
    chainLength: 30,
    retention: { kind: 'forever' },
    receivers: [],
    enabled: true,
    verifyAfter: false,
    copyTo: [],
  });
  t.deepEqual(validateTaskInput({ ...task, copyTo: ['s3-eu', 'nas'] }).copyTo, ['s3-eu', 'nas']);
  t.deepEqual(validateTaskInput({ ...task, copyTo: null }).copyTo, []);
  invalid(
    t,
    () => validateTaskInput({ ...task, copyTo: 's3-eu' }),
    /copyTo must list at most 4 target names/,
  );
  invalid(t, () => validateTaskInput({ ...task, copyTo: ['a', 'b', 'c', 'd', 'e'] }), /at most 4/);
  invalid(t, () => validateTaskInput({ ...task, copyTo: ['a', 'a'] }), /target a is listed twice in copyTo/);
  invalid(t, () => validateTaskInput({ ...task, copyTo: ['.x'] }), /copyTo\[0\] must be/);
  const full = validateTaskInput({
    ...task,
    disks: ['db:vdb'],
    chainLength: 7,
    retention: 'count:3',
    receivers: ['journal', 'webhook:https://h/'],
    enabled: false,
  });
  t.deepEqual(full.resources, [
    { domain: 'web1', disks: null },
    { domain: 'db', disks: ['vdb'] },
  ]);
  t.is(full.chainLength, 7);
  t.deepEqual(full.retention, { kind: 'count', n: 3 });
  t.is(full.receivers.length, 2);
  t.false(full.enabled);
});

test('task input: every field error', (t) => {
  invalid(t, () => validateTaskInput({ ...task, name: '' }), /task name must be/);
  invalid(t, () => validateTaskInput({ ...task, domains: [] }), /at least one domain, disk or volume/);
  invalid(t, () => validateTaskInput({ ...task, policies: [] }), /policies must list/);
  for (const n of [0, 31, 2.5]) {
    invalid(
      t,
      () => validateTaskInput({ ...task, chainLength: n }),
      /chain length must be an integer from 1 to 30/,
    );
  }
  invalid(t, () => validateTaskInput({ ...task, chainLength: '5' }), /chainLength must be a number/);
  invalid(t, () => validateTaskInput({ ...task, retention: 'count:0' }), /retention must be/);
  invalid(
    t,
    () => validateTaskInput({ ...task, retention: { kind: 'count', n: 3 } }),
    /retention must be a string/,
  );
  invalid(t, () => validateTaskInput({ ...task, receivers: ['exec:rel'] }), /absolute/);
  invalid(t, () => validateTaskInput({ ...task, enabled: 1 }), /enabled must be true or false/);
  invalid(t, () => validateTaskInput({ ...task, verifyAfter: 'yes' }), /verifyAfter must be true or false/);
  t.false(validateTaskInput(task).verifyAfter);
  t.true(validateTaskInput({ ...task, verifyAfter: true }).verifyAfter);
  t.deepEqual(validateTaskPatch({ verifyAfter: false }), { verifyAfter: false });
});

test('task patch: any field but the policies', (t) => {
  t.deepEqual(validateTaskPatch({}), {});
  t.deepEqual(validateTaskPatch({ retention: 'days:7', enabled: false }), {
    retention: { kind: 'days', n: 7 },
    enabled: false,
  });
  t.deepEqual(validateTaskPatch({ disks: ['db:vda'] }), { resources: [{ domain: 'db', disks: ['vda'] }] });
  t.deepEqual(validateTaskPatch({ name: 'n2', chainLength: 3, receivers: ['journal'] }), {
    name: 'n2',
    chainLength: 3,
    receivers: [{ kind: 'journal' }],
  });
  invalid(t, () => validateTaskPatch({ policies: ['other'] }), /cannot be changed; create a new task/);
  invalid(t, () => validateTaskPatch({ chainLength: 0 }), /chain length/);
});

test('limits: defaults, configuration, checks on counts after a change', (t) => {
  t.deepEqual(DEFAULT_LIMITS, { maxPolicies: 32, maxDomainsPerPolicy: 64 });
  t.deepEqual(resolveLimits(), DEFAULT_LIMITS);
  t.deepEqual(resolveLimits({ maxPolicies: 100 }), { maxPolicies: 100, maxDomainsPerPolicy: 64 });
  invalid(t, () => resolveLimits({ maxPolicies: 0 }), /limit maxPolicies must be a positive integer/);
  invalid(t, () => resolveLimits({ maxDomainsPerPolicy: 1.5 }), /limit maxDomainsPerPolicy/);
  t.notThrows(() => checkLimits({ policies: 32, domainsByPolicy: { night: 64 } }));
  invalid(t, () => checkLimits({ policies: 33 }), /at most 32 policies/);
  invalid(
    t,
    () => checkLimits({ domainsByPolicy: { ok: 3, night: 65 } }),
    /policy night would be bound to 65 domains; at most 64/,
  );
  const limits = resolveLimits({ maxPolicies: 2, maxDomainsPerPolicy: 1 });
  invalid(t, () => checkLimits({ policies: 3 }, limits), /at most 2 policies/);
  invalid(t, () => checkLimits({ domainsByPolicy: { p: 2 } }, limits), /at most 1 are allowed/);
  t.notThrows(() => checkLimits({}, limits));
});
