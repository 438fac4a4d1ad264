import test from 'ava';

import { assertJobTransition, isJobFinal, JOB_STATES, JOB_TRANSITIONS } from '../../../src/core/job-state.js';
import {
  assertTransition,
  canTransition,
  isPointBusy,
  isPointReadable,
  POINT_STATES,
  type PointState,
} from '../../../src/core/point-state.js';

const LEGAL: [PointState, PointState][] = [
  ['creating', 'available'],
  ['creating', 'error'],
  ['available', 'restoring'],
  ['available', 'deleting'],
  ['available', 'error'],
  ['restoring', 'available'],
  ['restoring', 'error'],
  ['deleting', 'delete-failed'],
  ['error', 'deleting'],
  ['delete-failed', 'deleting'],
  ['available', 'corrupt'],
  ['restoring', 'corrupt'],
  ['corrupt', 'deleting'],
];

for (const [from, to] of LEGAL) {
  test(`legal: ${from} → ${to}`, (t) => {
    t.true(canTransition(from, to));
    t.notThrows(() => assertTransition(from, to));
  });
}

test('every pair not in the table is illegal and throws INVALID_STATE', (t) => {
  const legal = new Set(LEGAL.map(([a, b]) => `${a}>${b}`));
  let illegal = 0;
  for (const from of POINT_STATES) {
    for (const to of POINT_STATES) {
      if (legal.has(`${from}>${to}`)) continue;
      illegal++;
      t.false(canTransition(from, to), `${from} → ${to}`);
      t.throws(() => assertTransition(from, to, 'p1'), { code: 'INVALID_STATE' });
    }
  }
  t.is(illegal, POINT_STATES.length ** 2 - LEGAL.length);
});

test('sample of illegal transitions with a helpful message', (t) => {
  const e1 = t.throws(() => assertTransition('creating', 'restoring', 'abc'));
  t.regex(
    e1.message,
    /point abc cannot go from creating to restoring \(from creating only to: available, error\)/,
  );
  t.throws(() => assertTransition('error', 'available'), { code: 'INVALID_STATE' });
  t.throws(() => assertTransition('deleting', 'available'), { code: 'INVALID_STATE' });
  t.throws(() => assertTransition('available', 'creating'), { code: 'INVALID_STATE' });
  t.throws(() => assertTransition('available', 'available'), { code: 'INVALID_STATE' });
});

test('busy and readable states', (t) => {
  t.deepEqual(
    POINT_STATES.filter((s) => isPointBusy(s)),
    ['creating', 'restoring', 'deleting'],
  );
  t.deepEqual(
    POINT_STATES.filter((s) => isPointReadable(s)),
    ['available', 'restoring'],
  );
});

test('job state machine: queued → running → final; finals are terminal', (t) => {
  t.notThrows(() => assertJobTransition('queued', 'running'));
  t.notThrows(() => assertJobTransition('queued', 'canceled'));
  t.notThrows(() => assertJobTransition('running', 'succeeded'));
  t.notThrows(() => assertJobTransition('running', 'failed'));
  t.notThrows(() => assertJobTransition('running', 'canceled'));
  for (const s of JOB_STATES) {
    if (isJobFinal(s)) {
      t.deepEqual(JOB_TRANSITIONS[s], []);
      t.throws(() => assertJobTransition(s, 'running', 'j'), { code: 'INVALID_STATE' });
    }
  }
  t.throws(() => assertJobTransition('queued', 'succeeded'), { code: 'INVALID_STATE' });
});
