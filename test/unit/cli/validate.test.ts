import test from 'ava';

import { refProblem } from '../../../src/cli/validate.js';
import { startFakeApi, run } from './fake-api.js';

const BAD: ReadonlyArray<readonly string[]> = [
  ['job', 'show', 'j1'],
  ['job', 'wait', 'J0000000000A'],
  ['job', 'follow', 'abc'],
  ['job', 'cancel', 'j1'],
  ['job', 'delete', 'j1'],
  ['chain', 'show', 'c1'],
  ['chain', 'verify', 'c1'],
  ['chain', 'delete', 'c1', '--yes'],
  ['point', 'show', 'a b'],
  ['point', 'verify', '../x'],
  ['point', 'list', '--chain', 'c1'],
  ['volume', 'show', '../etc'],
  ['volume', 'delete', '-x.qcow2'],
  ['image', 'show', 'a/b'],
  ['image', 'delete', '.hidden'],
  ['task', 'show', 'bad name'],
  ['task', 'run', 'a/b'],
  ['task', 'delete', '-x'],
  ['policy', 'show', 'x'.repeat(65)],
  ['policy', 'enable', 'sp ace'],
  ['target', 'show', '_x'],
  ['target', 'remove', 'a b'],
];

test('malformed ids and names are usage errors: exit 2, the rule named, nothing sent', async (t) => {
  const api = await startFakeApi(t, {});
  for (const argv of BAD) {
    const r = await run(api.socket, [...argv]);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /^error: .+ \(INVALID_ARGUMENT\)$/m, argv.join(' '));
  }
  t.deepEqual(api.requests, []);
});

test('valid ids and names pass: a 12-hex id, a volume by name, task and policy names', (t) => {
  t.is(refProblem('job', 'abcdef012345'), null);
  t.regex(refProblem('job', 'ABCDEF012345') ?? '', /12 lowercase hex/);
  t.is(refProblem('volume', 'copy.qcow2'), null);
  t.is(refProblem('volume', 'abcdef012345'), null);
  t.is(refProblem('task', 'nightly-web.1'), null);
  t.is(refProblem('policy', 'nightly'), null);
  t.is(refProblem('target', 'offsite'), null);
  t.is(refProblem('image', 'web.qcow2'), null);
});
